"""Dispatch: claim due outbox rows, send them, mark them. Loses nothing, sends each once.

The steps, each in its own short transaction (none is held across the network), so that any
worker may die between any two:

1. **Claim.** At most ``limit`` rows that are ``pending`` and due, or ``sending`` with an
   expired claim (their worker died), become ``sending``, owned by a claim token (the
   worker's name and a batch number) until a lease read from the live clock. On PostgreSQL
   the ids are picked first with ``FOR UPDATE SKIP LOCKED`` and then updated by id, so a
   claim takes exactly what was asked whatever the query plan (an UPDATE over a sub-select
   with LIMIT may run the sub-select more than once); on SQLite one UPDATE ... RETURNING
   takes the database's write lock.
2. **Compose.** Rows become emails (alerts of one contact grouped, daily digests grouped).
3. **Renew, send, mark (fenced).** Right before each send the claim is renewed with a
   conditional update (these rows, this token, still ``sending``), in the same transaction
   as the delivery attempt's record; unless every row of the email is still held, the email
   is not sent. The lease is longer than the longest send (``mail.smtp_timeout_seconds``,
   checked when settings load), so a claim renewed before a send cannot expire during it.
   After the send the rows are marked ``sent`` (or retried / failed), again only where the
   token still holds them. A crash between send and mark leaves the rows ``sending``: once
   the claim expires another worker resends them, with the same Message-ID (fixed when the
   row was created). That is the only way an email goes out twice. The sent mark of one
   email commits together with the renewal of the next (``_Sender``), before that next
   email is sent; the batch's last mark has a commit of its own.

The worker runs this on ``db.bookkeeping_engine``, whose commits do not wait for the disk:
a killed process loses none of them, a crashed machine may lose the last fraction of a
second, which only sends those emails again as above. Emails are composed in a thread of
their own, a few ahead of the sender (``_Ahead``).

Timestamps (claims, attempts, ``sent_at``) come from ``clock``, read when each thing happens;
``now`` is the business time (what is due, what is late, when to retry).

Catch-up: a reminder sent more than an hour late says so in its subject. A reminder whose
last useful day (see ``last_useful_day``) has passed in the contact's time zone is not sent:
it is marked ``skipped`` and the operators get one summary per batch.

Failures: a transient one retries with exponential backoff and jitter. A reminder is retried
until the deadline it is about has passed, however late it already was; anything else (an
alert) until ``max_age`` after it was due. A permanent failure (or giving up) marks the row
``failed`` and records a "delivery failed" event, which the alert planner sends to the
operators, never to the failing address.
"""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from monitor import events
from monitor.db import in_transaction
from monitor.deadlines.reminders import REMINDER_KINDS, last_useful_day
from monitor.errors import DeliveryError, UsageError
from monitor.models import Contact, DeliveryAttempt, Notification
from monitor.notify.compose import ALERT, Email, compose, prime
from monitor.notify.composer import Composer
from monitor.notify.deliver import Backend
from monitor.notify.ledger import Ledger, Mark

log = logging.getLogger(__name__)
T = TypeVar("T")

Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DispatchPolicy:
    # At most this many rows per claim: a worker holds no more than it sends soon, so work
    # spreads across workers and a dead worker strands one small batch.
    batch_size: int = 20
    # How long a claim lasts (renewed before each send); a worker that dies holding one
    # delays those rows by this much.
    lease: timedelta = timedelta(minutes=5)
    retry_base: timedelta = timedelta(minutes=1)
    retry_cap: timedelta = timedelta(hours=2)
    # An alert still failing this long after it was due is given up (failed, operators told).
    # Reminders are retried until their deadline has passed instead.
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
    lost: int = 0  # rows whose claim was taken over before their send: left to the new owner
    send_seconds: float = 0.0  # time spent in the backend's send, for sizing the next claim
    replies: list[str] = field(default_factory=list)


# Written as SQL text, not bound parameters, so that it matches the partial index's WHERE
# clause word for word: SQLite uses a partial index only when it can see that the query's
# condition implies the index's, which it cannot do through parameters.
UNSENT = text("notification.status IN ('pending', 'sending')")

_batches = itertools.count(1)


def claim_token(worker: str) -> str:
    """A new token for one claim: the worker's name and a batch number. Fencing compares
    tokens, so a batch can never act on rows that a later claim (even its own worker's) took."""
    return f"{worker}#{next(_batches)}"


def _due(now: datetime, at: datetime) -> tuple[Any, ...]:
    """Pending rows due by ``now`` (business time), and rows whose claim expired by ``at``
    (the live clock). For a ``sending`` row ``next_attempt_at`` is the end of its claim."""
    return (
        UNSENT,
        Notification.next_attempt_at <= max(now, at),
        or_(
            and_(Notification.status == "pending", Notification.next_attempt_at <= now),
            and_(Notification.status == "sending", Notification.next_attempt_at <= at),
        ),
    )


def next_due(session: Session) -> datetime | None:
    """When the earliest unsent notification falls due, or its claim expires."""
    return session.scalar(select(func.min(Notification.next_attempt_at)).where(UNSENT))


def claim_due(
    session: Session,
    now: datetime,
    token: str,
    limit: int,
    lease: timedelta,
    clock: Clock = utc_clock,
) -> list[int]:
    """Claim at most ``limit`` due rows for ``token``; returns their ids (never more)."""
    at = clock()
    until = at + lease
    values = {
        "status": "sending",
        "claimed_by": token,
        "claimed_until": until,
        "next_attempt_at": until,
        "updated_at": at,
    }
    due = (
        select(Notification.id)
        .where(*_due(now, at))
        .order_by(Notification.next_attempt_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Materialise the ids first: the rows are locked by this transaction, skipped by others.
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if not ids:
            return []
        claimed = session.scalars(
            update(Notification)
            .where(Notification.id.in_(ids), *_due(now, at))
            .values(**values)
            .returning(Notification.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(claimed)
    # SQLite runs the sub-select once, inside the UPDATE, under the database's write lock.
    claimed = session.scalars(
        update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()), *_due(now, at))
        .values(**values)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


# The statements of the send loop run on the table, not through the ORM: they change rows
# by condition and never need objects back, and the ORM's bookkeeping was a good part of the
# cost of each email.
_N = cast(Table, Notification.__table__)
_ATTEMPT = cast(Table, DeliveryAttempt.__table__)


def _held(ids: list[int], token: str) -> tuple[Any, ...]:
    return (
        Notification.id.in_(ids),
        Notification.status == "sending",
        Notification.claimed_by == token,
    )


# ``_held`` on the table's columns with bound parameters, built once.
_HELD = (
    _N.c.id.in_(bindparam("ids", expanding=True)),
    _N.c.status == "sending",
    _N.c.claimed_by == bindparam("token"),
)
_FINISH = (
    update(_ATTEMPT)
    .where(_ATTEMPT.c.id == bindparam("attempt"))
    .values(
        result=bindparam("result"),
        reply=bindparam("reply"),
        finished_at=bindparam("at"),
        duration_ms=bindparam("ms"),
    )
)


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


def _triage(
    session: Session, ids: list[int], token: str, now: datetime, at: datetime
) -> tuple[list[list[int]], int]:
    """Mark the claimed reminders whose last useful day has passed ``skipped`` (one summary
    event for the operators), and group the others into emails. Returns the groups' ids, in
    sending order, and how many were skipped."""
    rows = list(session.scalars(select(Notification).where(*_held(ids, token))))
    live: list[Notification] = []
    skipped: list[str] = []
    for row in rows:
        contact = session.get(Contact, row.contact_id)
        assert contact is not None
        if _expired(row, contact, now):
            row.status, row.last_error, row.updated_at = (
                "skipped",
                "its deadline passed before it could be sent",
                at,
            )
            row.claimed_by = row.claimed_until = None
            skipped.append(
                f"{row.kind} for {contact.name}, due {row.due_at:%Y-%m-%d %H:%M} UTC ({row.dedup_key})"
            )
        else:
            live.append(row)
    if skipped:
        cases = {row.case_id for row in rows if row.status == "skipped"}
        events.record_event(
            session,
            at,
            events.REMINDERS_SKIPPED,
            f"{len(skipped)} reminder(s) not sent because their deadlines passed while no worker ran: "
            + "; ".join(skipped),
            count=len(skipped),
            # One case: the summary goes to that case's operators; several: to every operator.
            case_id=cases.pop() if len(cases) == 1 else None,
        )
    return [[row.id for row in group] for group in group_rows(live)], len(skipped)


@dataclass(frozen=True)
class _Unwritable:
    """A group of rows that could not be composed into an email, and why."""

    ids: list[int]
    error: Exception


def compose_groups(
    engine: Engine, groups: list[list[int]], sender: str, now: datetime
) -> Iterator[tuple[list[int], Email | Exception]]:
    """Each group with its email, or with why it cannot be composed, read in a session of its
    own that never writes. A broken row does not block the others."""
    with Session(engine, expire_on_commit=False) as session:
        wanted = [i for group in groups for i in group]
        rows = {
            r.id: r
            for r in session.scalars(select(Notification).where(Notification.id.in_(wanted)))
        }
        prime(session, list(rows.values()))
        for group in groups:
            try:
                yield group, compose(session, [rows[i] for i in group], sender, now)
            except DBAPIError:
                raise  # the database, not the row: the batch ends, its rows are given back
            except Exception as exc:
                log.exception("cannot compose notification %s", group[0])
                yield group, exc


def _composed(
    engine: Engine, groups: list[list[int]], sender: str, now: datetime
) -> Iterator[Email | _Unwritable]:
    """The emails of ``groups``, one at a time (``compose_groups``); a group that cannot be
    composed comes out as ``_Unwritable``."""
    for group, item in compose_groups(engine, groups, sender, now):
        yield _Unwritable(group, item) if isinstance(item, Exception) else item


def _unwritable(session: Session, failed: _Unwritable, token: str, at: datetime) -> int:
    """Rows that cannot be composed fail at once (operators see them in the outbox)."""
    result = session.connection().execute(
        update(_N)
        .where(*_HELD)
        .values(
            status="failed",
            last_error=f"cannot compose: {failed.error}",
            claimed_by=None,
            claimed_until=None,
            updated_at=at,
        ),
        {"ids": failed.ids, "token": token},
    )
    return int(result.rowcount)


class _Ahead(Generic[T]):
    """Runs an iterator in a thread of its own, at most ``depth`` items ahead of its reader:
    emails are composed (CPU) while the sender waits for the SMTP server and the database's
    commits (which release the interpreter). Whatever the iterator raises, its reader raises."""

    _END = object()

    def __init__(self, source: Callable[[], Iterator[T]], depth: int = 4) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(source,), daemon=True)
        self._thread.start()

    def _run(self, source: Callable[[], Iterator[T]]) -> None:
        items = source()
        try:
            for item in items:
                self._queue.put(item)
                if self._stop.is_set():
                    return
            self._queue.put(self._END)
        except BaseException as exc:  # handed to the reader, raised there
            self._queue.put(_Raised(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator's own cleanup (its session) runs in its own thread

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield cast(T, item)

    def close(self) -> None:
        """Stop the thread (after the item it is composing) and wait for it."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(timeout=0.01)


@dataclass(frozen=True)
class _Raised:
    exc: BaseException


def _finish_attempt(
    connection: Connection, attempt_id: int, result: str, reply: str, at: datetime, ms: int
) -> None:
    connection.execute(
        _FINISH, {"attempt": attempt_id, "result": result, "reply": reply, "at": at, "ms": ms}
    )


@dataclass(frozen=True)
class _Sent:
    """An email sent and not yet marked: its mark goes into the next unit of the ledger."""

    email: Email
    mark: Mark


def _gives_up(email: Email, now: datetime, next_try: datetime, policy: DispatchPolicy) -> bool:
    """A reminder is worth retrying as long as the next try still comes before the deadline
    it is about has passed, however late the reminder already is (a catch-up after downtime
    must survive an SMTP outage); an alert for ``max_age`` after it was due."""
    first = email.rows[0]
    if first.kind in REMINDER_KINDS and first.deadline_date is not None:
        return all(_expired(row, email.contact, next_try) for row in email.rows)
    return now - first.due_at > policy.max_age


def _mark_failed(
    session: Session,
    email: Email,
    token: str,
    attempt_id: int,
    error: DeliveryError,
    now: datetime,
    at: datetime,
    ms: int,
    policy: DispatchPolicy,
    rng: random.Random,
) -> str | None:
    """Retry later or give up, where ``token`` still holds the rows. Returns "failed",
    "retried", or None when nothing was changed (an earlier try of this transaction
    committed, or the claim was taken over)."""
    first = email.rows[0]
    ids = [r.id for r in email.rows]
    attempts = first.attempts + 1
    delay = min(policy.retry_base * 2 ** min(attempts - 1, 30), policy.retry_cap)
    delay = delay * (1 + 0.25 * rng.random())  # jitter: workers do not retry in lockstep
    gives_up = error.permanent or _gives_up(email, now, now + delay, policy)
    values: dict[str, Any]
    if gives_up:
        why = (
            str(error)
            if error.permanent
            else f"gave up after {attempts} attempts (no time left before its deadline, or too old): {error}"
        )
        values = {"status": "failed", "last_error": why, "claimed_by": None}
    else:
        values = {
            "status": "pending",
            "last_error": str(error),
            "next_attempt_at": now + delay,
            "claimed_by": None,
        }
    changed = session.execute(
        update(Notification)
        .where(*_held(ids, token))
        .values(attempts=attempts, claimed_until=None, updated_at=at, **values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    _finish_attempt(
        session.connection(),
        attempt_id,
        "permanent" if error.permanent else "transient",
        str(error),
        at,
        ms,
    )
    if not changed:
        return None
    if gives_up:
        events.record_event(
            session,
            at,
            events.DELIVERY_FAILED,
            f"email to {email.contact.name} <{email.contact.email}> failed: {values['last_error']}"
            f" (subject: {email.rendered.subject})",
            contact_id=email.contact.id,
            case_id=first.case_id,
            notification_ids=ids,
        )
        return "failed"
    return "retried"


def _give_back(session: Session, at: datetime, *where: Any) -> int:
    """Rows matching ``where`` become pending again, due at once, claimed by nobody."""
    result = session.execute(
        update(Notification)
        .where(*where)
        .values(
            status="pending", claimed_by=None, claimed_until=None, next_attempt_at=at, updated_at=at
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, ids: list[int], token: str, at: datetime) -> int:
    """Give the rows of one claim back (a batch stopped before sending them)."""
    return _give_back(session, at, *_held(ids, token)) if ids else 0


def release_worker(session: Session, worker: str, at: datetime, keep: set[int]) -> int:
    """Give back every row any claim of ``worker`` holds, except ``keep`` (the email still
    being sent: its own batch marks it, or its claim expires)."""
    where = [
        Notification.status == "sending",
        Notification.claimed_by.startswith(f"{worker}#", autoescape=True),
    ]
    if keep:
        where.append(Notification.id.not_in(keep))
    return _give_back(session, at, *where)


def dispatch_due(
    engine: Engine,
    backend: Backend,
    now: datetime,
    *,
    worker: str,
    sender: str,
    policy: DispatchPolicy | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    rng: random.Random | None = None,
    clock: Clock = utc_clock,
    in_hand: set[int] | None = None,
    composer: Composer | None = None,
) -> DispatchReport:
    """Claim, send and mark one batch of due notifications. Returns what happened.

    ``in_hand``, when given, holds the ids of the rows being sent at this moment, for a
    graceful stop run from another thread. ``composer``, when given, composes large batches
    in a process of its own (``notify/composer.py``); otherwise a thread composes ahead.
    """
    policy = policy or DispatchPolicy()
    rng = rng or random.Random()
    in_hand = in_hand if in_hand is not None else set()
    report = DispatchReport()
    token = claim_token(worker)
    size = max(1, min(limit or policy.batch_size, policy.batch_size))
    ids = in_transaction(
        engine, lambda s: claim_due(s, now, token, size, policy.lease, clock), patience=5
    )
    report.claimed = len(ids)
    if not ids:
        return report
    done: set[int] = set()
    sender_loop = _Sender(engine, backend, token, now, policy, rng, clock, report, in_hand)
    emails: _Ahead[Email | _Unwritable] | Iterator[Email | _Unwritable] | None = None
    try:
        groups, report.skipped = in_transaction(
            engine,
            functools.partial(_triage, ids=ids, token=token, now=now, at=clock()),
            patience=5,
        )
        if composer is not None and composer.wanted(groups):
            fallback = functools.partial(_composed, engine, sender=sender, now=now)
            emails = composer.emails(groups, sender, now, fallback, should_stop)
        else:
            emails = _Ahead(functools.partial(_composed, engine, groups, sender, now))
        with backend:
            for email in emails:
                if isinstance(email, _Unwritable):
                    done.update(email.ids)
                    report.failed += in_transaction(
                        engine,
                        functools.partial(_unwritable, failed=email, token=token, at=clock()),
                        patience=5,
                    )
                    continue
                if should_stop():
                    break
                # From here on this batch never gives the email's rows back: once the send
                # may have happened, only a mark or the claim's expiry may free them.
                done.update(row.id for row in email.rows)
                sender_loop.send(email)
    finally:
        if isinstance(emails, _Ahead | Generator):
            emails.close()
        try:
            sender_loop.flush()
        finally:
            leftover = [i for i in ids if i not in done]
            if leftover:
                report.released += in_transaction(
                    engine,
                    functools.partial(release, ids=leftover, token=token, at=clock()),
                    patience=5,
                )
    return report


class _Sender:
    """Renew, send, mark: the fenced heart of delivery, one commit per email (``ledger``).

    The mark of an email that went out is written in the same transaction as the renewal
    and attempt record of the next one, which commits before that next email is sent; the
    last mark of a batch has a transaction of its own (``flush``). So an email's rows are
    marked sent before any later email is sent, at one commit per email instead of two.
    Until its mark commits, an email's rows stay in ``in_hand``: a graceful stop never gives
    back rows that were sent and not yet marked.
    """

    def __init__(
        self,
        engine: Engine,
        backend: Backend,
        token: str,
        now: datetime,
        policy: DispatchPolicy,
        rng: random.Random,
        clock: Clock,
        report: DispatchReport,
        in_hand: set[int],
    ) -> None:
        self.engine, self.backend, self.token, self.now = engine, backend, token, now
        self.policy, self.rng, self.clock, self.report = policy, rng, clock, report
        self.in_hand = in_hand
        self.ledger = Ledger(engine, token)
        self.unmarked: _Sent | None = None
        # A mark is worth waiting for (a failed mark means a resend), as long as the claim
        # lasts.
        self.patience = policy.lease.total_seconds() / 2

    def _marked(self, marked: int | None) -> None:
        """Account for the mark just committed, and let go of its rows."""
        sent, self.unmarked = self.unmarked, None
        if sent is None or marked is None:
            return
        rows = [row.id for row in sent.email.rows]
        if marked != len(rows):
            log.warning(
                "email %s was sent but its claim had been taken over; it may go out twice",
                sent.email.message_id,
            )
        self.report.sent += marked
        self.in_hand.difference_update(rows)

    def flush(self) -> None:
        """Commit the mark still pending (the batch's last email, or one before a stop)."""
        try:
            if self.unmarked is not None:
                self._marked(
                    self.ledger.mark(self.unmarked.mark, self.clock, patience=self.patience)
                )
        finally:
            self.ledger.close()

    def send(self, email: Email) -> None:
        rows = [row.id for row in email.rows]
        # In hand before the claim is renewed: a graceful stop running beside this thread
        # gives back every claim of this worker except these.
        self.in_hand.update(rows)
        try:
            self._send(email, rows)
        finally:
            if self.unmarked is None or self.unmarked.email is not email:
                self.in_hand.difference_update(rows)

    def _send(self, email: Email, rows: list[int]) -> None:
        clock, policy = self.clock, self.policy
        marked, attempt_id = self.ledger.mark_and_start(
            self.unmarked.mark if self.unmarked else None,
            rows,
            clock() + policy.lease,
            clock,
            patience=self.patience if self.unmarked else 5,
        )
        self._marked(marked)
        if attempt_id is None:
            # The claim was taken over (it expired while this batch was busy): the new owner
            # sends it. Never send what this token no longer holds.
            self.report.lost += len(rows)
            return
        started = time.monotonic()
        try:
            reply = self.backend.send(email.built)
        except DeliveryError as exc:
            error = exc
            ms = int((time.monotonic() - started) * 1000)
            outcome = in_transaction(
                self.engine,
                lambda s: _mark_failed(
                    s, email, self.token, attempt_id, error, self.now, clock(), ms, policy, self.rng
                ),
                patience=self.patience,
            )
            if outcome == "failed":
                self.report.failed += len(rows)
            elif outcome == "retried":
                self.report.retried += len(rows)
        else:
            ms = int((time.monotonic() - started) * 1000)
            self.unmarked = _Sent(email, Mark(rows, attempt_id, reply, ms))
            self.report.emails += 1
            self.report.replies.append(reply)
        self.report.send_seconds += time.monotonic() - started


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
