"""Dispatch: claim due outbox rows, send them, mark them. Loses nothing, sends each once.

The steps, each in its own transaction, so that any worker may die between any two:

1. **Claim.** Rows that are ``pending`` and due, or ``sending`` with an expired claim (their
   worker died), become ``sending`` with ``next_attempt_at`` pushed to the end of the claim.
   On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several workers claim side by side; on
   SQLite the UPDATE takes the database's write lock. The UPDATE repeats the condition, and
   only rows it changed are worked on.
2. **Compose and record.** Rows become emails (alerts of one contact grouped, daily digests
   grouped); a delivery attempt is recorded as started *before* sending.
3. **Send and mark.** After each email, its rows are marked ``sent`` and the attempt completed.
   A crash between send and mark leaves the rows ``sending``: once the claim expires another
   worker resends them, with the same Message-ID (fixed when the row was created). That is
   the only way an email goes out twice.

Catch-up: a reminder sent more than an hour late says so in its subject. A reminder whose
last useful day (see ``last_useful_day``) has passed in the contact's time zone is not sent:
it is marked ``skipped`` and the operators get one summary per dispatch run.

Failures: a transient one retries with exponential backoff and jitter until the row is older
than ``max_age``; a permanent one (or giving up) marks the row ``failed`` and records a
"delivery failed" event, which the alert planner sends to the operators, never to the
failing address.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from monitor import events
from monitor.db import session_scope
from monitor.deadlines.reminders import REMINDER_KINDS, last_useful_day
from monitor.errors import DeliveryError, UsageError
from monitor.models import Contact, DeliveryAttempt, Notification
from monitor.notify.compose import ALERT, Email, compose
from monitor.notify.deliver import Backend

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchPolicy:
    batch_size: int = 100
    # How long a claim lasts; a worker that dies holding one delays those rows by this much.
    lease: timedelta = timedelta(minutes=5)
    retry_base: timedelta = timedelta(minutes=1)
    retry_cap: timedelta = timedelta(hours=2)
    # A row still failing this long after it was due is given up (failed, operators told).
    max_age: timedelta = timedelta(days=2)


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    emails: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0
    replies: list[str] = field(default_factory=list)


# Written as SQL text, not bound parameters, so that it matches the partial index's WHERE
# clause word for word: SQLite uses a partial index only when it can see that the query's
# condition implies the index's, which it cannot do through parameters.
UNSENT = text("notification.status IN ('pending', 'sending')")


def _due(now: datetime) -> tuple[Any, Any]:
    return (UNSENT, Notification.next_attempt_at <= now)


def next_due(session: Session) -> datetime | None:
    """When the earliest unsent notification falls due (the dispatcher sleeps until then)."""
    return session.scalar(select(func.min(Notification.next_attempt_at)).where(UNSENT))


def claim_due(
    session: Session, now: datetime, worker: str, limit: int, lease: timedelta
) -> list[int]:
    """Claim up to ``limit`` due rows for ``worker`` in one statement; returns their ids.

    ``UPDATE ... WHERE id IN (SELECT ... LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING id``: one
    round trip, and the UPDATE repeats the due condition, so a row another worker took between
    the SELECT and the UPDATE is not taken twice.
    """
    due = (
        select(Notification.id)
        .where(*_due(now))
        .order_by(Notification.next_attempt_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    until = now + lease
    claimed = session.scalars(
        update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()), *_due(now))
        .values(
            status="sending",
            claimed_by=worker,
            claimed_until=until,
            next_attempt_at=until,
            updated_at=now,
        )
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


def group_rows(rows: list[Notification]) -> list[list[Notification]]:
    """Alerts of one contact become one email, digest reminders of one contact one email."""
    groups: dict[tuple[int, str], list[Notification]] = {}
    singles: list[list[Notification]] = []
    for row in sorted(rows, key=lambda r: (r.due_at, r.id)):
        if row.kind == ALERT:
            groups.setdefault((row.contact_id, ALERT), []).append(row)
        elif row.payload.get("digest"):
            groups.setdefault((row.contact_id, "digest"), []).append(row)
        else:
            singles.append([row])
    return singles + list(groups.values())


def _expired(row: Notification, contact: Contact, now: datetime) -> bool:
    if row.kind not in REMINDER_KINDS or row.deadline_date is None:
        return False
    today = now.astimezone(ZoneInfo(contact.timezone)).date()
    return last_useful_day(row.kind, row.deadline_date) < today


def _prepare(
    session: Session, ids: list[int], sender: str, now: datetime, report: DispatchReport
) -> list[tuple[Email, int]]:
    rows = list(session.scalars(select(Notification).where(Notification.id.in_(ids))))
    live: list[Notification] = []
    skipped: list[str] = []
    for row in rows:
        contact = session.get(Contact, row.contact_id)
        assert contact is not None
        if _expired(row, contact, now):
            row.status, row.last_error, row.updated_at = (
                "skipped",
                "its deadline passed before it could be sent",
                now,
            )
            row.claimed_by = row.claimed_until = None
            skipped.append(
                f"{row.kind} for {contact.name}, due {row.due_at:%Y-%m-%d %H:%M} UTC ({row.dedup_key})"
            )
        else:
            live.append(row)
    if skipped:
        report.skipped += len(skipped)
        cases = {row.case_id for row in rows if row.status == "skipped"}
        events.record_event(
            session,
            now,
            events.REMINDERS_SKIPPED,
            f"{len(skipped)} reminder(s) not sent because their deadlines passed while no worker ran: "
            + "; ".join(skipped),
            count=len(skipped),
            # One case: the summary goes to that case's operators; several: to every operator.
            case_id=cases.pop() if len(cases) == 1 else None,
        )
    prepared: list[tuple[Email, int]] = []
    for group in group_rows(live):
        try:
            email = compose(session, group, sender, now)
        except Exception as exc:  # a broken row must not block the others: fail it, go on
            log.exception("cannot compose notification %s", group[0].id)
            for row in group:
                row.status, row.last_error, row.updated_at = "failed", f"cannot compose: {exc}", now
            report.failed += len(group)
            continue
        attempt = DeliveryAttempt(notification_id=group[0].id, started_at=now, result="started")
        session.add(attempt)
        session.flush()
        prepared.append((email, attempt.id))
    return prepared


def _mark_sent(
    session: Session, email: Email, attempt_id: int, reply: str, now: datetime, ms: int
) -> None:
    ids = [row.id for row in email.rows]
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(
            status="sent",
            sent_at=now,
            attempts=Notification.attempts + 1,
            last_error=None,
            claimed_by=None,
            claimed_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    _finish_attempt(session, attempt_id, "sent", reply, now, ms)


def _finish_attempt(
    session: Session, attempt_id: int, result: str, reply: str, now: datetime, ms: int
) -> None:
    attempt = session.get(DeliveryAttempt, attempt_id)
    if attempt is not None:
        attempt.result, attempt.reply, attempt.finished_at, attempt.duration_ms = (
            result,
            reply,
            now,
            ms,
        )


def _mark_failed(
    session: Session,
    email: Email,
    attempt_id: int,
    error: DeliveryError,
    now: datetime,
    ms: int,
    policy: DispatchPolicy,
    rng: random.Random,
    report: DispatchReport,
) -> None:
    first = email.rows[0]
    attempts = first.attempts + 1
    too_old = now - first.due_at > policy.max_age
    if error.permanent or too_old:
        why = str(error) if error.permanent else f"gave up after {attempts} attempts: {error}"
        values = {"status": "failed", "last_error": why}
        report.failed += len(email.rows)
        events.record_event(
            session,
            now,
            events.DELIVERY_FAILED,
            f"email to {email.contact.name} <{email.contact.email}> failed: {why} (subject: {email.rendered.subject})",
            contact_id=email.contact.id,
            case_id=first.case_id,
            notification_ids=[r.id for r in email.rows],
        )
    else:
        delay = min(policy.retry_base * 2 ** (attempts - 1), policy.retry_cap)
        delay = delay * (1 + 0.25 * rng.random())  # jitter: workers do not retry in lockstep
        values = {"status": "pending", "last_error": str(error), "next_attempt_at": now + delay}
        report.retried += len(email.rows)
    session.execute(
        update(Notification)
        .where(Notification.id.in_([r.id for r in email.rows]))
        .values(attempts=attempts, claimed_by=None, claimed_until=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    _finish_attempt(
        session, attempt_id, "permanent" if error.permanent else "transient", str(error), now, ms
    )


def release(session: Session, ids: list[int], now: datetime) -> int:
    """Give claimed rows back (graceful stop): pending again, due at once."""
    if not ids:
        return 0
    result = session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == "sending")
        .values(
            status="pending",
            claimed_by=None,
            claimed_until=None,
            next_attempt_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def dispatch_due(
    engine: Engine,
    backend: Backend,
    now: datetime,
    *,
    worker: str,
    sender: str,
    policy: DispatchPolicy | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    rng: random.Random | None = None,
) -> DispatchReport:
    """Send one batch of due notifications. Returns what happened."""
    policy = policy or DispatchPolicy()
    rng = rng or random.Random()
    report = DispatchReport()
    with session_scope(engine) as session:
        ids = claim_due(session, now, worker, policy.batch_size, policy.lease)
    report.claimed = len(ids)
    if not ids:
        return report
    with session_scope(engine) as session:
        prepared = _prepare(session, ids, sender, now, report)
    done: set[int] = set()
    try:
        with backend:
            for email, attempt_id in prepared:
                if should_stop():
                    break
                started = time.monotonic()
                try:
                    reply = backend.send(email.message)
                except DeliveryError as exc:
                    ms = int((time.monotonic() - started) * 1000)
                    with session_scope(engine) as session:
                        _mark_failed(session, email, attempt_id, exc, now, ms, policy, rng, report)
                else:
                    ms = int((time.monotonic() - started) * 1000)
                    with session_scope(engine) as session:
                        _mark_sent(session, email, attempt_id, reply, now, ms)
                    report.sent += len(email.rows)
                    report.emails += 1
                    report.replies.append(reply)
                done.update(row.id for row in email.rows)
    finally:
        leftover = [i for email, _ in prepared for i in (r.id for r in email.rows) if i not in done]
        if leftover:
            with session_scope(engine) as session:
                report.released += release(session, leftover, now)
    return report


def retry(session: Session, notification_id: int, now: datetime) -> Notification:
    """`monitor outbox retry ID`: a failed, skipped or cancelled row goes back to pending."""
    row = session.get(Notification, notification_id)
    if row is None:
        raise UsageError(f"no notification {notification_id} (see `monitor outbox`)")
    if row.status not in ("failed", "skipped", "cancelled"):
        raise UsageError(
            f"notification {notification_id} is {row.status}; only failed, skipped or cancelled ones can be retried"
        )
    row.status, row.next_attempt_at, row.updated_at = "pending", now, now
    row.last_error = f"retried by an operator (was: {row.last_error})"
    events.record_event(
        session,
        now,
        events.NOTIFICATION_RETRIED,
        f"notification {row.id} ({row.kind}) queued again",
    )
    return row
