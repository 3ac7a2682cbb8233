"""The reminder plan: what is sent, to whom, at which instant; across time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from monitor.deadlines.reminders import (
    ADVOCATE,
    CONFIRM_EXECUTION,
    ESCALATION,
    EXECUTION_ESCALATION,
    IN_FORCE_REMINDER,
    OPERATOR,
    DecisionDeadlines,
    SubscriptionPlan,
    local_send_instant,
    plan_for_decision,
)

KOZLOV = DecisionDeadlines(
    case_key="kozlov",
    decision_key="release-2016-08-04",
    deadlines={
        "appeal_until": date(2016, 8, 19),
        "in_force": date(2016, 8, 20),
        "execution_due": date(2016, 8, 23),
    },
)
SUBS = [
    SubscriptionPlan("advocate", ADVOCATE, "Europe/Warsaw"),
    SubscriptionPlan("escalation", ESCALATION, "Asia/Almaty"),
    SubscriptionPlan("operator", OPERATOR, "Europe/Warsaw"),
]


def local_days(reminders: list, kind: str) -> list[date]:  # type: ignore[type-arg]
    return [
        r.send_at.astimezone(ZoneInfo("Europe/Warsaw")).date() for r in reminders if r.kind == kind
    ]


def test_example_plan_holds_the_reminders_the_issue_lists() -> None:
    plan = plan_for_decision(KOZLOV, SUBS)
    assert local_days(plan, IN_FORCE_REMINDER) == [date(2016, 8, d) for d in (13, 17, 19, 20)]
    assert [r.offset for r in plan if r.kind == IN_FORCE_REMINDER] == [7, 3, 1, 0]
    confirm = [r for r in plan if r.kind == CONFIRM_EXECUTION]
    assert [r.send_at for r in confirm] == [datetime(2016, 8, 21, 7, 0, tzinfo=UTC)]  # 09:00 CEST
    escalation = [r for r in plan if r.kind == EXECUTION_ESCALATION]
    assert [(r.contact_key, r.send_at) for r in escalation] == [
        ("escalation", datetime(2016, 8, 23, 3, 0, tzinfo=UTC))  # 09:00 in Almaty (UTC+6)
    ]
    assert not [r for r in plan if r.contact_key == "operator"]
    assert [r.send_at for r in plan] == sorted(r.send_at for r in plan)


def test_dedup_keys_are_stable_and_unique() -> None:
    first = plan_for_decision(KOZLOV, SUBS)
    second = plan_for_decision(KOZLOV, list(reversed(SUBS)))
    assert [r.dedup_key for r in first] == [r.dedup_key for r in second]
    assert len({r.dedup_key for r in first}) == len(first)
    assert first[0].dedup_key == "in_force_reminder:kozlov:release-2016-08-04:advocate:2016-08-20:7"


def test_a_moved_deadline_gives_new_keys() -> None:
    moved = DecisionDeadlines(
        "kozlov",
        "release-2016-08-04",
        {**KOZLOV.deadlines, "in_force": date(2016, 8, 22), "execution_due": date(2016, 8, 25)},
    )
    before = {r.dedup_key for r in plan_for_decision(KOZLOV, SUBS)}
    after = {r.dedup_key for r in plan_for_decision(moved, SUBS)}
    assert not before & after


def test_appeal_offsets_are_planned_only_when_asked() -> None:
    sub = SubscriptionPlan("advocate", ADVOCATE, "UTC", appeal_offsets=(2,))
    kinds = [(r.kind, r.deadline_date) for r in plan_for_decision(KOZLOV, [sub])]
    assert ("appeal_reminder", date(2016, 8, 19)) in kinds
    assert "appeal_reminder" not in {r.kind for r in plan_for_decision(KOZLOV, SUBS)}


def test_an_appeal_stops_everything_that_assumes_entry_into_force() -> None:
    appealed = DecisionDeadlines("kozlov", "d", KOZLOV.deadlines, appealed_on=date(2016, 8, 10))
    assert plan_for_decision(appealed, SUBS) == []


def test_an_execution_stops_the_confirmation_and_the_escalation() -> None:
    executed = DecisionDeadlines("kozlov", "d", KOZLOV.deadlines, executed_on=date(2016, 8, 20))
    kinds = {r.kind for r in plan_for_decision(executed, SUBS)}
    assert kinds == {IN_FORCE_REMINDER}


# Last Sunday of March 2016: 27 Mar; of October 2016: 30 Oct. Warsaw moves, Almaty does not.
@pytest.mark.parametrize(
    ("day", "warsaw_utc_hour"),
    [
        (date(2016, 3, 26), 8),  # CET, the day before the change
        (date(2016, 3, 27), 7),  # CEST from 02:00 that morning
        (date(2016, 3, 28), 7),
        (date(2016, 10, 29), 7),  # still CEST
        (date(2016, 10, 30), 8),  # CET from 03:00 that morning
        (date(2016, 10, 31), 8),
    ],
)
def test_nine_local_is_nine_local_across_dst(day: date, warsaw_utc_hour: int) -> None:
    warsaw = local_send_instant(day, time(9, 0), "Europe/Warsaw")
    almaty = local_send_instant(day, time(9, 0), "Asia/Almaty")
    assert warsaw == datetime(day.year, day.month, day.day, warsaw_utc_hour, tzinfo=UTC)
    assert warsaw.astimezone(ZoneInfo("Europe/Warsaw")).time() == time(9, 0)
    # Asia/Almaty was UTC+6 all year in 2016 (no DST since 2005).
    assert almaty == datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    assert almaty.astimezone(ZoneInfo("Asia/Almaty")).time() == time(9, 0)


def test_reminders_around_dst_change_go_out_at_nine_local() -> None:
    deadline = DecisionDeadlines("c", "d", {"in_force": date(2016, 3, 28)})
    subs = [
        SubscriptionPlan("w", ADVOCATE, "Europe/Warsaw"),
        SubscriptionPlan("a", ADVOCATE, "Asia/Almaty"),
    ]
    for reminder in plan_for_decision(deadline, subs):
        zone = ZoneInfo("Europe/Warsaw" if reminder.contact_key == "w" else "Asia/Almaty")
        assert reminder.send_at.tzinfo is UTC
        assert reminder.send_at.astimezone(zone).time() == time(9, 0)


def test_a_send_time_inside_the_spring_gap_lands_after_the_jump() -> None:
    # 02:30 does not exist in Warsaw on 27 Mar 2016; it is read with the winter offset.
    instant = local_send_instant(date(2016, 3, 27), time(2, 30), "Europe/Warsaw")
    assert instant == datetime(2016, 3, 27, 1, 30, tzinfo=UTC)
    assert instant.astimezone(ZoneInfo("Europe/Warsaw")).time() == time(3, 30)
