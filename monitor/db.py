"""Engine, sessions and migrations. Entry points own the session: ``with session_scope(...)``."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import SchemaError

MIGRATIONS = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL lets `monitor status` read while the worker writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


_factories: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # One per engine: building a sessionmaker makes a Session subclass and sets up its events,
    # which costs more than a short transaction's own work.
    factory = _factories.get(engine)
    if factory is None:
        factory = _factories.setdefault(engine, sessionmaker(engine, expire_on_commit=False))
    return factory


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with session_factory(engine).begin() as session:
        yield session


def is_transient(exc: BaseException) -> bool:
    """A database error that may pass: SQLite busy or locked, a PostgreSQL connection lost
    (server restarted, connection killed), a server not answering for a moment."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError)


def one_line(exc: BaseException) -> str:
    """A database error as one line, without SQL or parameters."""
    original = getattr(exc, "orig", None) or exc
    first = str(original).strip().splitlines()
    return f"{type(original).__name__}: {first[0] if first else ''}"


def in_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    patience: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``work(session)`` in one transaction; when the database fails in a way that may
    pass (see ``is_transient``), roll back and run it again, with backoff, for up to
    ``patience`` seconds. ``work`` must be safe to run again: every write it makes is
    conditional, or the whole transaction is rolled back before the next try.

    The engine reconnects on its own (pre-ping on PostgreSQL, a new connection after an
    invalidated one); this only decides how long one unit of work waits for it."""
    give_up = time.monotonic() + patience
    delay = 0.05
    while True:
        try:
            with session_scope(engine) as session:
                return work(session)
        except DBAPIError as exc:
            if not is_transient(exc) or time.monotonic() + delay > give_up:
                raise
            log.warning("database unavailable (%s); trying again in %.2f s", one_line(exc), delay)
            sleep(delay)
            delay = min(delay * 2, 2.0)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the code's head revision)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    assert head is not None
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def require_current_schema(engine: Engine) -> None:
    current, head = schema_state(engine)
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise SchemaError(
            f"the database is {state}, the code needs {head}: run `monitor db upgrade` first"
        )
