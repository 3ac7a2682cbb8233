"""The bytes of an email, written without the email package, read back by it exactly."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest

from monitor.notify.headers import clean
from monitor.notify.mime import assemble, quoted_printable
from monitor.notify.render import Rendered, build_raw, deadline_ics

NOW = datetime(2016, 8, 5, 7, 0, tzinfo=UTC)

TEXTS = [
    "Plain text.\n",
    "Последний день обжалования: вт 16 авг. 2016 г.\nСуд: Капшагайский городской суд\n",
    "a line with trailing spaces   \nand a tab\t\n",
    "=?utf-8?b?not-a-word?= and = signs = everywhere =\n",
    "." + "\n.\n" + "From the start\n",  # a lone dot (SMTP) and a 'From ' line (mbox)
    "x" * 500 + "\n" + "й" * 300,  # long lines, no final line break
    "windows\r\nline\rends\n",
    "emoji 🗓️ and ‘quotes’ — dashes\u00a0nbsp\n",
]


def parse(raw: bytes) -> EmailMessage:
    """As a mail reader sees it (the parser keeps CRLF in bodies: readers get LF bytes)."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def lines_of(raw: bytes) -> list[bytes]:
    assert raw.endswith(b"\r\n")
    body = raw[:-2].split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in body), "bare CR or LF"
    return body


@pytest.mark.parametrize("text", TEXTS)
def test_quoted_printable_decodes_to_the_text_with_normalised_line_ends(text: str) -> None:
    encoded = quoted_printable(text)
    for line in lines_of(encoded):
        assert len(line) <= 76 and line.isascii()
    expected = "\n".join(text.splitlines()) + "\n"
    import quopri

    assert quopri.decodestring(encoded.replace(b"\r\n", b"\n")).decode() == expected


@pytest.mark.parametrize("text", TEXTS)
def test_a_message_reads_back_as_what_was_rendered(text: str) -> None:
    html = "<p>" + text.replace("\n", "<br>") + "</p>"
    ics = deadline_ics(
        uid="kozlov.parole.in_force@court-deadline-monitor",
        day=date(2016, 8, 19),
        summary="Решение вступает в силу: Козлов",
        description="Капшагайский городской суд\n\n" + text,
        url="https://example.org/a?b=c",
        stamp=NOW,
        sequence=3,
    )
    built = build_raw(
        Rendered("Последний день: " + text.splitlines()[0][:40], text, html),
        sender="Мониторинг сроков <monitor@example.org>",
        to_name="Анна Адвокат",
        to_email="anna@example.org",
        message_id="<m1@court-deadline-monitor>",
        date_header=NOW,
        ics=ics,
        ics_name="kozlov-in_force.ics",
        extra_headers={"List-Unsubscribe": "<https://monitor.example.org/u/" + "t" * 120 + ">"},
        reply_to=[("Ольга Оператор", "olga@example.org")],
    )
    for line in lines_of(built.raw):
        assert len(line) <= 998 and line.isascii()
    message = parse(built.unix())
    assert built.sender == "monitor@example.org" and built.recipients == ("anna@example.org",)
    assert str(message["Subject"]) == clean("Последний день: " + text.splitlines()[0][:40])
    assert str(message["To"]) == "Анна Адвокат <anna@example.org>"
    assert str(message["Reply-To"]) == "Ольга Оператор <olga@example.org>"
    assert message["Message-ID"] == "<m1@court-deadline-monitor>"
    assert message["List-Unsubscribe"] == "<https://monitor.example.org/u/" + "t" * 120 + ">"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/mixed"
    alternative, calendar = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, rich = alternative.iter_parts()
    normalised = "\n".join(text.splitlines()) + "\n"
    assert plain.get_content() == normalised
    assert rich.get_content() == "\n".join(html.splitlines()) + "\n"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == "kozlov-in_force.ics"
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_payload(decode=True) == ics
    assert message.defects == [] and all(not part.defects for part in message.walk())


def test_without_attachments_the_message_is_the_alternative_itself() -> None:
    built = build_raw(
        Rendered("Test", "text\n", "<p>html</p>\n"),
        sender="monitor@example.org",
        to_name="",
        to_email="anna@example.org",
        message_id="<m2@x>",
        date_header=NOW,
    )
    message = parse(built.raw)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_a_filename_that_is_not_plain_ascii_is_written_as_rfc_2231() -> None:
    built = assemble(
        ["Subject: x"],
        text="t",
        html="h",
        calendars=[(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 'дело "1".ics')],
    )
    _, calendar = parse(built.replace(b"\r\n", b"\n")).iter_parts()
    assert calendar.get_filename() == 'дело "1".ics'


def test_boundaries_differ_between_messages_and_never_occur_in_a_body() -> None:
    first = assemble(["Subject: x"], text="=_" * 50, html="--=_")
    second = assemble(["Subject: x"], text="=_" * 50, html="--=_")
    boundary = parse(first).get_boundary()
    assert boundary and boundary.startswith("=_") and boundary != parse(second).get_boundary()
    # The header, two parts and the end: nothing in a body.
    assert first.count(boundary.encode()) == 4
