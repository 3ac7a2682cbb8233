"""Engine, sessions and migrations. Entry points own the session: ``with session_scope(...)``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The revision this code needs. The worker and every command check the database against it
# without loading Alembic (a third of the worker's start-up); a test keeps it equal to the
# head of the migrations, so a new migration cannot be forgotten here.
SCHEMA_HEAD = "0008"

log = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str, *, wait_for_disk: bool = True) -> Engine:
    """An engine for ``url``. ``wait_for_disk=False`` is for the dispatcher's bookkeeping only
    (see ``bookkeeping_engine``): its commits survive any crash of the process, and are on
    disk once anything else commits or SQLite checkpoints, but do not each wait for the disk."""
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
            cursor.execute(f"PRAGMA synchronous={'FULL' if wait_for_disk else 'NORMAL'}")
            cursor.close()

        return engine
    if not wait_for_disk:
        return create_engine(
            url, pool_pre_ping=True, connect_args={"options": "-c synchronous_commit=off"}
        )
    return create_engine(url, pool_pre_ping=True)


def bookkeeping_engine(engine: Engine) -> Engine:
    """The engine the dispatcher records its claims, attempts and marks with.

    Every other write (a fact recorded, a decision, the plan) waits until it is on disk before
    its command or page says it is done. The dispatcher writes one to three times per email,
    and waiting for the disk each time was most of what an email cost. What it gives up is
    narrow: a process that dies loses nothing (SQLite's WAL and PostgreSQL's
    ``synchronous_commit = off`` both keep every commit across a crash of the process); only
    a crash of the whole machine or database server may lose its last fraction of a second of
    bookkeeping, and then those emails are sent again, with their Message-IDs, exactly as
    after a worker killed between a send and its mark. No email is lost that way: a claim or
    a mark rolled back leaves the row to be sent again, never marked sent unsent.

    An in-memory SQLite database is one per connection pool, so it keeps its own engine."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return engine
    return make_engine(url.render_as_string(hide_password=False), wait_for_disk=False)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The engine's one session factory. One per engine: building a sessionmaker makes a
    Session subclass and sets up its events, which costs more than a short transaction's own
    work. Kept on the engine itself (a cycle the collector frees with it; a weak-keyed map
    whose values hold the engine would keep every engine alive)."""
    factory: sessionmaker[Session] | None = engine.__dict__.get("_monitor_sessions")
    if factory is None:
        factory = engine.__dict__.setdefault(
            "_monitor_sessions", sessionmaker(engine, expire_on_commit=False)
        )
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

    def once() -> T:
        with session_scope(engine) as session:
            return work(session)

    return retrying(once, patience, sleep)


def in_connection(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    patience: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``in_transaction`` for table statements only, without an ORM session: for the few
    paths (the dispatcher's per-email commit) where the session's own cost counts."""

    def once() -> T:
        with engine.begin() as connection:
            return work(connection)

    return retrying(once, patience, sleep)


def retrying(once: Callable[[], T], patience: float, sleep: Callable[[float], None]) -> T:
    """Run ``once`` again, with backoff, while it fails in a way that may pass and
    ``patience`` seconds are not spent. ``once`` opens (and ends) its own transaction."""
    give_up = time.monotonic() + patience
    delay = 0.05
    while True:
        try:
            return once()
        except DBAPIError as exc:
            if not is_transient(exc) or time.monotonic() + delay > give_up:
                raise
            log.warning("database unavailable (%s); trying again in %.2f s", one_line(exc), delay)
            sleep(delay)
            delay = min(delay * 2, 2.0)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def database_revision(engine: Engine) -> str | None:
    """The revision recorded in the database's ``alembic_version`` table, None when empty."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
    # Several rows (branches we never make) read as one revision that is not the head.
    return ",".join(versions) or None


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the code's head revision)."""
    return database_revision(engine), SCHEMA_HEAD


def require_current_schema(engine: Engine) -> None:
    current, head = schema_state(engine)
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise SchemaError(
            f"the database is {state}, the code needs {head}: run `monitor db upgrade` first"
        )
