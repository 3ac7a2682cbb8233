"""How dates are written for people: ``Thu 4 Aug 2016``, never in a locale we did not choose."""

from __future__ import annotations

from datetime import date

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human(day: date) -> str:
    """``Thu 4 Aug 2016``: weekday first, because the weekday is what moves deadlines."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def weekday_name(day: date) -> str:
    return _LONG_DAYS[day.weekday()]


def parse_iso_date(text: str) -> date:
    """A strict ``YYYY-MM-DD``; raises ValueError with a message a person can act on."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None
