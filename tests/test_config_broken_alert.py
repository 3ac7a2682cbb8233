"""A broken edit of config/ on disk reaches the operators as one email, and status says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from monitor.db import session_scope
from monitor.models import Contact, Notification
from monitor.notify.compose import compose
from monitor.settings import load_settings
from monitor.worker import Worker
from tests.test_config_check import replace


def test_operators_get_one_email_about_a_broken_config(
    sqlite_engine: Engine, config_dir: Path
) -> None:
    now = datetime(2016, 8, 5, 8, tzinfo=UTC)
    worker = Worker(sqlite_engine, load_settings(config_dir, {}), clock=lambda: now)
    worker.start(now)
    replace(config_dir / "contacts.toml", 'language = "ru"', 'language = "kk"')
    assert worker.plan(now + timedelta(minutes=5))["config"] == "broken"
    # Nothing changed on disk since: no second email.
    assert worker.plan(now + timedelta(minutes=10))["config"] == "unchanged"
    worker.stop(now + timedelta(minutes=11))
    with session_scope(sqlite_engine) as session:
        rows = list(session.scalars(select(Notification).where(Notification.kind == "alert")))
        contacts = {session.get(Contact, r.contact_id).key for r in rows}  # type: ignore[union-attr]
        assert contacts == {"operator"}
        [row] = rows
        email = compose(session, [row], "M <m@example.org>", now + timedelta(minutes=15))
    assert email.rendered.subject == "Config is broken"
    assert "nothing of the change was applied" in email.rendered.text
    assert (
        "contacts.toml:16: contacts[1].language: 'kk' is not one of: en, ru" in email.rendered.text
    )


def test_status_says_the_config_on_disk_is_broken(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    replace(config_dir / "contacts.toml", 'language = "ru"', 'language = "kk"')
    problems = json.loads(run("status", "--json").out)["problems"]
    assert any("the config on disk is broken" in p for p in problems)
