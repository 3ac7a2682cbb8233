"""The send loop's per-email commit (``notify/ledger.py``): one unit that marks the previous
email sent and starts the next one's attempt, fenced by the claim token, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update

from monitor.db import in_transaction, session_scope
from monitor.models import DeliveryAttempt, Notification
from monitor.notify.dispatch import claim_due
from monitor.notify.ledger import Ledger, Mark
from tests.test_deliver_smtp import synced

NOW = datetime(2016, 8, 19, 7, 0, tzinfo=UTC)  # three reminders of the example are due
LEASE = timedelta(minutes=5)


def claimed(engine: Engine, token: str) -> list[int]:
    return in_transaction(engine, lambda s: claim_due(s, NOW, token, 10, LEASE, lambda: NOW))


@contextmanager
def held(engine: Engine) -> Iterator[Ledger]:
    ledger = Ledger(engine, "w#1")
    try:
        yield ledger
    finally:
        ledger.close()


def attempts(engine: Engine) -> list[tuple[int, str, str | None, int | None]]:
    with session_scope(engine) as session:
        return [
            (a.notification_id, a.result, a.reply, a.duration_ms)
            for a in session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))
        ]


def statuses(engine: Engine) -> dict[int, tuple[str, str | None]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Notification).where(Notification.status != "pending"))
        return {row.id: (row.status, row.claimed_by) for row in rows}


def test_one_unit_marks_the_last_email_and_starts_the_next(
    engine: Engine, config_dir: Path
) -> None:
    synced(engine, config_dir)
    first, second, third = claimed(engine, "w#1")
    with held(engine) as ledger:
        marked, attempt = ledger.mark_and_start(None, [first], NOW + LEASE, lambda: NOW, 5)
        assert marked is None and attempt is not None
        later = NOW + timedelta(seconds=2)
        marked, second_attempt = ledger.mark_and_start(
            Mark([first], attempt, "250 OK", 12), [second, third], later + LEASE, lambda: later, 5
        )
        assert marked == 1 and second_attempt is not None
        assert ledger.mark(Mark([second, third], second_attempt, "250 OK 2", 7), lambda: later, 5)
    assert attempts(engine) == [(first, "sent", "250 OK", 12), (second, "sent", "250 OK 2", 7)]
    with session_scope(engine) as session:
        row = session.get(Notification, first)
        assert row is not None
        assert (row.status, row.sent_at, row.attempts, row.claimed_until) == (
            "sent",
            later,
            1,
            None,
        )
        renewed = session.get(Notification, third)
        assert renewed is not None and renewed.status == "sent"
        # Stored exactly as the models store instants: a query by the same instant finds them
        # (on SQLite a text comparison, where "07:00:02" is not "07:00:02.000000").
        found = session.scalars(select(Notification.id).where(Notification.sent_at == later))
        assert sorted(found) == sorted([first, second, third])
        started = session.scalars(
            select(DeliveryAttempt.id).where(DeliveryAttempt.started_at == NOW)
        )
        assert len(list(started)) == 1


def test_no_attempt_starts_unless_the_token_still_holds_every_row(
    engine: Engine, config_dir: Path
) -> None:
    synced(engine, config_dir)
    first, second, third = claimed(engine, "w#1")
    with held(engine) as ledger:
        _, attempt = ledger.mark_and_start(None, [first], NOW + LEASE, lambda: NOW, 5)
        assert attempt is not None
        # Another worker took the third row over (its claim had expired).
        with session_scope(engine) as session:
            session.execute(
                update(Notification).where(Notification.id == third).values(claimed_by="v#9")
            )
        marked, lost = ledger.mark_and_start(
            Mark([first], attempt, "250 OK", 3), [second, third], NOW + LEASE, lambda: NOW, 5
        )
    # The mark of the email that went out still commits; nothing is started for the other.
    assert (marked, lost) == (1, None)
    assert attempts(engine) == [(first, "sent", "250 OK", 3)]
    assert statuses(engine) == {
        first: ("sent", "w#1"),
        second: ("sending", "w#1"),
        third: ("sending", "v#9"),
    }


def test_a_mark_an_earlier_try_committed_is_counted_not_lost(
    engine: Engine, config_dir: Path
) -> None:
    synced(engine, config_dir)
    first, second, _ = claimed(engine, "w#1")
    with held(engine) as ledger:
        _, attempt = ledger.mark_and_start(None, [first, second], NOW + LEASE, lambda: NOW, 5)
        assert attempt is not None
        mark = Mark([first, second], attempt, "250 OK", 3)
        assert ledger.mark(mark, lambda: NOW, 5) == 2
        # The same unit again, as after a connection lost once the commit was made: counted,
        # and the attempt's end is not written over.
        assert ledger.mark(mark, lambda: NOW + LEASE, 5) == 2
        with session_scope(engine) as session:
            done = session.get(DeliveryAttempt, attempt)
            assert done is not None and done.finished_at == NOW
        # A row some other token marked is not this token's.
        with session_scope(engine) as session:
            session.execute(
                update(Notification).where(Notification.id == second).values(claimed_by="v#9")
            )
        assert ledger.mark(mark, lambda: NOW, 5) == 1
