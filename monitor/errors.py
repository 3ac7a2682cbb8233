"""The one small error tree. The CLI turns any MonitorError into one readable line."""

from __future__ import annotations

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
