"""Synthetic catalogs and outboxes, bulk-inserted (not through config files), shaped like a
monitor that has run for years: most notifications long sent, a few due, some ahead."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from monitor.db import make_engine, upgrade
from monitor.models import Case, Contact, Deadline, Decision, Notification, Subscription

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
CHUNK = 20_000


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def bulk(engine: Engine, model: type, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for chunk in _chunks(rows):
            conn.execute(insert(model), chunk)


@contextmanager
def database(kind: str, postgres_url: str | None) -> Iterator[Engine]:
    """An empty, migrated database: a temporary SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.db")
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    assert postgres_url
    name = f"monitor_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    )
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def catalog(engine: Engine, cases: int, decided: date = date(2025, 1, 1)) -> None:
    """``cases`` watched cases, one decision each with its deadlines, one advocate on each."""
    bulk(
        engine,
        Contact,
        [
            {
                "id": 1,
                "key": "advocate",
                "name": "Advocate",
                "email": "a@example.org",
                "language": "en",
                "timezone": "UTC",
                "created_at": NOW,
                "updated_at": NOW,
            }
        ],
    )
    long_ago = NOW - timedelta(days=400)
    bulk(
        engine,
        Case,
        [
            {
                "id": i,
                "key": f"case-{i}",
                "title": f"Case {i}",
                "label": f"C{i}",
                "jurisdiction": "KZ",
                "people": [],
                "aliases": [f"Person{i}"],
                "case_numbers": [],
                "match_terms": [f"Person{i}"],
                "notes": "",
                "created_at": long_ago,
                "updated_at": long_ago,
            }
            for i in range(1, cases + 1)
        ],
    )
    bulk(
        engine,
        Decision,
        [
            {
                "id": i,
                "case_id": i,
                "key": "d",
                "decided_on": decided + timedelta(days=i % 300),
                "court": "Court",
                "kind": "release",
                "quote": "",
                "rule": "kz-criminal-appeal-15d",
                "rule_options": {},
                "origin": "config",
                "execution_grace_days": 3,
                "created_at": long_ago,
                "updated_at": long_ago,
            }
            for i in range(1, cases + 1)
        ],
    )
    deadlines = []
    for i in range(1, cases + 1):
        base = decided + timedelta(days=i % 300)
        for kind, offset in (("appeal_until", 15), ("in_force", 16), ("execution_due", 19)):
            deadlines.append(
                {
                    "decision_id": i,
                    "kind": kind,
                    "due_on": base + timedelta(days=offset),
                    "rule": "r",
                    "explanation": "e",
                    "uncertain": False,
                    "computed_at": long_ago,
                }
            )
    bulk(engine, Deadline, deadlines)
    bulk(
        engine,
        Subscription,
        [
            {
                "case_id": i,
                "contact_id": 1,
                "role": "advocate",
                "offsets": [7, 3, 1, 0],
                "appeal_offsets": [],
                "digest": "none",
                "send_time": "09:00",
                "created_at": long_ago,
                "updated_at": long_ago,
            }
            for i in range(1, cases + 1)
        ],
    )


def outbox(engine: Engine, rows: int, cases: int, due: int = 500) -> None:
    """``rows`` notifications: ``due`` due now, 2 % pending ahead, the rest sent long ago."""
    ahead = rows // 50
    records = []
    for n in range(rows):
        if n < due:
            status, at = "pending", NOW - timedelta(minutes=1 + n % 30)
        elif n < due + ahead:
            status, at = "pending", NOW + timedelta(days=1 + n % 60)
        else:
            status, at = "sent", NOW - timedelta(days=1 + n % 1500, minutes=n % 1440)
        case = 1 + n % cases
        records.append(
            {
                "dedup_key": f"bench:{n}",
                "kind": "in_force_reminder",
                "contact_id": 1,
                "case_id": case,
                "decision_id": case,
                "deadline_kind": "in_force",
                "deadline_date": (at + timedelta(days=3)).date(),
                "offset_days": 3,
                "due_at": at,
                "status": status,
                "attempts": 1 if status == "sent" else 0,
                "next_attempt_at": at,
                "message_id": f"<{n}@bench>",
                "payload": {},
                "sent_at": at if status == "sent" else None,
                "created_at": at,
                "updated_at": at,
            }
        )
    bulk(engine, Notification, records)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
