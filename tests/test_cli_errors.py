"""Errors reach a person as one line with what to do, and a meaningful exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CONFIG, free_port


def monitor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(EXAMPLE_CONFIG), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


CASES = [
    pytest.param(
        {"MONITOR_DATABASE_URL": "postgresql+psycopg://monitor@127.0.0.1:{port}/monitor"},
        "cannot connect to the database (host 127.0.0.1, port {port}, database monitor):"
        " Connection refused",
        id="server-down",
    ),
    pytest.param(
        {"MONITOR_DATABASE_URL": "postgresql+pg8000://monitor@127.0.0.1:{port}/monitor"},
        "the PostgreSQL driver is not installed (No module named 'pg8000'): run pip install"
        " 'court-deadline-monitor[postgres]'",
        id="driver-missing",
    ),
    pytest.param(
        {"MONITOR_DATABASE_URL": "mysql://monitor@127.0.0.1/monitor"},
        "'mysql' databases are not supported",
        id="unsupported-url",
    ),
    pytest.param(
        {"MONITOR_DATABASE_URL": "not a url"},
        "database.url: is not a database URL",
        id="unreadable-url",
    ),
    pytest.param(
        {"MONITOR_VAR_DIR": "/dev/null/var"},
        "cannot create the database folder /dev/null/var: Not a directory",
        id="var-folder-not-writable",
    ),
]


@pytest.mark.parametrize(("env", "message"), CASES)
def test_database_trouble_is_one_line_with_exit_code_1(env: dict[str, str], message: str) -> None:
    assert_one_line(("status",), env, message)


@pytest.mark.parametrize("command", [("sync",), ("outbox",), ("db", "upgrade"), ("deadlines",)])
def test_every_command_that_opens_the_database_says_it_in_one_line(
    command: tuple[str, ...],
) -> None:
    env, message = CASES[0].values  # type: ignore[misc]
    assert_one_line(command, env, message)  # type: ignore[arg-type]


def assert_one_line(command: tuple[str, ...], env: dict[str, str], message: str) -> None:
    port = str(free_port())
    result = monitor(*command, env={k: v.format(port=port) for k, v in env.items()})
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("error: ")
    assert message.format(port=port) in lines[0]
    # A config problem adds its count line; anything else is exactly one line.
    assert len(lines) == 1 or lines[1].endswith("nothing was applied")


def test_debug_shows_the_traceback() -> None:
    port = str(free_port())
    url = f"postgresql+psycopg://monitor@127.0.0.1:{port}/monitor"
    result = monitor("--debug", "status", env={"MONITOR_DATABASE_URL": url})
    assert result.returncode == 1
    assert "Traceback" in result.stderr


@pytest.mark.postgres
def test_a_missing_postgresql_database_says_to_create_it() -> None:
    base = os.environ.get("MONITOR_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("MONITOR_TEST_POSTGRES_URL is not set")
    url = base.rsplit("/", 1)[0] + "/no_such_database_13"
    result = monitor("status", env={"MONITOR_DATABASE_URL": url})
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "the database 'no_such_database_13' does not exist" in line
    assert "createdb no_such_database_13" in line


def test_an_empty_database_says_to_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    result = monitor("status", env={"MONITOR_DATABASE_URL": url})
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.endswith("run `monitor db upgrade` first")
