"""A late email says why it is late, in the reader's local time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from monitor.catalog import load_catalog
from monitor.db import session_scope
from monitor.notify.deliver import SmtpBackend
from monitor.notify.dispatch import dispatch_due
from monitor.sync import sync_catalog
from tests.conftest import BEFORE_KOZLOV, SmtpServer

SEVEN_DAYS_BEFORE = datetime(2016, 8, 13, 7, 0, tzinfo=UTC)  # 09:00 in Warsaw


def sync(engine: Engine, config_dir: Path, now: datetime) -> None:
    with session_scope(engine) as session:
        sync_catalog(session, load_catalog(config_dir), now)


def dispatch(engine: Engine, server: SmtpServer, now: datetime) -> None:
    dispatch_due(
        engine,
        SmtpBackend(server.url),
        now,
        worker="test",
        sender="Monitor <monitor@example.org>",
        rng=random.Random(1),
    )


def first_text(server: SmtpServer) -> tuple[str, str]:
    message = server.recorder.messages()[-1]
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
    return str(message["Subject"]), body  # type: ignore[index]


def test_a_reminder_sent_after_the_worker_was_down_says_so(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    sync(sqlite_engine, config_dir, BEFORE_KOZLOV)
    dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE + timedelta(hours=5))
    subject, body = first_text(smtp_server)
    assert subject.startswith("[late] ")
    assert "it was due at 2016-08-13 09:00 Europe/Warsaw, while the monitor was not running" in body


def test_a_reminder_planned_after_its_time_says_it_was_added_late(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    added = SEVEN_DAYS_BEFORE + timedelta(hours=3)
    sync(sqlite_engine, config_dir, added)
    dispatch(sqlite_engine, smtp_server, added + timedelta(hours=1))
    _, body = first_text(smtp_server)
    assert "before it could be planned" in body
    assert "not running" not in body


def test_a_reminder_sent_again_after_a_refusal_says_delivery_was_retried(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    sync(sqlite_engine, config_dir, BEFORE_KOZLOV)
    smtp_server.recorder.script = ["451 try again later"]
    dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE)
    assert not smtp_server.recorder.received
    dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE + timedelta(hours=3))
    _, body = first_text(smtp_server)
    assert "the mail server did not take it then, and it was sent again" in body
