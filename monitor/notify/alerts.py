"""Alerts: events that someone must hear about, turned into outbox rows for the right people.

Who hears what, by subscription role:
- advocates: a decision found or changed, a deadline moved, a fact recorded (their case's);
- operators: decisions found, conflicts between sources, sources down / recovered / broken,
  delivery failures, skipped reminders (their case's; events without a case go to every
  operator);
- escalation contacts get "execution not confirmed", which is a planned reminder, not an alert.

Grouping: an alert row is due ``group_window`` after its event; the dispatcher sends every
due alert row of one contact as one email, so a burst of events becomes one message.
The event's ``alerted_at`` is the cursor: each event is considered once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import events
from monitor.deadlines.reminders import ADVOCATE, OPERATOR
from monitor.models import Case, Contact, Event, Subscription
from monitor.notify.plan import insert_ignoring_duplicates, new_message_id

ROUTES: dict[str, tuple[str, ...]] = {
    events.DECISION_FOUND: (ADVOCATE, OPERATOR),
    events.DECISION_CHANGED: (ADVOCATE,),
    events.DEADLINE_MOVED: (ADVOCATE,),
    events.CONFLICT: (OPERATOR,),
    events.SOURCE_DOWN: (OPERATOR,),
    events.SOURCE_RECOVERED: (OPERATOR,),
    events.SOURCE_BROKEN: (OPERATOR,),
    events.DELIVERY_FAILED: (OPERATOR,),
    events.REMINDERS_SKIPPED: (OPERATOR,),
    events.RECORDED_FROM_EMAIL: (OPERATOR,),
    events.DEADLINE_ACKNOWLEDGED: (OPERATOR,),
    events.UNSUBSCRIBED: (OPERATOR,),
    # The advocates hear what was recorded (by an operator, or through a signed link).
    events.FACT_RECORDED: (ADVOCATE,),
    # An edit that broke config/ on disk: the worker goes on with the last good one.
    events.CONFIG_BROKEN: (OPERATOR,),
}
DEFAULT_GROUP_WINDOW = timedelta(minutes=5)


def _recipients(session: Session, case_id: int | None, roles: tuple[str, ...]) -> list[Contact]:
    query = (
        select(Contact)
        .join(Subscription, Subscription.contact_id == Contact.id)
        .join(Case, Subscription.case_id == Case.id)
        .where(
            Subscription.role.in_(roles),
            Subscription.archived_at.is_(None),
            Subscription.unsubscribed_at.is_(None),
            Contact.archived_at.is_(None),
            Case.archived_at.is_(None),
        )
        .order_by(Contact.key)
        .distinct()
    )
    if case_id is not None:
        query = query.where(Subscription.case_id == case_id)
    contacts = list(session.scalars(query))
    if case_id is not None and not contacts and OPERATOR in roles:
        # A case without operators: its trouble still reaches every operator.
        return _recipients(session, None, (OPERATOR,))
    return contacts


def _is_history(event: Event, today: Any) -> bool:
    """A moved deadline that is past on both sides is history, not news."""
    if event.kind != events.DEADLINE_MOVED:
        return False
    dates = [d for d in (event.data.get("old"), event.data.get("new")) if d]
    return bool(dates) and all(d < today.isoformat() for d in dates)


def plan_alerts(
    session: Session,
    now: datetime,
    *,
    group_window: timedelta = DEFAULT_GROUP_WINDOW,
    limit: int = 500,
) -> int:
    """Queue alert rows for events not yet considered; returns how many rows were queued."""
    pending = list(
        session.scalars(
            select(Event).where(Event.alerted_at.is_(None)).order_by(Event.id).limit(limit)
        )
    )
    rows: list[dict[str, Any]] = []
    for event in pending:
        event.alerted_at = now
        roles = ROUTES.get(event.kind)
        if not roles or _is_history(event, now.date()):
            continue
        failing = event.data.get("contact_id")
        for contact in _recipients(session, event.case_id, roles):
            if contact.id == failing:
                continue  # never tell a failing address that mail to it fails
            due = event.at + group_window  # grouped from the event, not from when it was planned
            rows.append(
                {
                    "dedup_key": f"alert:{event.id}:{contact.key}",
                    "kind": "alert",
                    "contact_id": contact.id,
                    "case_id": event.case_id,
                    "decision_id": event.decision_id,
                    "due_at": due,
                    "next_attempt_at": due,
                    "status": "pending",
                    "attempts": 0,
                    "message_id": new_message_id(),
                    "payload": {"event_id": event.id},
                    "created_at": now,
                    "updated_at": now,
                }
            )
    session.flush()
    return insert_ignoring_duplicates(session, rows)
