"""Templates: words in both languages, strictness, grouping of alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from jinja2 import UndefinedError

from monitor.notify.i18n import human_date, plural_index, translator
from monitor.notify.render import deadline_ics, render


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (1, "через 1 день"),
        (2, "через 2 дня"),
        (5, "через 5 дней"),
        (11, "через 11 дней"),
        (21, "через 21 день"),
        (22, "через 22 дня"),
        (112, "через 112 дней"),
    ],
)
def test_russian_plural_forms(n: int, form: str) -> None:
    assert translator("ru")("when.days", n=n) == form


def test_english_plurals_and_dates() -> None:
    t = translator("en")
    assert t("when.days", n=1) == "in 1 day"
    assert t("when.days", n=3) == "in 3 days"
    assert human_date(date(2016, 8, 20), "en") == "Sat 20 Aug 2016"
    assert human_date(date(2016, 8, 20), "ru") == "сб, 20 августа 2016"
    assert plural_index("en", 0) == 1


def reminder_context(**overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "language": "en",
        "offset": 0,
        "contact_name": "Anna",
        "role": "advocate",
        "footer_case": "Case",
        "operators": [],
        "late_due": None,
        "has_ics": False,
        "case": {"label": "Kozlov", "title": "Case", "key": "k"},
        "decision": {
            "kind": "release",
            "court": "Court",
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
    context.update(overrides)
    return context


@pytest.mark.parametrize(
    ("offset", "subject"),
    [
        (0, "[Kozlov] Decision comes into force today: Sat 20 Aug 2016"),
        (1, "[Kozlov] Decision comes into force tomorrow: Sat 20 Aug 2016"),
        (3, "[Kozlov] Decision comes into force in 3 days: Sat 20 Aug 2016"),
    ],
)
def test_subject_says_what_and_when(offset: int, subject: str) -> None:
    assert render("in_force_reminder", reminder_context(offset=offset)).subject == subject


def test_a_missing_value_is_an_error_not_an_empty_string() -> None:
    context = reminder_context()
    del context["contact_name"]
    with pytest.raises(UndefinedError):
        render("in_force_reminder", context)


def test_unknown_decision_kinds_are_shown_as_they_are() -> None:
    context = reminder_context(
        decision={
            "kind": "house_arrest",
            "court": "C",
            "decided_on": date(2016, 8, 4),
            "quote": "",
            "source_url": None,
        }
    )
    assert "Decision: house arrest, C" in render("in_force_reminder", context).text


def alert_item(at: str, label: str, title: str, what: str) -> dict[str, object]:
    return {
        "at": at,
        "label": label,
        "title": title,
        "what": what,
        "decision": None,
        "deadlines": [],
        "source_url": None,
        "quote": "",
        "todo": "t",
        "details": None,
    }


def test_several_alerts_make_one_email_with_a_count() -> None:
    items = [
        alert_item("2016-08-05 10:00", "Kozlov", "A deadline moved", "m1"),
        alert_item("2016-08-05 10:01", "Kozlov", "Decision changed", "m2"),
    ]
    rendered = render(
        "alerts",
        {
            "language": "ru",
            "contact_name": "A",
            "role": "advocate",
            "footer_case": "",
            "operators": [],
            "items": items,
        },
    )
    # Grouped alerts name their case in the subject.
    assert rendered.subject == "[Kozlov] 2 оповещения"
    assert "m1" in rendered.text and "m2" in rendered.html


def test_ics_is_an_all_day_event_with_an_alarm() -> None:
    from icalendar import Calendar

    raw = deadline_ics(
        uid="u@x",
        day=date(2016, 8, 20),
        summary="S\r\nX: y",
        description="d",
        url=None,
        stamp=datetime(2016, 8, 13, tzinfo=UTC),
        sequence=3,
    )
    [event] = list(Calendar.from_ical(raw).walk("VEVENT"))
    assert event.decoded("dtstart") == date(2016, 8, 20)
    assert str(event["summary"]) == "S X: y"
    [alarm] = list(event.walk("VALARM"))
    assert str(alarm["action"]) == "DISPLAY"


ICS_TEXTS = [
    "plain",
    "Решение вступает в силу: Козлов",
    'specials ; , \\ and "quotes" and : colons',
    "line one\nline two\r\nline three\rfour",
    "й" * 200,
    "a" * 74 + "й" + "b" * 200,
    "emoji 🗓️ at the fold " + "x" * 60 + "🗓️" * 20,
    "",
]


@pytest.mark.parametrize("text", ICS_TEXTS)
def test_ics_reads_back_in_icalendar_as_the_library_itself_would_write_it(text: str) -> None:
    """The event is written by hand (speed); read by ``icalendar``, it must hold exactly what
    the library's own writer would have put there, and keep RFC 5545's line rules."""
    from icalendar import Alarm, Calendar, Event

    fields = {
        "uid": "kozlov.parole.in_force@court-deadline-monitor",
        "day": date(2016, 8, 19),
        "summary": "Срок: " + text[:80],
        "description": f"Капшагайский городской суд\n\n{text}",
        "url": "https://example.org/news?id=1,2;3",
        "stamp": datetime(2016, 8, 5, 7, 0, tzinfo=UTC),
        "sequence": 24_000_000,
    }
    ours = deadline_ics(**fields)  # type: ignore[arg-type]
    reference = Calendar()
    for key, value in (
        ("prodid", "-//Court Deadline Monitor//EN"),
        ("version", "2.0"),
        ("method", "PUBLISH"),
    ):
        reference.add(key, value)
    event = Event()
    event.add("uid", fields["uid"])
    event.add("dtstamp", fields["stamp"])
    event.add("sequence", fields["sequence"])
    event.add("dtstart", fields["day"])
    event.add("dtend", date(2016, 8, 20))
    event.add("summary", " ".join(str(fields["summary"]).split()))
    event.add("description", fields["description"])
    event.add("transp", "TRANSPARENT")
    event.add("url", fields["url"])
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", " ".join(str(fields["summary"]).split()))
    alarm.add("trigger", timedelta(hours=-15))
    event.add_component(alarm)
    reference.add_component(event)

    def facts(raw: bytes) -> list[tuple[str, dict[str, str]]]:
        return [
            (part.name, {key: part[key].to_ical().decode() for key in part})
            for part in Calendar.from_ical(raw).walk()
        ]

    assert facts(ours) == facts(reference.to_ical())
    [parsed] = list(Calendar.from_ical(ours).walk("VEVENT"))
    description = str(fields["description"]).replace("\r\n", "\n").replace("\r", "\n")
    assert str(parsed["description"]) == description
    assert ours.endswith(b"\r\n") and b"\n" not in ours.replace(b"\r\n", b"")
    for line in ours.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")  # never cut inside a character


def test_alerts_about_several_cases_name_each_case_once_in_the_subject() -> None:
    items = [
        alert_item("2016-08-05 10:00", "Kozlov", "A deadline moved", "m1"),
        alert_item("2016-08-05 10:01", "Petrov", "Decision changed", "m2"),
        alert_item("2016-08-05 10:02", "Kozlov", "Source down", "m3"),
        alert_item("2016-08-05 10:03", "", "Reminders skipped", "m4"),
    ]
    context = {
        "language": "en",
        "contact_name": "A",
        "role": "operator",
        "footer_case": "",
        "operators": [],
        "items": items,
    }
    assert render("alerts", context).subject == "[Kozlov, Petrov] 4 alerts"
