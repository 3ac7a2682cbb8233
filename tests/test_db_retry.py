"""A unit of work meets a database error that may pass: it is rolled back and run again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from monitor.db import in_transaction, session_scope
from monitor.models import Contact


def _contact(session: Session) -> None:
    now = datetime(2016, 8, 5, tzinfo=UTC)
    session.add(
        Contact(
            key="c",
            name="C",
            email="c@example.org",
            timezone="UTC",
            language="en",
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()


def contacts(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


def test_a_locked_database_is_waited_for_and_the_work_done_once(sqlite_engine: Engine) -> None:
    calls: list[int] = []
    naps: list[float] = []

    def work(session: Session) -> str:
        calls.append(1)
        _contact(session)
        if len(calls) < 3:  # as SQLite says when another writer holds the lock too long
            raise OperationalError("UPDATE ...", {}, Exception("database is locked"))
        return "done"

    assert in_transaction(sqlite_engine, work, sleep=naps.append) == "done"
    assert len(calls) == 3 and naps == [0.05, 0.1]  # backoff between tries
    assert contacts(sqlite_engine) == 1  # the failed tries were rolled back


def test_an_error_that_will_not_pass_is_raised_at_once(sqlite_engine: Engine) -> None:
    calls: list[int] = []

    def work(session: Session) -> None:
        calls.append(1)
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        in_transaction(sqlite_engine, work, sleep=lambda _: None)
    assert len(calls) == 1


def test_patience_runs_out(sqlite_engine: Engine) -> None:
    def work(session: Session) -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        in_transaction(sqlite_engine, work, patience=0.01, sleep=lambda _: None)


def test_an_engines_session_factory_is_one_and_goes_away_with_it() -> None:
    import gc
    import weakref

    from sqlalchemy import create_engine

    from monitor.db import session_factory

    engine = create_engine("sqlite://")
    factory = session_factory(engine)
    assert session_factory(engine) is factory
    gone = weakref.ref(engine)
    del engine, factory
    gc.collect()
    assert gone() is None  # a worker, a test or a command that drops its engine frees it
