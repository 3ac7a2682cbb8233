"""Rendering: (kind, context) in, an email out. Pure: no database, no network, no clock.

One Jinja2 environment; HTML autoescaped; StrictUndefined so that a typo in a template is an
error, not an empty string. Each kind of email is a trio of templates: NAME.subject.txt,
NAME.txt and NAME.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.deadlines.reminders import REMINDER_KINDS
from monitor.notify.headers import clean, folded_addresses, unstructured
from monitor.notify.i18n import human_date, translator, when_words
from monitor.notify.mime import Built, assemble

MESSAGE_ID_DOMAIN = "court-deadline-monitor"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        # The templates ship with the package: no need to look at their files again.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["human_date"] = human_date
    env.filters["is_web_url"] = is_web_url
    return env


def is_web_url(value: object) -> bool:
    """Only http and https addresses become links (a source may hand us ``javascript:``)."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return (
        parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and value == clean(value)
    )


def one_line(value: str) -> str:
    """Header-safe text: no CR, LF or other control characters, no encoded-word syntax."""
    return clean(value)


def template_name(kind: str) -> str:
    return "reminder" if kind in REMINDER_KINDS else kind


def render(kind: str, context: dict[str, Any]) -> Rendered:
    """Render the trio for ``kind``. ``context["language"]`` picks the words."""
    language = context.get("language", "en")
    values = {"t": translator(language), "kind": kind, "language": language, **context}
    if kind in REMINDER_KINDS:
        values.setdefault("when", when_words(max(int(values["offset"]), 0), language))
    name = template_name(kind)
    env = environment()
    subject = one_line(env.get_template(f"{name}.subject.txt").render(values))
    values["subject"] = subject
    text = env.get_template(f"{name}.txt").render(values)
    html = env.get_template(f"{name}.html").render(values)
    return Rendered(subject=subject, text=text, html=html)


@lru_cache(maxsize=64)
def split_address(value: str) -> tuple[str, str]:
    """``Name <a@b>`` (as settings and config write a sender) into its display name and address."""
    name, email = parseaddr(one_line(value))
    return name, email or one_line(value)


def _plain(name: str, value: str) -> str:
    """A header whose value is an ASCII token list (Message-ID, Date, List-Unsubscribe): kept
    as written, folded only at its own spaces; anything else is encoded as text."""
    value = one_line(value)
    if not value.isascii():
        return unstructured(name, value)
    lines = [f"{name}:"]
    for index, word in enumerate(value.split(" ")):
        candidate = f"{lines[-1]} {word}"
        if len(candidate) <= 76 or index == 0:
            lines[-1] = candidate
        else:
            lines.append(f" {word}")
    return "\n".join(lines)


def build_raw(
    rendered: Rendered,
    *,
    sender: str,
    to_name: str,
    to_email: str,
    message_id: str,
    date_header: datetime,
    ics: bytes | None = None,
    ics_name: str = "deadline.ics",
    extra_headers: dict[str, str] | None = None,
    calendars: Sequence[tuple[bytes, str]] = (),
    reply_to: Sequence[tuple[str, str]] = (),
) -> Built:
    """The email as sent, as bytes. Subject, From, To and Reply-To are encoded by ``headers``:
    they decode to exactly the text rendered, and nothing in a name can add a header line."""
    from_address = split_address(sender)
    lines = [
        unstructured("Subject", rendered.subject),
        folded_addresses("From", [from_address]),
        folded_addresses("To", [(to_name, to_email)]),
    ]
    if reply_to:
        lines.append(folded_addresses("Reply-To", reply_to))
    lines.append(_plain("Message-ID", message_id))
    lines.append(_plain("Date", format_datetime(date_header)))
    lines.append("Auto-Submitted: auto-generated")
    extra = {name: one_line(value) for name, value in (extra_headers or {}).items()}
    lines.extend(_plain(name, value) for name, value in extra.items())
    attachments = [(ics, ics_name)] if ics is not None else []
    raw = assemble(
        lines, text=rendered.text, html=rendered.html, calendars=[*attachments, *calendars]
    )
    return Built(
        raw=raw,
        sender=from_address[1],
        recipients=(to_email,),
        message_id=one_line(message_id),
        headers=extra,
    )


def build_message(rendered: Rendered, **fields: Any) -> EmailMessage:
    """The email as an object, for senders that are not the dispatcher (a login link, a test
    email): the same bytes as :func:`build_raw`, parsed back."""
    return build_raw(rendered, **fields).message


def calendar_uid(case_key: str, decision_key: str, deadline_kind: str) -> str:
    """Stable per deadline: a moved date updates the same calendar entry."""
    return f"{case_key}.{decision_key}.{deadline_kind}@{MESSAGE_ID_DOMAIN}"


def deadline_ics(
    *,
    uid: str,
    day: date,
    summary: str,
    description: str,
    url: str | None,
    stamp: datetime,
    sequence: int,
) -> bytes:
    """An all-day event on the deadline with an alarm at 09:00 the day before (RFC 5545).

    Written line by line rather than through ``icalendar`` (which the calendar feed uses):
    one small fixed shape, attached to every reminder, where building the library's component
    tree cost more than the rest of the email. Tests read it back with ``icalendar``."""
    title = _ics_text(one_line(summary))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Court Deadline Monitor//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"SUMMARY:{title}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        f"DTSTAMP:{stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"UID:{_ics_text(one_line(uid))}",
        f"SEQUENCE:{int(sequence)}",
        f"DESCRIPTION:{_ics_text(description)}",
        "TRANSP:TRANSPARENT",
        *([f"URL:{one_line(url)}"] if url else []),
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{title}",
        "TRIGGER:-PT15H",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(_ics_fold(line) for line in lines)


def _ics_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, line breaks."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> bytes:
    """One content line, folded at 75 octets (continuation lines start with a space) and
    never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    pieces = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character: back up
            end -= 1
        pieces.append(data[start:end])
        start, limit = end, 74
    return b"\r\n ".join(pieces) + b"\r\n"
