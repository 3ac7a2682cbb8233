"""Planning: turn deadlines and subscriptions into outbox rows (notifications).

Idempotent: every reminder has a dedup key, unique in the database, and rows are inserted
with ON CONFLICT DO NOTHING, so planning twice (or two workers planning at once) never queues
twice. A pending reminder that the plan no longer contains (deadline moved, appeal or
execution recorded, subscription or case removed) is cancelled, with the reason on the row.

Catch-up rule at planning time: a reminder whose deadline has already passed when it is first
planned is stored as ``skipped`` (kept for the record, never sent). One whose send time has
passed but whose deadline has not is left ``pending``: the dispatcher sends it late.

Restore: a case, decision or subscription removed from config and put back (a branch switch,
a block commented out for a minute) wants the same reminders again, under the same dedup
keys. Their rows were cancelled, never sent, so they are re-opened, not planned anew: the
row keeps its Message-ID and its history, and ``last_error`` says it was restored. The same
rule as for a first plan applies: re-opened if the deadline is still ahead (sent late if its
send time passed meanwhile), left cancelled otherwise. An appeal or execution cleared again
brings its reminders back the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import Insert, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from monitor.deadlines.reminders import (
    APPEAL_REMINDER,
    IN_FORCE_REMINDER,
    REMINDER_KINDS,
    DecisionDeadlines,
    Reminder,
    SubscriptionPlan,
    last_useful_day,
    plan_for_decision,
)
from monitor.models import Case, Contact, DeadlineAck, Decision, Notification, Subscription
from monitor.notify.render import MESSAGE_ID_DOMAIN


@dataclass
class PlanReport:
    planned: int = 0
    skipped: int = 0
    cancelled: int = 0
    restored: int = 0
    reminders: list[Reminder] = field(default_factory=list)


def new_message_id() -> str:
    """Fixed when the row is created, so a resend after a crash carries the same Message-ID."""
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def _subscription_plan(sub: Subscription) -> SubscriptionPlan:
    hour, minute = (int(part) for part in sub.send_time.split(":"))
    return SubscriptionPlan(
        contact_key=sub.contact.key,
        role=sub.role,
        timezone=sub.contact.timezone,
        send_time=time(hour, minute),
        offsets=tuple(sub.offsets),
        appeal_offsets=tuple(sub.appeal_offsets),
        digest=sub.digest == "daily",
    )


def decision_facts(decision: Decision) -> DecisionDeadlines:
    return DecisionDeadlines(
        case_key=decision.case.key,
        decision_key=decision.key,
        deadlines={d.kind: d.due_on for d in decision.deadlines},
        appealed_on=decision.appealed_on,
        executed_on=decision.executed_on,
    )


def reminders_for(decision: Decision) -> list[Reminder]:
    """The pure plan for one decision as it stands in the database."""
    if decision.archived_at is not None or decision.case.archived_at is not None:
        return []
    subs = [
        _subscription_plan(s)
        for s in decision.case.subscriptions
        if s.archived_at is None and s.unsubscribed_at is None and s.contact.archived_at is None
    ]
    return plan_for_decision(decision_facts(decision), subs)


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    table = cast(Table, Notification.__table__)
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"planning needs ON CONFLICT support; {dialect} is not supported")


def _row(reminder: Reminder, decision: Decision, contact_id: int, now: datetime) -> dict[str, Any]:
    passed = last_useful_day(reminder.kind, reminder.deadline_date) < now.date()
    return {
        "dedup_key": reminder.dedup_key,
        "kind": reminder.kind,
        "contact_id": contact_id,
        "case_id": decision.case_id,
        "decision_id": decision.id,
        "deadline_kind": reminder.deadline_kind,
        "deadline_date": reminder.deadline_date,
        "offset_days": reminder.offset,
        "due_at": reminder.send_at,
        "next_attempt_at": reminder.send_at,
        "status": "skipped" if passed else "pending",
        "last_error": "its deadline had passed when it was planned" if passed else None,
        "attempts": 0,
        "message_id": new_message_id(),
        "payload": {"digest": True} if reminder.digest else {},
        "created_at": now,
        "updated_at": now,
    }


def plan_reminders(
    session: Session, now: datetime, decision_ids: Sequence[int] | None = None
) -> PlanReport:
    """Bring the outbox in line with the plan, for some decisions or all of them."""
    query = select(Decision).options(
        selectinload(Decision.deadlines),
        selectinload(Decision.case)
        .selectinload(Case.subscriptions)
        .selectinload(Subscription.contact),
    )
    if decision_ids is not None:
        query = query.where(Decision.id.in_(decision_ids))
    decisions = list(session.scalars(query))
    contacts = {c.key: c.id for c in session.scalars(select(Contact))}
    report = PlanReport()
    wanted: set[str] = set()
    rows: list[dict[str, Any]] = []
    acknowledged = _acknowledged(
        session, None if decision_ids is None else [d.id for d in decisions]
    )
    for decision in decisions:
        for reminder in reminders_for(decision):
            if (decision.id, contacts[reminder.contact_key], reminder.deadline_kind) in (
                acknowledged
            ) and reminder.kind in (IN_FORCE_REMINDER, APPEAL_REMINDER):
                continue  # the contact said "got it" to this deadline
            wanted.add(reminder.dedup_key)
            report.reminders.append(reminder)
            rows.append(_row(reminder, decision, contacts[reminder.contact_key], now))
    existing = _existing_keys(session, [r["dedup_key"] for r in rows])
    new_rows = [r for r in rows if r["dedup_key"] not in existing]
    insert_ignoring_duplicates(session, new_rows)
    report.planned = sum(1 for r in new_rows if r["status"] == "pending")
    report.skipped = sum(1 for r in new_rows if r["status"] == "skipped")
    report.restored = _reopen(
        session,
        now,
        [
            existing[r["dedup_key"]][0]
            for r in rows
            if r["dedup_key"] in existing
            and existing[r["dedup_key"]][1] == "cancelled"
            and r["status"] == "pending"
        ],
    )
    report.cancelled = _cancel_unwanted(session, now, decisions, wanted, decision_ids is None)
    return report


def _acknowledged(session: Session, decision_ids: list[int] | None) -> set[tuple[int, int, str]]:
    """(decision, contact, deadline kind) a contact said "got it" to; all of them for a full
    replan (one query, however many decisions)."""
    columns = select(DeadlineAck.decision_id, DeadlineAck.contact_id, DeadlineAck.deadline_kind)
    if decision_ids is None:
        return {(d, c, k) for d, c, k in session.execute(columns).all()}
    found: set[tuple[int, int, str]] = set()
    for start in range(0, len(decision_ids), 500):
        batch = decision_ids[start : start + 500]
        found.update(
            (d, c, k)
            for d, c, k in session.execute(columns.where(DeadlineAck.decision_id.in_(batch))).all()
        )
    return found


def changed_decisions(session: Session, since: datetime) -> list[int]:
    """Decisions whose plan may have changed since ``since``: the decision or its deadlines
    changed, or a subscription or the case itself did. The cost follows the changes, not the
    number of cases watched."""
    direct = select(Decision.id).where(Decision.updated_at >= since)
    by_case = (
        select(Decision.id)
        .join(Case, Decision.case_id == Case.id)
        .where(
            Case.id.in_(
                select(Subscription.case_id)
                .where(Subscription.updated_at >= since)
                .union(select(Case.id).where(Case.updated_at >= since))
            )
        )
    )
    return sorted(set(session.scalars(direct)) | set(session.scalars(by_case)))


def insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT (dedup_key) DO NOTHING; returns how many rows were inserted.

    Executed as one statement with many parameter sets (SQLAlchemy batches them into
    multi-row INSERTs with a cached compilation), not as a literal multi-VALUES statement,
    whose compilation alone cost seconds for 100k rows.
    """
    if not rows:
        return 0
    statement: Insert = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Notification.__table__.c.id)
    )
    # On the connection (Core), not the ORM session: the rows are plain dicts, and the ORM's
    # bulk path would compile them into one literal multi-row statement.
    return len(session.connection().execute(statement, rows).all())


def _existing_keys(session: Session, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """dedup key -> (id, status) of the rows that exist already."""
    found: dict[str, tuple[int, str]] = {}
    keys = list(keys)
    for start in range(0, len(keys), 500):
        query = select(Notification.dedup_key, Notification.id, Notification.status).where(
            Notification.dedup_key.in_(keys[start : start + 500])
        )
        found.update((key, (row_id, status)) for key, row_id, status in session.execute(query))
    return found


def _reopen(session: Session, now: datetime, ids: list[int]) -> int:
    """Cancelled reminders that the plan wants again become pending again (see the module's
    docstring); due at their planned time, or at once when that has passed."""
    reopened = 0
    for start in range(0, len(ids), 500):
        result = session.execute(
            update(Notification)
            .where(
                Notification.id.in_(ids[start : start + 500]), Notification.status == "cancelled"
            )
            .values(
                status="pending",
                next_attempt_at=func.max(Notification.due_at, now)
                if session.get_bind().dialect.name == "sqlite"
                else func.greatest(Notification.due_at, now),
                claimed_by=None,
                claimed_until=None,
                last_error="restored: planned again after it had been cancelled",
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        reopened += result.rowcount  # type: ignore[attr-defined]
    return reopened


def _cancel_reason(decision: Decision | None) -> str:
    if decision is None or decision.archived_at is not None:
        return "cancelled: the decision is no longer watched"
    if decision.case.archived_at is not None:
        return "cancelled: the case was archived"
    if decision.appealed_on is not None:
        return f"cancelled: appeal recorded on {decision.appealed_on.isoformat()}"
    if decision.executed_on is not None:
        return f"cancelled: execution recorded on {decision.executed_on.isoformat()}"
    return "cancelled: the deadline moved or the subscription changed"


def _cancel_unwanted(
    session: Session, now: datetime, decisions: list[Decision], wanted: set[str], everything: bool
) -> int:
    # Columns, not ORM objects: on a full replan this reads every pending reminder.
    query = select(Notification.id, Notification.dedup_key, Notification.decision_id).where(
        Notification.status == "pending", Notification.kind.in_(REMINDER_KINDS)
    )
    if not everything:
        query = query.where(Notification.decision_id.in_([d.id for d in decisions]))
    by_id = {d.id: d for d in decisions}
    unwanted: dict[str, list[int]] = {}
    for row_id, key, decision_id in session.execute(query):
        if key not in wanted:
            unwanted.setdefault(_cancel_reason(by_id.get(decision_id or -1)), []).append(row_id)
    cancelled = 0
    for reason, ids in unwanted.items():
        for start in range(0, len(ids), 500):
            # Conditional: a dispatcher may have claimed a row in the meantime; it is not undone.
            result = session.execute(
                update(Notification)
                .where(
                    Notification.id.in_(ids[start : start + 500]), Notification.status == "pending"
                )
                .values(status="cancelled", last_error=reason, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            cancelled += result.rowcount  # type: ignore[attr-defined]
    return cancelled
