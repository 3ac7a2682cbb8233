"""Properties that must hold for every trigger date, not just the ones we thought of."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.deadlines.calendars import CourtCalendar
from monitor.deadlines.dates import human
from monitor.deadlines.rules import APPEAL_UNTIL, IN_FORCE, compute, preset

RULES = st.sampled_from(
    [
        ("kz-criminal-appeal-15d", "KZ"),
        ("echr-chamber-final", "ECHR"),
        ("us-frcp-days:14", "US"),
        ("us-frcp-days:30", "US"),
        ("calendar-days:10", "RU"),
        ("working-days:5", "KZ"),
        ("working-days:10", "PL"),
        ("weeks:2", "PL"),
        ("months:1", "KZ"),
        ("months:3", "RU"),
        ("years:1", "US"),
    ]
)
TRIGGERS = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
CALENDARS: dict[str, CourtCalendar] = {}


def calendar(code: str) -> CourtCalendar:
    if code not in CALENDARS:
        CALENDARS[code] = CourtCalendar(code)
    return CALENDARS[code]


@settings(max_examples=300, deadline=None)
@given(RULES, TRIGGERS)
def test_a_rolled_forward_last_day_is_always_a_working_day(
    rule_and_code: tuple[str, str], trigger: date
) -> None:
    name, code = rule_and_code
    rule = preset(name)
    result = {d.kind: d for d in compute(rule, trigger, calendar(code))}
    if rule.roll == "forward":
        assert calendar(code).is_working_day(result[APPEAL_UNTIL].date)
    assert result[APPEAL_UNTIL].date > trigger
    assert result[IN_FORCE].date > trigger


@settings(max_examples=300, deadline=None)
@given(RULES, TRIGGERS, st.integers(min_value=1, max_value=60))
def test_a_later_trigger_never_gives_an_earlier_deadline(
    rule_and_code: tuple[str, str], trigger: date, later_by: int
) -> None:
    name, code = rule_and_code
    rule = preset(name)
    later = date.fromordinal(trigger.toordinal() + later_by)
    first = {d.kind: d.date for d in compute(rule, trigger, calendar(code), grace_days=3)}
    second = {d.kind: d.date for d in compute(rule, later, calendar(code), grace_days=3)}
    for kind, day in first.items():
        assert second[kind] >= day, (kind, trigger, later)


@settings(max_examples=300, deadline=None)
@given(RULES, TRIGGERS, st.one_of(st.none(), st.integers(min_value=0, max_value=30)))
def test_every_explanation_mentions_its_final_date(
    rule_and_code: tuple[str, str], trigger: date, grace: int | None
) -> None:
    name, code = rule_and_code
    for deadline in compute(preset(name), trigger, calendar(code), grace_days=grace):
        assert human(deadline.date) in deadline.explanation
        assert human(trigger) in deadline.explanation or deadline.kind == "execution_due"
