"""The dates the product exists for, checked against the law and the courts' own records."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.deadlines.calendars import CourtCalendar
from monitor.deadlines.rules import (
    APPEAL_UNTIL,
    EXECUTION_DUE,
    IN_FORCE,
    compute,
    decision_deadlines,
    preset,
)
from monitor.errors import RuleError


def dates(
    rule: str, trigger: date, jurisdiction: str | None = None, **kw: object
) -> dict[str, date]:
    r = preset(rule)
    calendar = CourtCalendar(jurisdiction or r.jurisdiction or "KZ")
    return {d.kind: d.date for d in compute(r, trigger, calendar, **kw)}  # type: ignore[arg-type]


def explanations(rule: str, trigger: date, jurisdiction: str | None = None) -> dict[str, str]:
    r = preset(rule)
    calendar = CourtCalendar(jurisdiction or r.jurisdiction or "KZ")
    return {d.kind: d.explanation for d in compute(r, trigger, calendar)}


@pytest.mark.parametrize(
    ("rule", "trigger", "jurisdiction", "appeal_until", "in_force"),
    [
        # The example: decision Thu 4 Aug 2016; appeal until Fri 19 Aug; in force Sat 20 Aug.
        ("kz-criminal-appeal-15d", date(2016, 8, 4), None, date(2016, 8, 19), date(2016, 8, 20)),
        # Day 15 on a Saturday (Sat 20 Aug 2016): rolls over the weekend to Mon 22 Aug.
        ("kz-criminal-appeal-15d", date(2016, 8, 5), None, date(2016, 8, 22), date(2016, 8, 23)),
        # Day 15 is Capital Day, Wed 6 Jul 2016: appeal until Thu 7 Jul.
        ("kz-criminal-appeal-15d", date(2016, 6, 21), None, date(2016, 7, 7), date(2016, 7, 8)),
        # Day 15 is Mon 7 Mar 2016, a transferred day off, then 8 Mar: appeal until Wed 9 Mar.
        ("kz-criminal-appeal-15d", date(2016, 2, 21), None, date(2016, 3, 9), date(2016, 3, 10)),
        # ECHR: 26 Feb 2002 final on Sun 26 May 2002, no roll for the weekend.
        ("echr-chamber-final", date(2002, 2, 26), None, date(2002, 5, 25), date(2002, 5, 26)),
        ("echr-chamber-final", date(2004, 7, 1), None, date(2004, 9, 30), date(2004, 10, 1)),
        # ECHR: no 31 June, the records give 1 July.
        ("echr-chamber-final", date(2005, 3, 31), None, date(2005, 6, 30), date(2005, 7, 1)),
        # FRCP 6(a)(1): 14 days from Fri 5 Jun 2026 end on Juneteenth, Fri 19 Jun: Mon 22 Jun.
        ("us-frcp-days:14", date(2026, 6, 5), None, date(2026, 6, 22), date(2026, 6, 23)),
        # Month arithmetic clips: 31 Jan + 1 month is 29 Feb in a leap year...
        ("months:1", date(2016, 1, 31), "KZ", date(2016, 2, 29), date(2016, 3, 1)),
        # ...and 28 Feb otherwise, a Tuesday in 2017.
        ("months:1", date(2017, 1, 31), "PL", date(2017, 2, 28), date(2017, 3, 1)),
        # Working days in Kazakhstan count the working Saturday 5 Mar 2016 and skip 7 and 8 Mar.
        ("working-days:4", date(2016, 3, 2), "KZ", date(2016, 3, 9), date(2016, 3, 10)),
        ("calendar-days:10", date(2016, 8, 4), "RU", date(2016, 8, 15), date(2016, 8, 16)),
        ("weeks:2", date(2016, 8, 4), "PL", date(2016, 8, 18), date(2016, 8, 19)),
        ("years:1", date(2016, 2, 29), "PL", date(2017, 2, 28), date(2017, 3, 1)),
    ],
)
def test_rule_gives_the_dates_the_law_gives(
    rule: str, trigger: date, jurisdiction: str | None, appeal_until: date, in_force: date
) -> None:
    got = dates(rule, trigger, jurisdiction)
    assert got[APPEAL_UNTIL] == appeal_until
    assert got[IN_FORCE] == in_force


def test_kozlov_explanation_reads_as_the_issue_states() -> None:
    text = explanations("kz-criminal-appeal-15d", date(2016, 8, 4))
    assert text[APPEAL_UNTIL].startswith(
        "decision pronounced Thu 4 Aug 2016; 15 days counted from Fri 5 Aug 2016;"
        " day 15 is Fri 19 Aug 2016; Fri 19 Aug 2016 is a working day in Kazakhstan:"
        " last day to appeal is Fri 19 Aug 2016 (kz-criminal-appeal-15d: CrPC of Kazakhstan art. 418 part 1, art. 48 parts 2-4, art. 470 part 1)."
    )
    assert "in force on Sat 20 Aug 2016, the day after the period runs out" in text[IN_FORCE]
    # The roll is the law's own words (art. 48 part 4); only "in force the day after" is ours.
    assert "Uncertain" not in text[APPEAL_UNTIL]
    assert "Uncertain: art. 470 part 1" in text[IN_FORCE]


def test_saturday_end_names_the_weekend() -> None:
    text = explanations("kz-criminal-appeal-15d", date(2016, 8, 5))[APPEAL_UNTIL]
    assert "Sat 20 Aug 2016 is a Saturday" in text
    assert "Sun 21 Aug 2016 is a Sunday" in text
    assert "moves to Mon 22 Aug 2016" in text


def test_public_holiday_end_names_the_holiday() -> None:
    text = explanations("kz-criminal-appeal-15d", date(2016, 6, 21))[APPEAL_UNTIL]
    assert "Wed 6 Jul 2016 is Capital Day, a public holiday" in text
    assert "moves to Thu 7 Jul 2016" in text


def test_transferred_day_off_is_named_with_the_day_it_came_from() -> None:
    text = explanations("kz-criminal-appeal-15d", date(2016, 2, 21))[APPEAL_UNTIL]
    assert "Mon 7 Mar 2016 is a transferred day off, moved from Sat 5 Mar 2016" in text
    assert "Tue 8 Mar 2016 is International Women's Day, a public holiday" in text
    assert "moves to Wed 9 Mar 2016" in text


def test_working_saturday_is_counted_and_said() -> None:
    text = explanations("working-days:4", date(2016, 3, 2), "KZ")[APPEAL_UNTIL]
    assert "Sat 5 Mar 2016 counted: a working Saturday" in text
    assert "not counted: Sun 6 Mar 2016 (a Sunday), Mon 7 Mar 2016 (a transferred day off" in text


def test_working_days_without_the_working_saturday_would_end_later() -> None:
    # The same count in Poland, where 5 Mar 2016 is an ordinary Saturday.
    assert dates("working-days:4", date(2016, 3, 2), "PL")[APPEAL_UNTIL] == date(2016, 3, 8)


def test_month_clipping_is_explained() -> None:
    text = explanations("months:1", date(2016, 1, 31), "KZ")[APPEAL_UNTIL]
    assert (
        "the target month has no day 31, so the period ends on its last day, Mon 29 Feb 2016"
        in text
    )


def test_echr_weekend_final_date_is_not_moved_and_appeal_is_an_estimate() -> None:
    text = explanations("echr-chamber-final", date(2002, 2, 26))
    assert "Sun 26 May 2002 is a Sunday; this rule does not move the date" in text[IN_FORCE]
    assert "an estimate" in text[APPEAL_UNTIL]
    assert "a single data point" in explanations("echr-chamber-final", date(2005, 3, 31))[IN_FORCE]


def test_frcp_names_juneteenth_and_the_weekend() -> None:
    text = explanations("us-frcp-days:14", date(2026, 6, 5))[APPEAL_UNTIL]
    assert "Fri 19 Jun 2026 is Juneteenth National Independence Day, a public holiday" in text
    assert "Sat 20 Jun 2026 is a Saturday" in text
    assert "Fed. R. Civ. P. 6(a)(1)" in text


def test_execution_due_is_in_force_plus_grace_in_calendar_days() -> None:
    got = dates("kz-criminal-appeal-15d", date(2016, 8, 4), grace_days=3)
    assert got[EXECUTION_DUE] == date(2016, 8, 23)


def test_explicit_in_force_wins_and_says_it_was_given() -> None:
    result = compute(
        preset("kz-criminal-appeal-15d"),
        date(2016, 8, 4),
        CourtCalendar("KZ"),
        explicit_in_force=date(2016, 8, 22),
        grace_days=3,
    )
    by_kind = {d.kind: d for d in result}
    assert by_kind[IN_FORCE].date == date(2016, 8, 22)
    assert "given in config, not computed" in by_kind[IN_FORCE].explanation
    assert "the rule would give Sat 20 Aug 2016" in by_kind[IN_FORCE].explanation
    assert by_kind[EXECUTION_DUE].date == date(2016, 8, 25)


def test_court_closure_from_config_moves_the_last_day() -> None:
    calendar = CourtCalendar("KZ", closures={date(2016, 8, 19): "court closed for renovation"})
    result = {
        d.kind: d for d in compute(preset("kz-criminal-appeal-15d"), date(2016, 8, 4), calendar)
    }
    assert result[APPEAL_UNTIL].date == date(2016, 8, 22)
    assert "the court is closed (court closed for renovation)" in result[APPEAL_UNTIL].explanation


def test_extra_working_day_from_config_stops_the_roll() -> None:
    calendar = CourtCalendar("KZ", extra_working_days={date(2016, 8, 20): "Saturday session"})
    assert {
        d.kind: d.date
        for d in compute(preset("kz-criminal-appeal-15d"), date(2016, 8, 5), calendar)
    }[APPEAL_UNTIL] == date(2016, 8, 20)


def test_served_trigger_counts_from_service() -> None:
    result = decision_deadlines(
        rule_name="kz-criminal-appeal-15d",
        rule_options={"counts_from": "served"},
        decided_on=date(2016, 8, 4),
        served_on=date(2016, 8, 8),
        calendar=CourtCalendar("KZ"),
        grace_days=None,
        explicit_in_force=None,
    )
    by_kind = {d.kind: d for d in result}
    assert by_kind[APPEAL_UNTIL].date == date(2016, 8, 23)
    assert by_kind[APPEAL_UNTIL].explanation.startswith(
        "decision of Thu 4 Aug 2016 served Mon 8 Aug 2016"
    )
    assert "counts_from=served" in by_kind[APPEAL_UNTIL].rule


def test_roll_none_option_keeps_a_weekend_end() -> None:
    rule = preset("calendar-days:15").with_options({"roll": "none"})
    result = {d.kind: d.date for d in compute(rule, date(2016, 8, 5), CourtCalendar("KZ"))}
    assert result[APPEAL_UNTIL] == date(2016, 8, 20)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("kz-civil-30d", "unknown rule 'kz-civil-30d'"),
        ("calendar-days:0", "unknown rule"),
        ("months:x", "unknown rule"),
    ],
)
def test_unknown_rule_is_refused_with_the_list_of_known_ones(name: str, message: str) -> None:
    with pytest.raises(RuleError, match=message) as info:
        preset(name)
    assert "kz-criminal-appeal-15d" in str(info.value)


def test_preset_refuses_a_foreign_calendar() -> None:
    with pytest.raises(RuleError, match="is for jurisdiction KZ, not RU"):
        compute(preset("kz-criminal-appeal-15d"), date(2016, 8, 4), CourtCalendar("RU"))


def test_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(RuleError, match="not a jurisdiction the monitor knows"):
        CourtCalendar("XX")


def test_a_decision_without_a_rule_has_only_what_the_source_stated() -> None:
    stated = decision_deadlines(
        rule_name="",
        rule_options={},
        decided_on=date(2016, 8, 4),
        served_on=None,
        calendar=CourtCalendar("KZ"),
        grace_days=3,
        explicit_in_force=date(2016, 8, 20),
    )
    assert [(d.kind, d.date) for d in stated] == [
        (IN_FORCE, date(2016, 8, 20)),
        (EXECUTION_DUE, date(2016, 8, 23)),
    ]
    assert "stated in the source, not computed" in stated[0].explanation
    nothing = decision_deadlines(
        rule_name="",
        rule_options={},
        decided_on=date(2016, 8, 4),
        served_on=None,
        calendar=CourtCalendar("KZ"),
        grace_days=None,
        explicit_in_force=None,
    )
    assert nothing == []
