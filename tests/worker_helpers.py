"""Helpers to run real worker processes against a real database and a real SMTP server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from monitor.catalog import load_catalog
from monitor.db import session_scope
from monitor.models import Notification
from monitor.sync import sync_catalog


def without_sources(config_dir: Path) -> None:
    """Tests never reach outside the machine: drop the example's public source."""
    path = config_dir / "cases" / "kozlov.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("[[sources]]")], encoding="utf-8")


def decided_days_ago(config_dir: Path, days: int) -> date:
    """Move the example decision so that its deadlines lie ahead of the real clock."""
    decided = datetime.now(UTC).date() - timedelta(days=days)
    path = config_dir / "cases" / "kozlov.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'date = "2016-08-04"', f'date = "{decided.isoformat()}"'
        ),
        encoding="utf-8",
    )
    return decided


def due_notifications(engine: Engine, config_dir: Path, count: int) -> list[str]:
    """Write a config whose plan has ``count`` reminders due now (one per advocate), sync it,
    and return their Message-IDs. Real reminders: the planner keeps them, the dispatcher
    composes them like any other."""
    today = datetime.now(UTC).date()
    contacts = "".join(
        f'[[contacts]]\nid = "a{n}"\nname = "Advocate {n}"\nemail = "a{n}@example.org"\ntimezone = "UTC"\n\n'
        for n in range(count)
    )
    (config_dir / "contacts.toml").write_text(contacts, encoding="utf-8")
    # Decided two days ago; 5 calendar days, not rolled: in force in 4 days. A reminder 4 days
    # before, at 00:00 UTC, is due now with its deadline ahead.
    subscriptions = "".join(
        f'[[subscriptions]]\ncontact = "a{n}"\nrole = "advocate"\noffsets = [4]\nsend_time = "00:00"\n\n'
        for n in range(count)
    )
    case = f"""id = "load"
title = "Load test case"
jurisdiction = "KZ"
aliases = ["Load"]

[[decisions]]
id = "d1"
date = "{(today - timedelta(days=2)).isoformat()}"
court = "Test Court"
kind = "release"
rule = "calendar-days:5"
rule_options = {{ roll = "none" }}

{subscriptions}"""
    for old in (config_dir / "cases").glob("*.toml"):
        old.unlink()
    (config_dir / "cases" / "load.toml").write_text(case, encoding="utf-8")
    with session_scope(engine) as session:
        sync_catalog(session, load_catalog(config_dir), datetime.now(UTC))
    with session_scope(engine) as session:
        rows = list(session.scalars(select(Notification).where(Notification.status == "pending")))
        due = [r.message_id for r in rows if r.due_at <= datetime.now(UTC)]
    assert len(due) == count, (len(due), count)
    return due


def start_worker(
    config_dir: Path, database_url: str, smtp_url: str, *extra: str, **env: str
) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "MONITOR_DATABASE_URL": database_url,
        "MONITOR_SMTP_URL": smtp_url,
        "MONITOR_DISPATCH_INTERVAL": "1",
        "MONITOR_HEARTBEAT_INTERVAL": "1",
        "MONITOR_POLL_INTERVAL": "3600",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config_dir), "worker", *extra],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(
    condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition"
) -> None:
    """Wait for another process to do something (not for a clock): poll, with a generous limit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def statuses(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        out: dict[str, int] = {}
        for status in session.scalars(select(Notification.status)):
            out[status] = out.get(status, 0) + 1
        return out
