"""Headers decode to exactly what was rendered, and nothing in a name can add a header line."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from monitor.deadlines.reminders import REMINDER_KINDS
from monitor.notify.deliver import SmtpBackend
from monitor.notify.headers import clean
from monitor.notify.render import build_message, render
from tests.conftest import SmtpServer
from tests.test_render import alert_item

LONG_LABEL = {
    "en": "Kozlov and the Kapshagai City Court of Almaty Province release",
    "ru": "Козлов и Капшагайский городской суд Алматинской области",
}
NAMES = {"en": "Anna Advocate-Kowalska", "ru": "Анна Адвокатова Петровна-Сидорова"}
_ENCODED_WORD = re.compile(r"^=\?utf-8\?b\?([A-Za-z0-9+/]*={0,2})\?=$")


def strict_decode(raw: str) -> str:
    """RFC 2047 read strictly: unfold; whitespace between two encoded words is dropped; each
    encoded word is at most 75 characters and decodes on its own to whole UTF-8 characters."""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", raw)
    out = ""
    previous_encoded = False
    for space, token in re.findall(r"(\s*)(\S+)", unfolded):
        match = _ENCODED_WORD.match(token)
        if token.startswith("=?") and not match:
            raise AssertionError(f"not a well-formed encoded word: {token!r}")
        if match:
            assert len(token) <= 75, token
            text = base64.b64decode(match.group(1), validate=True).decode("utf-8", "strict")
            out += ("" if previous_encoded else space) + text
            previous_encoded = True
        else:
            out += space + token
            previous_encoded = False
    return out


def header_lines(content: bytes) -> list[str]:
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return head.decode("ascii").replace("\r\n", "\n").split("\n")


def header_blocks(content: bytes) -> dict[str, str]:
    """Header name -> raw (still folded) value, refusing a header given twice."""
    blocks: dict[str, str] = {}
    name = ""
    for line in header_lines(content):
        if line[:1] in (" ", "\t"):
            blocks[name] += "\n" + line
            continue
        name, _, value = line.partition(":")
        assert name not in blocks, f"{name} appears twice"
        blocks[name] = value.lstrip(" ")
    return blocks


def reminder(kind: str, language: str, offset: int, late: bool) -> dict[str, Any]:
    return {
        "language": language,
        "offset": offset,
        "contact_name": NAMES[language],
        "role": "advocate",
        "footer_case": "Vladimir Kozlov: conditional early release",
        "operators": ["Olga Operator <operator@example.org>"],
        "late_due": "2016-08-13 09:00" if late else None,
        "has_ics": False,
        "case": {"label": LONG_LABEL[language], "title": "Case", "key": "kozlov"},
        "decision": {
            "kind": "release",
            "court": "Kapshagai City Court of Almaty Province",
            "decided_on": date(2016, 8, 4),
            "quote": "",
            "source_url": None,
        },
        "deadline": {
            "kind": "in_force",
            "date": date(2016, 8, 20),
            "explanation": "e",
            "uncertain": False,
        },
    }


def grouped(language: str, count: int) -> dict[str, Any]:
    items = [
        alert_item(
            "2016-08-05 10:00", LONG_LABEL[language] if i % 2 else "Kozlov", "A deadline moved", "m"
        )
        for i in range(count)
    ]
    return {
        "language": language,
        "contact_name": NAMES[language],
        "role": "operator",
        "footer_case": "",
        "operators": [],
        "items": items,
    }


def every_email(language: str) -> list[tuple[str, dict[str, Any]]]:
    emails = [
        (kind, reminder(kind, language, offset, late))
        for kind in REMINDER_KINDS
        for offset in (0, 1, 7)
        for late in (False, True)
    ]
    emails += [("alerts", grouped(language, 1)), ("alerts", grouped(language, 3))]
    digest = grouped(language, 2)
    digest["items"] = [
        {"subject": "s", "headline": "h", "explanation": "e"} for _ in digest["items"]
    ]
    digest["day"] = date(2016, 8, 13)
    emails.append(("digest", digest))
    emails.append(("test", {**grouped(language, 0), "role": "operator"}))
    return emails


def send(server: SmtpServer, emails: list[tuple[str, str, str, str]]) -> list[bytes]:
    """(subject text, to name, to email, sender) each sent through the real server."""
    with SmtpBackend(server.url) as backend:
        for n, (kind, context) in enumerate(emails):  # type: ignore[misc]
            message = build_message(
                render(kind, context),
                sender="Монитор сроков <monitor@example.org>",
                to_name=context["contact_name"],
                to_email="advocate@example.org",
                message_id=f"<{n}@court-deadline-monitor>",
                date_header=datetime(2016, 8, 13, 7, tzinfo=UTC),
                reply_to=[("Olga Operator", "operator@example.org"), ("Ольга", "o2@example.org")],
            )
            backend.send(message)
    return [e.content for e in server.recorder.received]  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_subject_and_name_decodes_exactly_after_a_real_smtp_server(
    smtp_server: SmtpServer, language: str
) -> None:
    emails = every_email(language)
    received = send(smtp_server, emails)  # type: ignore[arg-type]
    assert len(received) == len(emails)
    for content, (kind, context) in zip(received, emails, strict=True):
        blocks = header_blocks(content)
        expected = render(kind, context).subject
        assert strict_decode(blocks["Subject"]) == expected
        assert strict_decode(blocks["To"]) == f"{NAMES[language]} <advocate@example.org>"
        assert strict_decode(blocks["From"]) == "Монитор сроков <monitor@example.org>"
        assert (
            strict_decode(blocks["Reply-To"])
            == "Olga Operator <operator@example.org>, Ольга <o2@example.org>"
        )
        assert blocks["Auto-Submitted"] == "auto-generated"
        assert all(len(line) <= 78 for line in header_lines(content))


def test_russian_words_are_not_run_together_in_a_long_subject(smtp_server: SmtpServer) -> None:
    [(kind, context)] = [("appeal_reminder", reminder("appeal_reminder", "ru", 7, False))]
    [content] = send(smtp_server, [(kind, context)])  # type: ignore[list-item]
    subject = strict_decode(header_blocks(content)["Subject"])
    assert "Последний день обжалования" in subject
    assert "деньобжалования" not in subject


HOSTILE = [
    "=?utf-8?q?=0D=0ABcc:_evil@example.net?=",
    "Anna\r\nBcc: evil@example.net",
    "Anna\nX-Injected: yes",
    "Anna\u2028Bcc: evil@example.net",
    "Anna\x85Bcc: evil@example.net",
    '"Anna" <evil@example.net>, Bob',
    "=?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5uZXQ=?=",
    "Анна =?utf-8?q?=0A?= Петровна\t\x00\x1b",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_and_labels_add_no_header_line(smtp_server: SmtpServer, name: str) -> None:
    context = reminder("in_force_reminder", "en", 7, False)
    context["contact_name"] = name
    context["case"] = {**context["case"], "label": name}  # type: ignore[dict-item]
    [content] = send(smtp_server, [("in_force_reminder", context)])
    [envelope] = smtp_server.recorder.received
    assert envelope.rcpt_tos == ["advocate@example.org"]  # type: ignore[attr-defined]
    expected = [
        "Subject",
        "From",
        "To",
        "Reply-To",
        "Message-ID",
        "Date",
        "Auto-Submitted",
        "MIME-Version",
        "Content-Type",
    ]
    names = [line.partition(":")[0] for line in header_lines(content) if line[:1] not in " \t"]
    # aiosmtpd adds nothing; every line is one we wrote, in our order, each once.
    assert [n for n in names if n in expected] == expected
    assert set(names) <= {*expected, "X-Peer", "X-MailFrom", "X-RcptTo"}
    blocks = header_blocks(content)
    to = strict_decode(blocks["To"])
    assert to.endswith(" <advocate@example.org>")
    assert to.count("@") == 1 + clean(name).count("@")
    subject = strict_decode(blocks["Subject"])
    assert "\n" not in subject and "\r" not in subject
    assert "=?" not in subject and "=?" not in to


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://en.odfoundation.eu/", True),
        ("http://example.org/a?b=1", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(document.cookie)", False),
        ("data:text/html,<script>x</script>", False),
        ("//evil.example/path", False),
        ("https://example.org/\njavascript:x", False),
    ],
)
def test_only_http_and_https_source_addresses_become_links(url: str, linked: bool) -> None:
    context = reminder("in_force_reminder", "en", 7, False)
    context["decision"] = {**context["decision"], "source_url": url}  # type: ignore[dict-item]
    html = render("in_force_reminder", context).html
    assert ("<a href=" in html) is linked
    assert 'href="javascript' not in html.lower()
