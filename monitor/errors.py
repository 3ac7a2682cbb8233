"""The one small error tree. The CLI turns any MonitorError into one readable line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a config file, located for a person to fix."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(MonitorError):
    """The configuration is wrong. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid configuration"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class UsageError(MonitorError):
    """A command was asked something it cannot do (unknown case, bad date on the command line)."""


class NotFound(UsageError):
    """Something asked for by its id that is not there (a case, a source, a notification)."""


class RuleError(MonitorError):
    """A deadline rule is unknown or its options make no sense."""


class SchemaError(MonitorError):
    """The database schema is not the one this version of the code expects."""


class FetchError(MonitorError):
    """A source could not be fetched."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        self.message = message
        # Seconds the server asked us to wait (429/503 Retry-After), if it said.
        self.retry_after: float | None = None
        super().__init__(f"{url}: {message}" + (f" (HTTP {status})" if status else ""))


class DeliveryError(MonitorError):
    """An email could not be delivered. Permanent errors are not retried."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        self.permanent = permanent
        super().__init__(message)


class DatabaseError(MonitorError):
    """The database cannot be used: down, missing, out of date, no driver, no folder."""


# psycopg: 'connection failed: connection to server at "h", port 5432 failed: FATAL: why'.
_REASON = re.compile(r".*failed: (?:FATAL:\s*)?(.+)")


def database_error(exc: BaseException, url: str) -> DatabaseError | None:
    """One line for an operator from what SQLAlchemy, a driver or the file system raised while
    opening the database at ``url``; None when ``exc`` is not about the database."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import (
        ArgumentError,
        NoSuchModuleError,
        OperationalError,
        ProgrammingError,
    )

    try:
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return DatabaseError(
            "the database URL cannot be read: set database.url or MONITOR_DATABASE_URL to"
            " sqlite:///path or postgresql://user@host/db"
        )
    if isinstance(exc, ModuleNotFoundError | NoSuchModuleError):
        if parsed.get_backend_name() == "postgresql":
            instead = (
                ""
                if parsed.drivername == "postgresql+psycopg"
                else ", or use postgresql+psycopg://"
            )
            return DatabaseError(
                f"the PostgreSQL driver is not installed ({exc}): run"
                f" pip install 'court-deadline-monitor[postgres]'{instead}"
            )
        return DatabaseError(
            f"no driver for {parsed.drivername!r} ({exc}): use sqlite:///path or"
            " postgresql+psycopg://user@host/db"
        )
    if isinstance(exc, ArgumentError):
        return DatabaseError(f"the database URL {shown} is not usable: {exc}")
    folder = os.path.dirname(parsed.database or "") or "."
    about_folder = isinstance(exc, OSError) and str(exc.filename or "\0") in (
        folder,
        parsed.database,
    )
    if about_folder and parsed.get_backend_name() == "sqlite":
        assert isinstance(exc, OSError)
        reason = exc.strerror or str(exc)
        return DatabaseError(
            f"cannot create the database folder {folder}: {reason}; set paths.var_dir or"
            " MONITOR_VAR_DIR (or database.url) to a folder the monitor may write"
        )
    if isinstance(exc, OperationalError | ProgrammingError):
        raw = " ".join(str(exc.orig).split()) if exc.orig is not None else str(exc)
        if parsed.get_backend_name() == "sqlite":
            if "no such table" in raw or "no such column" in raw:
                return DatabaseError(
                    f"the database schema is out of date ({raw}): run `monitor db upgrade`"
                )
            return DatabaseError(
                f"cannot open the SQLite database {parsed.database}: {raw}; check that its"
                " folder exists and is writable (paths.var_dir, MONITOR_VAR_DIR)"
            )
        found = _REASON.search(raw)
        reason = (found.group(1) if found else raw).split(" Is the server running")[0].strip()
        where = f"host {parsed.host or 'localhost'}, port {parsed.port or 5432}"
        if "does not exist" in reason and "database" in reason:
            return DatabaseError(
                f"the database {parsed.database!r} does not exist on {where}: create it"
                f" (createdb {parsed.database}), then run `monitor db upgrade`"
            )
        if "relation" in reason and "does not exist" in reason:
            return DatabaseError(
                f"the database schema is out of date ({reason}): run `monitor db upgrade`"
            )
        return DatabaseError(
            f"cannot connect to the database ({where}, database {parsed.database}):"
            f" {reason}; check that the server is running and database.url"
            " (or MONITOR_DATABASE_URL)"
        )
    return None
