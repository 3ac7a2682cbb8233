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

First plans go in bulk: a decision with no notification rows yet (a new catalog, a new case,
a decision a source just found) has nothing to move, cancel or reopen, so its rows are
computed from plain column reads and inserted with one executemany, values converted once
per distinct value. Decisions that have rows go through the ORM path, row by row as before.
Both paths build rows with the same ``_row``; a test compares them column by column.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, Text, exists, func, select, update
from sqlalchemy import cast as sql_cast
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
from monitor.models import (
    Case,
    Contact,
    Deadline,
    DeadlineAck,
    Decision,
    Notification,
    Subscription,
)
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


def new_message_ids() -> Iterator[str]:
    """Message-IDs of the same shape as ``new_message_id``'s: 64 random bits for the batch,
    numbered within it. Unique as long as two batches do not draw the same 64 bits, and a
    first plan of 100,000 reminders adds them to the unique index in one place rather than
    in 100,000 random ones."""
    batch = os.urandom(8).hex()
    return (f"<{batch}{n:016x}@{MESSAGE_ID_DOMAIN}>" for n in itertools.count())


def _plan_of(
    contact_key: str,
    timezone: str,
    role: str,
    send_time: str,
    offsets: Iterable[int],
    appeal_offsets: Iterable[int],
    digest: str,
) -> SubscriptionPlan:
    hour, minute = (int(part) for part in send_time.split(":"))
    return SubscriptionPlan(
        contact_key=contact_key,
        role=role,
        timezone=timezone,
        send_time=time(hour, minute),
        offsets=tuple(offsets),
        appeal_offsets=tuple(appeal_offsets),
        digest=digest == "daily",
    )


def _subscription_plan(sub: Subscription) -> SubscriptionPlan:
    return _plan_of(
        sub.contact.key,
        sub.contact.timezone,
        sub.role,
        sub.send_time,
        sub.offsets,
        sub.appeal_offsets,
        sub.digest,
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
    # The dialect's module only when it is used: PostgreSQL's pulls in asyncpg's support and
    # asyncio, a twentieth of a second at every start on SQLite.
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise NotImplementedError(f"planning needs ON CONFLICT support; {dialect} is not supported")


ROW_COLUMNS = (
    "dedup_key",
    "kind",
    "contact_id",
    "case_id",
    "decision_id",
    "deadline_kind",
    "deadline_date",
    "offset_days",
    "due_at",
    "next_attempt_at",
    "status",
    "last_error",
    "attempts",
    "message_id",
    "payload",
    "created_at",
    "updated_at",
)
_STATUS = ROW_COLUMNS.index("status")
# Negative: KiB, not pages (SQLite's convention); 64 MiB is enough for 100,000 rows.
_INSERT_CACHE_KIB = -64 * 1024
_PASSED = "its deadline had passed when it was planned"
_DIGEST = {"digest": True}


def _values(
    reminder: Reminder,
    case_id: int,
    decision_id: int,
    contact_id: int,
    now: datetime,
    message_id: str,
) -> tuple[Any, ...]:
    """A reminder's outbox row, in ``ROW_COLUMNS`` order: the one definition both paths use."""
    passed = last_useful_day(reminder.kind, reminder.deadline_date) < now.date()
    return (
        reminder.dedup_key,
        reminder.kind,
        contact_id,
        case_id,
        decision_id,
        reminder.deadline_kind,
        reminder.deadline_date,
        reminder.offset,
        reminder.send_at,
        reminder.send_at,
        "skipped" if passed else "pending",
        _PASSED if passed else None,
        0,
        message_id,
        dict(_DIGEST) if reminder.digest else {},
        now,
        now,
    )


def _row(
    reminder: Reminder,
    case_id: int,
    decision_id: int,
    contact_id: int,
    now: datetime,
    message_id: str,
) -> dict[str, Any]:
    return dict(
        zip(
            ROW_COLUMNS,
            _values(reminder, case_id, decision_id, contact_id, now, message_id),
            strict=True,
        )
    )


def plan_reminders(
    session: Session, now: datetime, decision_ids: Sequence[int] | None = None, *, bulk: bool = True
) -> PlanReport:
    """Bring the outbox in line with the plan, for some decisions or all of them.

    ``bulk=False`` plans every decision row by row (the tests compare both paths)."""
    fresh = set(_fresh_decisions(session, decision_ids)) if bulk else set()
    with _cycle_collection_paused() if fresh else nullcontext():
        return _plan(session, now, decision_ids, fresh)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """A first plan keeps every reminder and row it makes until the insert (hundreds of
    thousands of objects for 100,000 reminders), and the cycle collector, started by the
    allocations, walked them all again and again: a fifth of the plan's CPU, finding nothing
    to free. Reference
    counting still frees what the plan drops, and the collector runs again at the end for
    any cycle left. It is process-wide: another thread goes without it for the same second
    or two."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _plan(
    session: Session, now: datetime, decision_ids: Sequence[int] | None, fresh: set[int]
) -> PlanReport:
    query = select(Decision).options(
        selectinload(Decision.deadlines),
        selectinload(Decision.case)
        .selectinload(Case.subscriptions)
        .selectinload(Subscription.contact),
    )
    if decision_ids is not None:
        query = query.where(Decision.id.in_([i for i in decision_ids if i not in fresh]))
    elif fresh:
        query = query.where(_has_rows())
    # A decision whose first rows appeared since ``fresh`` was read is still planned in bulk:
    # its inserts skip the rows that exist, and its keys are wanted.
    decisions = [d for d in session.scalars(query) if d.id not in fresh]
    contacts = {c.key: c.id for c in session.scalars(select(Contact))}
    report = PlanReport()
    wanted: set[str] = set()
    rows: list[dict[str, Any]] = []
    acknowledged = _acknowledged(
        session, None if decision_ids is None else [d.id for d in decisions] + sorted(fresh)
    )
    first = (
        _plan_fresh(session, now, fresh, decision_ids is None, acknowledged, report, wanted)
        if fresh
        else []
    )
    for decision in decisions:
        for reminder in reminders_for(decision):
            if (decision.id, contacts[reminder.contact_key], reminder.deadline_kind) in (
                acknowledged
            ) and reminder.kind in (IN_FORCE_REMINDER, APPEAL_REMINDER):
                continue  # the contact said "got it" to this deadline
            wanted.add(reminder.dedup_key)
            report.reminders.append(reminder)
            contact_id = contacts[reminder.contact_key]
            rows.append(
                _row(reminder, decision.case_id, decision.id, contact_id, now, new_message_id())
            )
    existing = _existing_keys(session, [r["dedup_key"] for r in rows])
    new_rows = [r for r in rows if r["dedup_key"] not in existing]
    insert_ignoring_duplicates(session, new_rows)
    report.planned += sum(1 for r in new_rows if r["status"] == "pending")
    report.skipped += sum(1 for r in new_rows if r["status"] == "skipped")
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
    # Inserted last, so that looking for pending rows to cancel does not read them all again.
    insert_many(session, first)
    report.planned += sum(1 for r in first if r[_STATUS] == "pending")
    report.skipped += sum(1 for r in first if r[_STATUS] == "skipped")
    return report


def _has_rows() -> Any:
    return exists().where(Notification.decision_id == Decision.id)


def _fresh_decisions(session: Session, decision_ids: Sequence[int] | None) -> list[int]:
    """Decisions without a single notification row: nothing of theirs to move, cancel or
    reopen, so they are planned in bulk."""
    query = select(Decision.id).where(~_has_rows())
    if decision_ids is None:
        return list(session.scalars(query))
    found: list[int] = []
    for batch in _batches(list(decision_ids)):
        found.extend(session.scalars(query.where(Decision.id.in_(batch))))
    return found


def _batches(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    return (ids[start : start + size] for start in range(0, len(ids), size))


def _read(
    session: Session, query: Select[*tuple[Any, ...]], column: Any, ids: list[int] | None
) -> list[Any]:
    """Plain rows of ``query``, all of them or those whose ``column`` is in ``ids``."""
    # On the connection: a plain Core select, without the ORM's compilation and result layer.
    connection = session.connection()
    if ids is None:
        return list(connection.execute(query).all())
    rows: list[Any] = []
    for batch in _batches(ids):
        rows.extend(connection.execute(query.where(column.in_(batch))).all())
    return rows


def _plan_fresh(
    session: Session,
    now: datetime,
    fresh: set[int],
    everything: bool,
    acknowledged: set[tuple[int, int, str]],
    report: PlanReport,
    wanted: set[str],
) -> list[tuple[Any, ...]]:
    """The first plan of decisions that have no rows yet, read from columns rather than ORM
    objects (loading 20,000 decisions with their cases, deadlines and subscriptions as
    objects took longer than planning them): their rows, for ``insert_many``."""
    ids = None if everything else sorted(fresh)
    decisions = [
        d
        for d in _read(
            session,
            select(
                Decision.id,
                Decision.case_id,
                Decision.key,
                Decision.appealed_on,
                Decision.executed_on,
            ).where(Decision.archived_at.is_(None)),
            Decision.id,
            ids,
        )
        if d.id in fresh
    ]
    case_ids = None if everything else sorted({d.case_id for d in decisions})
    cases = {
        c.id: c.key
        for c in _read(
            session,
            select(Case.id, Case.key).where(Case.archived_at.is_(None)),
            Case.id,
            case_ids,
        )
    }
    deadlines: dict[int, dict[str, Any]] = {}
    for decision_id, kind, due_on in _read(
        session,
        select(Deadline.decision_id, Deadline.kind, Deadline.due_on),
        Deadline.decision_id,
        ids,
    ):
        deadlines.setdefault(decision_id, {})[kind] = due_on
    plans: dict[int, list[SubscriptionPlan]] = {}
    shapes: dict[tuple[Any, ...], SubscriptionPlan] = {}
    contact_ids: dict[str, int] = {}
    for sub in _read(
        session,
        select(
            Subscription.case_id,
            Contact.id,
            Contact.key,
            Contact.timezone,
            Subscription.role,
            Subscription.send_time,
            # As text: most subscriptions share a few lists, decoded once each below.
            sql_cast(Subscription.offsets, Text),
            sql_cast(Subscription.appeal_offsets, Text),
            Subscription.digest,
        )
        .join(Contact, Subscription.contact_id == Contact.id)
        .where(
            Subscription.archived_at.is_(None),
            Subscription.unsubscribed_at.is_(None),
            Contact.archived_at.is_(None),
        ),
        Subscription.case_id,
        case_ids,
    ):
        contact_ids[sub.key] = sub.id
        # Most subscriptions of a large catalog read alike: one (immutable) plan for each kind.
        shape = tuple(sub[2:])
        if shape not in shapes:
            key, timezone, role, send_time, offsets, appeal_offsets, digest = shape
            shapes[shape] = _plan_of(
                key,
                timezone,
                role,
                send_time,
                json.loads(offsets),
                json.loads(appeal_offsets),
                digest,
            )
        plans.setdefault(sub.case_id, []).append(shapes[shape])

    acked = {decision_id for decision_id, _, _ in acknowledged}
    rows: list[tuple[Any, ...]] = []
    message_ids = new_message_ids()
    for decision_id, case_id, decision_key, appealed_on, executed_on in decisions:
        case_key = cases.get(case_id)
        if case_key is None:
            continue  # the case is archived
        facts = DecisionDeadlines(
            case_key, decision_key, deadlines.get(decision_id, {}), appealed_on, executed_on
        )
        reminders = plan_for_decision(facts, plans.get(case_id, ()))
        if decision_id in acked:
            reminders = [
                r
                for r in reminders
                if (decision_id, contact_ids[r.contact_key], r.deadline_kind) not in acknowledged
                or r.kind not in (IN_FORCE_REMINDER, APPEAL_REMINDER)
            ]  # the contact said "got it" to this deadline
        wanted.update([r.dedup_key for r in reminders])
        report.reminders.extend(reminders)
        # In the order the row-by-row path inserts them (decision by decision, by send time),
        # so that ids come out the same; Message-IDs are numbered in that order.
        rows.extend(
            [
                _values(r, case_id, decision_id, contact_ids[r.contact_key], now, next(message_ids))
                for r in reminders
            ]
        )
    return rows


def insert_many(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """INSERT ... ON CONFLICT (dedup_key) DO NOTHING of many rows through the driver's own
    executemany. Each column's value is converted for the database once per distinct value
    (a first plan has a few thousand send times for 100,000 rows), by the column type's own
    bind processor: stored exactly as the ORM and Core would store it."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    table = cast(Table, Notification.__table__)
    names = ROW_COLUMNS
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for i, name in enumerate(names):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            columns[i] = _converted(columns[i], process)
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)})"
        f" VALUES ({', '.join([placeholder] * len(names))})"
        " ON CONFLICT (dedup_key) DO NOTHING"
    )
    parameters = list(zip(*columns, strict=True))
    if dialect.name != "sqlite":
        connection.exec_driver_sql(statement, parameters)
        return
    # SQLite's page cache (2 MB by default) is smaller than what the table and its six
    # indexes grow by in a large first plan: pages were spilled to the log in the middle of
    # the insert and read back. A larger cache for this statement only; the transaction,
    # and what it writes, stay the same.
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = {_INSERT_CACHE_KIB}")
    try:
        connection.exec_driver_sql(statement, parameters)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


def _converted(values: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    """``process`` applied once per distinct value; JSON values (dicts) told apart by their
    items."""
    if values and isinstance(values[0], dict):
        keys: Sequence[Any] = [tuple(v.items()) for v in values]
        first = dict(zip(keys, values, strict=True))
        done = {key: process(value) for key, value in first.items()}
    else:
        keys = values
        done = {value: process(value) for value in set(values)}
    return [done[key] for key in keys]


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
