"""The audit log: one row per thing that happened, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from monitor.models import Case, Decision, Event, Source

CASE_ADDED = "case_added"
CASE_CHANGED = "case_changed"
CASE_ARCHIVED = "case_archived"
CASE_RESTORED = "case_restored"
DECISION_ADDED = "decision_added"
DECISION_CHANGED = "decision_changed"
DECISION_ARCHIVED = "decision_archived"
DEADLINE_COMPUTED = "deadline_computed"
DEADLINE_MOVED = "deadline_moved"
FACT_RECORDED = "fact_recorded"
REMINDERS_CANCELLED = "reminders_cancelled"
REMINDERS_SKIPPED = "reminders_skipped"
DECISION_FOUND = "decision_found"
CONFLICT = "conflict"
SOURCE_DOWN = "source_down"
SOURCE_RECOVERED = "source_recovered"
SOURCE_BROKEN = "source_broken"
DELIVERY_FAILED = "delivery_failed"
NOTIFICATION_RETRIED = "notification_retried"
# Answers from signed email links, and their undoing; each one is news for the operators.
RECORDED_FROM_EMAIL = "recorded_from_email"
FACT_CLEARED = "fact_cleared"
DEADLINE_ACKNOWLEDGED = "deadline_acknowledged"
UNSUBSCRIBED = "unsubscribed"
CONFIG_BROKEN = "config_broken"


def record_event(
    session: Session,
    now: datetime,
    kind: str,
    message: str,
    *,
    case: Case | None = None,
    decision: Decision | None = None,
    source: Source | None = None,
    case_id: int | None = None,
    **data: Any,
) -> Event:
    if case_id is None:
        case_id = case.id if case else (decision.case_id if decision else None)
    event = Event(
        at=now,
        kind=kind,
        case_id=case_id,
        decision_id=decision.id if decision else None,
        source_id=source.id if source else None,
        message=message,
        data=data,
    )
    session.add(event)
    return event
