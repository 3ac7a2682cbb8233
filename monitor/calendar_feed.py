"""A contact's calendar feed: every deadline of their subscriptions as one iCalendar file.

The UIDs are those of the email attachments (``calendar_uid``), so a calendar that imported an
attachment and subscribes to the feed shows one entry, not two. Deadlines that will no longer
happen are kept with STATUS:CANCELLED, so subscribed calendars remove them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.notify.i18n import translator
from monitor.notify.render import calendar_uid, one_line
from monitor.queries import ContactDeadlines


def feed_ics(deadlines: ContactDeadlines, now: datetime) -> bytes:
    from icalendar import Calendar, Event  # imported when first needed: start-up stays quick

    t = translator(deadlines.language)
    calendar = Calendar()
    calendar.add("prodid", "-//Court Deadline Monitor//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Court deadlines: {one_line(deadlines.name)}")
    for item in deadlines.deadlines:
        event = Event()
        event.add("uid", calendar_uid(item.case_key, item.decision_key, item.kind))
        event.add("dtstamp", now)
        event.add("sequence", item.sequence)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + timedelta(days=1))
        event.add("summary", one_line(t(f"ics.summary.{item.kind}", label=item.case_label)))
        event.add("description", f"{item.case_title}\n{item.court}\n\n{item.explanation}")
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.source_url:
            event.add("url", item.source_url)
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
