"""The reminder plan: which emails follow from a decision's deadlines, to whom, and when.

Pure: deadlines and subscriptions in, reminders out. A reminder is sent on its day at the
contact's send hour in the contact's own time zone, computed as a UTC instant here.

Who gets what (by subscription role):
- advocate: reminders before ``in_force`` (default 7, 3, 1, 0 days), optional reminders before
  ``appeal_until``, and a request to confirm execution the day after ``in_force``;
- escalation: "execution not confirmed" on ``execution_due``;
- operator: none of these (operators hear about sources and delivery, planned elsewhere).

An appeal recorded stops everything that assumes the decision enters into force (the in-force
reminders, the confirmation and the escalation) and the appeal reminders (it was lodged). An
execution recorded stops the confirmation request and the escalation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from monitor.deadlines.rules import APPEAL_UNTIL, EXECUTION_DUE, IN_FORCE

DEFAULT_OFFSETS: tuple[int, ...] = (7, 3, 1, 0)
DEFAULT_SEND_TIME = time(9, 0)

IN_FORCE_REMINDER = "in_force_reminder"
APPEAL_REMINDER = "appeal_reminder"
CONFIRM_EXECUTION = "confirm_execution"
EXECUTION_ESCALATION = "execution_escalation"
REMINDER_KINDS = (IN_FORCE_REMINDER, APPEAL_REMINDER, CONFIRM_EXECUTION, EXECUTION_ESCALATION)

ADVOCATE = "advocate"
OPERATOR = "operator"
ESCALATION = "escalation"
ROLES = (ADVOCATE, OPERATOR, ESCALATION)


@dataclass(frozen=True)
class DecisionDeadlines:
    """A decision's deadlines and recorded facts, as the planner needs them."""

    case_key: str
    decision_key: str
    deadlines: dict[str, date]  # kind -> date
    appealed_on: date | None = None
    executed_on: date | None = None


@dataclass(frozen=True)
class SubscriptionPlan:
    contact_key: str
    role: str
    timezone: str
    send_time: time = DEFAULT_SEND_TIME
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    appeal_offsets: tuple[int, ...] = ()
    digest: bool = False


class Reminder(NamedTuple):
    """One email of the plan. A named tuple rather than a frozen dataclass: a first plan makes
    100,000 of them, and a tuple is made three times faster."""

    send_at: datetime  # UTC
    contact_key: str
    case_key: str
    decision_key: str
    deadline_kind: str
    deadline_date: date
    kind: str
    offset: int  # days before the deadline; negative = after
    dedup_key: str
    digest: bool = False  # sent within the contact's daily digest rather than alone


_BY_TIME = attrgetter("send_at", "dedup_key")


def last_useful_day(kind: str, deadline: date) -> date:
    """The last day on which a reminder still helps; after it, a late one is skipped.

    A reminder before a deadline is useless once the deadline has passed. The confirmation
    request stays useful for a week after entry into force, and the escalation for thirty
    days after execution was due: a release that has not happened is still news then.
    """
    if kind == CONFIRM_EXECUTION:
        return deadline + timedelta(days=7)
    if kind == EXECUTION_ESCALATION:
        return deadline + timedelta(days=30)
    return deadline


# Many reminders share a day, a send time and a zone (a first plan of 100,000 reminders has a
# few thousand distinct ones): the zone arithmetic is done once for each.
@lru_cache(maxsize=16384)
def local_send_instant(day: date, send_time: time, timezone: str) -> datetime:
    """``day`` at ``send_time`` on the contact's wall clock, as a UTC instant.

    A wall-clock time that does not exist (inside a spring-forward gap) is read with the
    offset in force before the gap, i.e. it lands just after the jump; one that exists twice
    (autumn fold) takes its first occurrence. Both only matter for send hours between 01:00
    and 04:00, but a contact may choose one.
    """
    local = datetime.combine(day, send_time, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def dedup_key_prefix(kind: str, case: str, decision: str, contact: str, deadline: date) -> str:
    """A reminder's dedup key is this prefix and its offset in days. Stable for the same
    inputs; a moved deadline gives a new key (and a new email)."""
    return f"{kind}:{case}:{decision}:{contact}:{deadline.isoformat()}:"


def _reminders(
    deadline: DecisionDeadlines,
    sub: SubscriptionPlan,
    deadline_kind: str,
    kind: str,
    offsets: Iterable[int],
) -> list[Reminder]:
    """One reminder per offset before one deadline. What they share (the date, the start of
    the dedup key) is computed once: a first plan makes 100,000 of them."""
    due = deadline.deadlines[deadline_kind]
    case, decision, contact = deadline.case_key, deadline.decision_key, sub.contact_key
    send_time, timezone, digest = sub.send_time, sub.timezone, sub.digest
    prefix = dedup_key_prefix(kind, case, decision, contact, due)
    return [
        Reminder(
            local_send_instant(due - timedelta(days=offset), send_time, timezone),
            contact,
            case,
            decision,
            deadline_kind,
            due,
            kind,
            offset,
            f"{prefix}{offset}",
            digest,
        )
        for offset in offsets
    ]


def plan_for_decision(
    deadline: DecisionDeadlines, subscriptions: Iterable[SubscriptionPlan]
) -> list[Reminder]:
    """Every reminder the decision calls for, sorted by send time."""
    appealed = deadline.appealed_on is not None
    executed = deadline.executed_on is not None
    has = deadline.deadlines
    out: list[Reminder] = []
    for sub in subscriptions:
        if sub.role == ADVOCATE and not appealed:
            if IN_FORCE in has:
                out += _reminders(deadline, sub, IN_FORCE, IN_FORCE_REMINDER, sub.offsets)
                if not executed:
                    out += _reminders(deadline, sub, IN_FORCE, CONFIRM_EXECUTION, (-1,))
            if APPEAL_UNTIL in has and sub.appeal_offsets:
                out += _reminders(deadline, sub, APPEAL_UNTIL, APPEAL_REMINDER, sub.appeal_offsets)
        elif sub.role == ESCALATION and not appealed and not executed and EXECUTION_DUE in has:
            out += _reminders(deadline, sub, EXECUTION_DUE, EXECUTION_ESCALATION, (0,))
    out.sort(key=_BY_TIME)
    return out
