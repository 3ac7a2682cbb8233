"""The Kazakh preset: what the Criminal Procedure Code of 2014 says, and how sure we are."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.deadlines.calendars import CourtCalendar
from monitor.deadlines.rules import APPEAL_UNTIL, IN_FORCE, ComputedDeadline, compute, preset

KZ = preset("kz-criminal-appeal-15d")


def kz(trigger: date) -> dict[str, ComputedDeadline]:
    return {d.kind: d for d in compute(KZ, trigger, CourtCalendar("KZ"))}


def test_kozlov_dates_stand_with_the_corrected_citations() -> None:
    got = kz(date(2016, 8, 4))
    assert got[APPEAL_UNTIL].date == date(2016, 8, 19)
    assert got[IN_FORCE].date == date(2016, 8, 20)


def test_preset_cites_article_418_for_the_period_48_for_counting_and_470_for_force() -> None:
    assert KZ.citation == "CrPC of Kazakhstan art. 418 part 1, art. 48 parts 2-4, art. 470 part 1"
    text = kz(date(2016, 8, 4))[APPEAL_UNTIL].explanation
    assert "art. 418 part 1" in text
    assert "415" not in text and "art. 49" not in text


def test_last_day_to_appeal_is_certain_because_the_roll_is_the_laws_own_words() -> None:
    got = kz(date(2016, 8, 5))  # day 15 is Sat 20 Aug 2016: rolls to Mon 22 Aug
    assert got[APPEAL_UNTIL].date == date(2016, 8, 22)
    assert got[APPEAL_UNTIL].uncertain is False
    assert "Uncertain" not in got[APPEAL_UNTIL].explanation


def test_in_force_the_day_after_is_flagged_as_our_reading_of_po_istechenii() -> None:
    got = kz(date(2016, 8, 4))[IN_FORCE]
    assert got.uncertain is True
    assert "по истечении срока" in got.explanation
    assert "our reading" in got.explanation


@pytest.mark.parametrize(
    ("trigger", "appeal_until"),
    [
        # Day 15 is Wed 27 May 2026, the estimated first day of Kurban Ait: rolls to Thu 28.
        (date(2026, 5, 12), date(2026, 5, 28)),
        # Day 15 is Tue 26 May 2026, the day before the estimated holiday: it may yet move.
        (date(2026, 5, 11), date(2026, 5, 26)),
    ],
)
def test_date_depending_on_an_estimated_holiday_is_uncertain(
    trigger: date, appeal_until: date
) -> None:
    got = kz(trigger)[APPEAL_UNTIL]
    assert got.date == appeal_until
    assert got.uncertain is True
    assert "estimated by the calendar" in got.explanation


def test_decreed_kurban_ait_does_not_make_a_date_uncertain() -> None:
    # Day 15 is Mon 12 Sep 2016, Kurban Ait as decreed: rolls to Tue 13 Sep, and is certain.
    got = kz(date(2016, 8, 28))[APPEAL_UNTIL]
    assert got.date == date(2016, 9, 13)
    assert got.uncertain is False


def test_kurban_ait_on_a_sunday_is_not_moved_to_monday() -> None:
    # Sun 11 Aug 2019: the first day of Kurban Ait, not carried over (Labour Code art. 84).
    calendar = CourtCalendar("KZ")
    assert not calendar.is_working_day(date(2019, 8, 11))
    assert calendar.is_working_day(date(2019, 8, 12))
    # Day 15 on that Sunday: the last day is Mon 12 Aug.
    assert kz(date(2019, 7, 27))[APPEAL_UNTIL].date == date(2019, 8, 12)
