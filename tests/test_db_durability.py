"""Which writes wait for the disk: all of them, except the dispatcher's own bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from monitor.db import bookkeeping_engine, make_engine
from monitor.notify.deliver import FileBackend
from monitor.settings import load_settings
from monitor.worker import Worker
from tests.worker_helpers import decided_days_ago, due_notifications, without_sources


def _waits_for_disk(engine: Engine) -> bool:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # 2 is FULL: each commit waits until the WAL is on disk; 1 is NORMAL.
            return connection.execute(text("PRAGMA synchronous")).scalar() == 2
        return connection.execute(text("SHOW synchronous_commit")).scalar() == "on"


def test_every_write_waits_for_the_disk_but_the_dispatchers_bookkeeping(engine: Engine) -> None:
    bookkeeping = bookkeeping_engine(engine)
    try:
        assert _waits_for_disk(engine)
        assert not _waits_for_disk(bookkeeping)
        assert bookkeeping.url == engine.url  # the same database, other connections
    finally:
        bookkeeping.dispose()


def test_an_in_memory_database_keeps_its_one_engine() -> None:
    engine = make_engine("sqlite://")
    assert bookkeeping_engine(engine) is engine


def test_the_worker_sends_through_the_bookkeeping_engine(
    sqlite_engine: Engine, config_dir: Path, tmp_path: Path
) -> None:
    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    due_notifications(sqlite_engine, config_dir, 2)
    worker = Worker(
        sqlite_engine, load_settings(config_dir, {}), backend=FileBackend(tmp_path / "out")
    )
    try:
        assert worker.bookkeeping is not sqlite_engine
        assert worker.bookkeeping.pool.checkedin() == 0  # type: ignore[attr-defined]
        assert worker.dispatch(datetime.now(UTC))["sent"] == 2
        # Its connections were the ones that claimed, recorded and marked.
        assert worker.bookkeeping.pool.checkedin() > 0  # type: ignore[attr-defined]
        assert not _waits_for_disk(worker.bookkeeping)
    finally:
        worker.bookkeeping.dispose()
