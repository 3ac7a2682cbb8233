"""Settings: ``config/monitor.toml`` overridden by the environment, read once into one object.

Nothing here is read at import time. Secrets (the SMTP password, tokens in URLs) come only from
the environment and are masked whenever settings are shown.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.errors import ConfigError, Problem
from monitor.tomlsource import TomlSyntaxError, format_path, load_toml


@dataclass(frozen=True)
class Spec:
    name: str
    section: str
    key: str
    env: tuple[str, ...]
    default: Any
    meaning: str
    kind: type = str
    secret: bool = False
    file_allowed: bool = True


SPECS: tuple[Spec, ...] = (
    Spec(
        "database_url",
        "database",
        "url",
        ("MONITOR_DATABASE_URL", "DATABASE_URL"),
        None,
        "SQLAlchemy URL of the database; default: a SQLite file var/monitor.db",
    ),
    Spec(
        "var_dir",
        "paths",
        "var_dir",
        ("MONITOR_VAR_DIR",),
        "var",
        "where local state lives (SQLite file, .eml outbox), relative to the project folder",
    ),
    Spec(
        "mail_backend",
        "mail",
        "backend",
        ("MONITOR_MAIL_BACKEND",),
        None,
        "'files' (write .eml files) or 'smtp'; default: smtp when smtp_url is set, else files",
    ),
    Spec(
        "mail_from",
        "mail",
        "from",
        ("MONITOR_MAIL_FROM",),
        "Court Deadline Monitor <monitor@localhost>",
        "the From address of every email",
    ),
    Spec(
        "smtp_url",
        "mail",
        "smtp_url",
        ("MONITOR_SMTP_URL",),
        None,
        "smtp://user@host:587 (STARTTLS) or smtps://user@host:465; no password in it",
    ),
    Spec(
        "smtp_password",
        "mail",
        "smtp_password",
        ("MONITOR_SMTP_PASSWORD",),
        None,
        "the SMTP password (environment only)",
        secret=True,
        file_allowed=False,
    ),
    Spec(
        "smtp_timeout_seconds",
        "mail",
        "smtp_timeout_seconds",
        ("MONITOR_SMTP_TIMEOUT",),
        30,
        "the most one email may take to send, connection included; a claim must outlive it",
        kind=int,
    ),
    Spec(
        "compose_processes",
        "mail",
        "compose_processes",
        ("MONITOR_COMPOSE_PROCESSES",),
        None,
        "1: large batches are composed in a second process beside the sender (about twice as"
        " fast; about 60 MB more memory while it runs, stopped after 10 idle minutes); 0: in"
        " the worker's own; default: 1 on a machine with two or more cores",
        kind=int,
    ),
    Spec(
        "outbox_dir",
        "mail",
        "outbox_dir",
        ("MONITOR_OUTBOX_DIR",),
        None,
        "where the files backend writes .eml files; default: var/outbox",
    ),
    Spec(
        "heartbeat_url",
        "worker",
        "heartbeat_url",
        ("MONITOR_HEARTBEAT_URL",),
        None,
        "URL the worker GETs after each good cycle (dead man's switch)",
        secret=True,
    ),
    Spec(
        "poll_interval_seconds",
        "worker",
        "poll_interval_seconds",
        ("MONITOR_POLL_INTERVAL",),
        60,
        "how often the worker looks for sources due to be polled",
        kind=int,
    ),
    Spec(
        "dispatch_interval_seconds",
        "worker",
        "dispatch_interval_seconds",
        ("MONITOR_DISPATCH_INTERVAL",),
        30,
        "how often the worker sends due notifications",
        kind=int,
    ),
    Spec(
        "claim_lease_seconds",
        "worker",
        "claim_lease_seconds",
        ("MONITOR_CLAIM_LEASE",),
        300,
        "how long a claim on a notification or source lasts; a dead worker's claims are taken back after it",
        kind=int,
    ),
    Spec(
        "heartbeat_interval_seconds",
        "worker",
        "heartbeat_interval_seconds",
        ("MONITOR_HEARTBEAT_INTERVAL",),
        30,
        "how often a worker records that it is alive",
        kind=int,
    ),
    Spec(
        "source_down_after",
        "sources",
        "down_after_failures",
        ("MONITOR_SOURCE_DOWN_AFTER",),
        3,
        "consecutive failed polls after which the operators hear that a source is down",
        kind=int,
    ),
    Spec(
        "host_gap_ms",
        "sources",
        "host_gap_ms",
        ("MONITOR_HOST_GAP_MS",),
        1000,
        "minimum time between two requests to the same host, in milliseconds",
        kind=int,
    ),
    Spec(
        "snapshot_retention_days",
        "sources",
        "snapshot_retention_days",
        ("MONITOR_SNAPSHOT_RETENTION_DAYS",),
        365,
        "snapshots older than this are pruned, except those a decision cites",
        kind=int,
    ),
    Spec(
        "base_url",
        "web",
        "base_url",
        ("MONITOR_BASE_URL",),
        None,
        "public address of `monitor web` (https://monitor.example.org); emails carry links only when set",
    ),
    Spec(
        "secret_key",
        "web",
        "secret_key",
        ("MONITOR_SECRET_KEY",),
        None,
        "signs every link and cookie (environment only); default: generated once into var/secret_key",
        secret=True,
        file_allowed=False,
    ),
)

SECRET_KEY_FILE = "secret_key"

_SECTIONS = {spec.section for spec in SPECS}


@dataclass(frozen=True)
class Settings:
    config_dir: Path
    project_dir: Path
    database_url: str
    var_dir: Path
    mail_backend: str
    mail_from: str
    smtp_url: str | None
    smtp_password: str | None
    outbox_dir: Path
    heartbeat_url: str | None
    poll_interval_seconds: int
    dispatch_interval_seconds: int
    claim_lease_seconds: int = 300
    heartbeat_interval_seconds: int = 30
    source_down_after: int = 3
    host_gap_ms: int = 1000
    snapshot_retention_days: int = 365
    smtp_timeout_seconds: int = 30
    compose_processes: int = 0
    base_url: str | None = None
    secret_key: str | None = None
    origins: dict[str, str] = field(default_factory=dict)

    def shown(self) -> list[tuple[str, str, str]]:
        """(name, value with secrets masked, where it came from), for `monitor config show`."""
        rows = [("config_dir", str(self.config_dir), self.origins.get("config_dir", "default"))]
        for spec in SPECS:
            value = getattr(self, spec.name)
            rows.append((spec.name, mask(spec, value), self.origins.get(spec.name, "default")))
        return rows


# What each number may be: past these a worker would sleep for ever, or overflow a date.
_BOUNDS: dict[str, tuple[int, int]] = {
    "claim_lease_seconds": (1, 86400),
    "heartbeat_interval_seconds": (1, 86400),
    "poll_interval_seconds": (1, 86400),
    "dispatch_interval_seconds": (1, 86400),
    "source_down_after": (1, 10000),
    "host_gap_ms": (0, 3_600_000),
    "snapshot_retention_days": (1, 36500),
    "smtp_timeout_seconds": (1, 3600),
    "compose_processes": (0, 1),
}
_DATABASES = ("sqlite", "postgresql")


def database_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a database URL of ours, or None."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "is not a database URL (expected sqlite:///path or postgresql://user@host/db)"
    if parsed.get_backend_name() not in _DATABASES:
        return (
            f"{parsed.get_backend_name()!r} databases are not supported"
            " (use sqlite:///path or postgresql://user@host/db)"
        )
    return None


def _mail_from_problems(value: Any, origin: str) -> list[Problem]:
    from email.utils import parseaddr

    from monitor.notify.headers import check_address, unsafe_reason

    if not isinstance(value, str):
        return []
    problem = unsafe_reason(value)
    if problem is None:
        problem = check_address(parseaddr(value)[1] or value)
    return [Problem(origin, None, "mail.from", problem)] if problem else []


def mask(spec: Spec, value: Any) -> str:
    if value is None:
        return "(not set)"
    if spec.secret and spec.name in ("smtp_password", "secret_key"):
        return "********"
    if spec.name == "database_url":
        try:
            return make_url(str(value)).render_as_string(hide_password=True)
        except ArgumentError:
            return "(unreadable URL)"
    if spec.secret:
        parts = urlsplit(str(value))
        return f"{parts.scheme}://{parts.hostname}/********" if parts.hostname else "********"
    return str(value)


def _normalise_database_url(url: str) -> str:
    # Platforms hand out postgres:// URLs; SQLAlchemy wants a dialect and we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(config_dir: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``config_dir/monitor.toml`` (optional) and the environment. Raises ConfigError."""
    env = os.environ if environ is None else environ
    config_dir = config_dir.resolve()
    project_dir = config_dir.parent
    path = config_dir / "monitor.toml"
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    doc = None
    if path.exists():
        try:
            doc = load_toml(path, "monitor.toml")
            data = doc.data
        except TomlSyntaxError as exc:
            raise ConfigError([exc.problem]) from exc
    if doc:
        for section, table in data.items():
            if section not in _SECTIONS:
                problems.append(
                    doc.problem(
                        (section,), f"unknown section (known: {', '.join(sorted(_SECTIONS))})"
                    )
                )
            elif not isinstance(table, dict):
                problems.append(doc.problem((section,), "must be a table like [section]"))
            else:
                known = {s.key for s in SPECS if s.section == section}
                problems.extend(
                    doc.problem((section, key), f"unknown key (known: {', '.join(sorted(known))})")
                    for key in table
                    if key not in known
                )
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for spec in SPECS:
        value, origin = spec.default, "default"
        table = data.get(spec.section)
        if isinstance(table, dict) and spec.key in table and doc is not None:
            keypath = (spec.section, spec.key)
            if not spec.file_allowed:
                problems.append(
                    doc.problem(
                        keypath, f"secrets are not kept in files: set {spec.env[0]} instead"
                    )
                )
            elif not isinstance(table[spec.key], spec.kind) or isinstance(table[spec.key], bool):
                problems.append(
                    doc.problem(keypath, f"must be a {'number' if spec.kind is int else 'string'}")
                )
            else:
                value = table[spec.key]
                origin = f"monitor.toml:{doc.line_of(keypath)} ({format_path(keypath)})"
        for var in spec.env:
            if env.get(var):
                raw = env[var]
                if spec.kind is int:
                    try:
                        value = int(raw)
                    except ValueError:
                        problems.append(
                            Problem(
                                f"environment {var}", None, "", f"{raw!r} is not a whole number"
                            )
                        )
                        break
                else:
                    value = raw
                origin = f"environment {var}"
                break
        values[spec.name] = value
        origins[spec.name] = origin

    smtp_url = values["smtp_url"]
    if smtp_url:
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps"):
            problems.append(
                Problem(
                    origins["smtp_url"],
                    None,
                    "mail.smtp_url",
                    "must start with smtp:// or smtps://",
                )
            )
        try:
            port_ok = parts.port != 0
        except ValueError:
            port_ok = False
        if not port_ok:
            problems.append(
                Problem(
                    origins["smtp_url"],
                    None,
                    "mail.smtp_url",
                    "the port must be a number from 1 to 65535",
                )
            )
        if parts.password:
            problems.append(
                Problem(
                    origins["smtp_url"],
                    None,
                    "mail.smtp_url",
                    "must not contain a password: set MONITOR_SMTP_PASSWORD instead",
                )
            )
    backend = values["mail_backend"] or ("smtp" if smtp_url else "files")
    if values["mail_backend"] is None:
        origins["mail_backend"] = "derived from smtp_url" if smtp_url else "default"
    if backend not in ("files", "smtp"):
        problems.append(
            Problem(
                origins["mail_backend"],
                None,
                "mail.backend",
                f"{backend!r} is not 'files' or 'smtp'",
            )
        )
    elif backend == "smtp" and not smtp_url:
        problems.append(
            Problem(
                origins["mail_backend"],
                None,
                "mail.backend",
                "'smtp' needs mail.smtp_url (or MONITOR_SMTP_URL)",
            )
        )
    for name, (low, high) in _BOUNDS.items():
        if isinstance(values[name], int) and not low <= values[name] <= high:
            problems.append(Problem(origins[name], None, name, f"must be from {low} to {high}"))
    problems.extend(_mail_from_problems(values["mail_from"], origins["mail_from"]))
    if values["database_url"]:
        problem = database_url_problem(_normalise_database_url(values["database_url"]))
        if problem:
            problems.append(Problem(origins["database_url"], None, "database.url", problem))
    lease, smtp_timeout = values["claim_lease_seconds"], values["smtp_timeout_seconds"]
    if (
        backend == "smtp"
        and isinstance(lease, int)
        and isinstance(smtp_timeout, int)
        and smtp_timeout > 0
        and lease <= 2 * smtp_timeout
    ):
        # The dispatcher renews its claim right before each send; the claim must outlive
        # the longest send, or another worker could take the row mid-send and send it too.
        problems.append(
            Problem(
                origins["claim_lease_seconds"],
                None,
                "worker.claim_lease_seconds",
                f"{lease} s must be more than twice mail.smtp_timeout_seconds ({smtp_timeout} s),"
                " so that a claim outlives one send: raise the lease or lower the timeout",
            )
        )
    base_url = values["base_url"]
    if base_url and urlsplit(base_url).scheme not in ("http", "https"):
        problems.append(
            Problem(
                origins["base_url"], None, "web.base_url", "must start with https:// or http://"
            )
        )
    if problems:
        raise ConfigError(problems)

    var_dir = Path(values["var_dir"])
    var_dir = var_dir if var_dir.is_absolute() else project_dir / var_dir
    database_url = values["database_url"] or f"sqlite:///{var_dir / 'monitor.db'}"
    if values["database_url"] is None:
        origins["database_url"] = "default (var_dir)"
    outbox_dir = Path(values["outbox_dir"]) if values["outbox_dir"] else var_dir / "outbox"
    if not outbox_dir.is_absolute():
        outbox_dir = project_dir / outbox_dir
    origins["config_dir"] = origins.get("config_dir", "default")
    if values["secret_key"] is None:
        key_file = var_dir / SECRET_KEY_FILE
        origins["secret_key"] = (
            f"generated, kept in {key_file}"
            if key_file.exists()
            else f"not set: generated into {key_file} on first use"
        )
    return Settings(
        config_dir=config_dir,
        project_dir=project_dir,
        database_url=_normalise_database_url(database_url),
        var_dir=var_dir,
        mail_backend=backend,
        mail_from=values["mail_from"],
        smtp_url=smtp_url,
        smtp_password=values["smtp_password"],
        outbox_dir=outbox_dir,
        heartbeat_url=values["heartbeat_url"],
        poll_interval_seconds=values["poll_interval_seconds"],
        dispatch_interval_seconds=values["dispatch_interval_seconds"],
        claim_lease_seconds=values["claim_lease_seconds"],
        heartbeat_interval_seconds=values["heartbeat_interval_seconds"],
        source_down_after=values["source_down_after"],
        host_gap_ms=values["host_gap_ms"],
        snapshot_retention_days=values["snapshot_retention_days"],
        smtp_timeout_seconds=values["smtp_timeout_seconds"],
        compose_processes=_compose_processes(values["compose_processes"], origins),
        base_url=base_url.rstrip("/") if base_url else None,
        secret_key=values["secret_key"],
        origins=origins,
    )


def _compose_processes(value: int | None, origins: dict[str, str]) -> int:
    if value is not None:
        return value
    cores = os.cpu_count() or 1
    origins["compose_processes"] = f"default ({cores} core{'s' if cores > 1 else ''})"
    return 1 if cores >= 2 else 0


def secret_key(settings: Settings) -> str:
    """The key that signs links and cookies: MONITOR_SECRET_KEY, or one generated once into
    the var folder, readable by its owner only (a key anyone on the host can read signs
    anyone's links)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / SECRET_KEY_FILE
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text(encoding="ascii").strip()
