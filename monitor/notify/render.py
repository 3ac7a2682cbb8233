"""Rendering: (kind, context) in, an email out. Pure: no database, no network, no clock.

One Jinja2 environment; HTML autoescaped; StrictUndefined so that a typo in a template is an
error, not an empty string. Each kind of email is a trio of templates: NAME.subject.txt,
NAME.txt and NAME.html.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.deadlines.reminders import REMINDER_KINDS
from monitor.notify.i18n import human_date, translator, when_words

MESSAGE_ID_DOMAIN = "court-deadline-monitor"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


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
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["human_date"] = human_date
    return env


def one_line(value: str) -> str:
    """Header-safe text: no CR, LF or other control characters, whatever the input."""
    return " ".join(_CONTROL.sub(" ", value).split())


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


def address(name: str, email: str) -> Address:
    username, _, domain = email.partition("@")
    return Address(
        display_name=one_line(name), username=one_line(username), domain=one_line(domain)
    )


def build_message(
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
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = one_line(rendered.subject)
    message["From"] = one_line(sender)
    message["To"] = address(to_name, to_email)
    message["Message-ID"] = one_line(message_id)
    message["Date"] = format_datetime(date_header)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (extra_headers or {}).items():
        message[name] = one_line(value)
    # Quoted-printable keeps the text readable in an .eml file and survives any relay.
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    attachments = [(ics, ics_name)] if ics is not None else []
    for body, name in [*attachments, *calendars]:
        message.add_attachment(
            body, maintype="text", subtype="calendar", filename=name, params={"method": "PUBLISH"}
        )
    return message


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
    """An all-day event on the deadline with an alarm at 09:00 the day before."""
    from icalendar import Alarm, Calendar, Event  # imported when first needed: start-up stays quick

    calendar = Calendar()
    calendar.add("prodid", "-//Court Deadline Monitor//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", one_line(summary))
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", one_line(summary))
    alarm.add("trigger", timedelta(hours=-15))
    event.add_component(alarm)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
