"""A first plan goes in bulk; it must write exactly the rows that planning row by row writes.

The catalog is varied on purpose: time zones with and without daylight saving, a send hour
inside a spring-forward gap, digests, appeal reminders, escalations, operators, appeals and
executions recorded, archived decisions, cases, subscriptions and contacts, an unsubscribe,
a "got it", deadlines already passed (skipped rows) and missing deadline kinds.
"""

from __future__ import annotations

import gc
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text

from monitor.db import session_scope
from monitor.models import (
    Case,
    Contact,
    Deadline,
    DeadlineAck,
    Decision,
    Notification,
    Subscription,
)
from monitor.notify.plan import PlanReport, plan_reminders

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Warsaw", "America/New_York", "Asia/Almaty", "Australia/Sydney")
CASES = 60


def build_catalog(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    long_ago = NOW - timedelta(days=400)
    stamps = {"created_at": long_ago, "updated_at": long_ago}
    contacts = [
        {
            "id": n,
            "key": f"contact-{n}",
            "name": f"Contact {n}",
            "email": f"c{n}@example.org",
            "language": "en",
            "timezone": ZONES[n % len(ZONES)],
            # One archived contact: no reminders for it on either path.
            "archived_at": long_ago if n == 7 else None,
            **stamps,
        }
        for n in range(1, 9)
    ]
    cases, decisions, deadlines, subscriptions, acks = [], [], [], [], []
    for c in range(1, CASES + 1):
        cases.append(
            {
                "id": c,
                "key": f"case-{c}",
                "title": f"Case {c}",
                "label": f"C{c}",
                "jurisdiction": "KZ",
                "people": [],
                "aliases": [],
                "case_numbers": [],
                "match_terms": [],
                "notes": "",
                "archived_at": long_ago if c % 17 == 0 else None,
                **stamps,
            }
        )
        for role, contact in {
            ("advocate", rng.randint(1, 8)),
            ("advocate", rng.randint(1, 8)),
            ("escalation", rng.randint(1, 8)),
            ("operator", rng.randint(1, 8)),
        }:
            subscriptions.append(
                {
                    "case_id": c,
                    "contact_id": contact,
                    "role": role,
                    "offsets": rng.choice([[7, 3, 1, 0], [2], [], [14, 0]]),
                    "appeal_offsets": rng.choice([[], [3, 1], [0]]),
                    "digest": rng.choice(["none", "none", "daily"]),
                    # 02:30 does not exist on spring-forward days in Warsaw and New York.
                    "send_time": rng.choice(["09:00", "02:30", "18:45", "00:00"]),
                    "archived_at": long_ago if rng.random() < 0.05 else None,
                    "unsubscribed_at": long_ago if rng.random() < 0.05 else None,
                    **stamps,
                }
            )
        for k in range(rng.randint(1, 3)):
            d = len(decisions) + 1
            decided = NOW.date() + timedelta(days=rng.randint(-40, 90))
            decisions.append(
                {
                    "id": d,
                    "case_id": c,
                    "key": f"d{k}",
                    "decided_on": decided,
                    "court": "Court",
                    "kind": "release",
                    "quote": "",
                    "rule": "kz-criminal-appeal-15d",
                    "rule_options": {},
                    "origin": "config",
                    "execution_grace_days": 3,
                    "appealed_on": decided + timedelta(days=3) if rng.random() < 0.1 else None,
                    "executed_on": decided + timedelta(days=20) if rng.random() < 0.1 else None,
                    "archived_at": long_ago if rng.random() < 0.05 else None,
                    **stamps,
                }
            )
            for kind, days in (("appeal_until", 15), ("in_force", 16), ("execution_due", 19)):
                if rng.random() < 0.9:
                    deadlines.append(
                        {
                            "decision_id": d,
                            "kind": kind,
                            "due_on": decided + timedelta(days=days),
                            "rule": "r",
                            "explanation": "e",
                            "uncertain": False,
                            "computed_at": long_ago,
                        }
                    )
            if rng.random() < 0.15:
                acks.append(
                    {
                        "contact_id": rng.randint(1, 8),
                        "decision_id": d,
                        "deadline_kind": rng.choice(["in_force", "appeal_until"]),
                        "acked_at": long_ago,
                    }
                )
    with engine.begin() as conn:
        for model, rows in (
            (Contact, contacts),
            (Case, cases),
            (Decision, decisions),
            (Deadline, deadlines),
            (Subscription, subscriptions),
            (DeadlineAck, acks),
        ):
            if rows:
                conn.execute(insert(model), rows)


def outbox(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every row by dedup key, every column but the id and the (random) Message-ID."""
    with session_scope(engine) as session:
        rows = session.scalars(select(Notification)).all()
        table = Notification.__table__.columns
        out = {}
        for row in rows:
            assert re.fullmatch(r"<[0-9a-f]{32}@[^>]+>", row.message_id), row.message_id
            out[row.dedup_key] = {
                c.key: getattr(row, c.key) for c in table if c.key not in ("id", "message_id")
            }
        return out


def order(engine: Engine) -> list[str]:
    """Dedup keys by id: both paths insert in the same order (``outbox show 1`` is the first
    reminder of the first decision either way)."""
    with session_scope(engine) as session:
        return list(session.scalars(select(Notification.dedup_key).order_by(Notification.id)))


def counts(report: PlanReport) -> tuple[int, int, int, int, list[str]]:
    return (
        report.planned,
        report.skipped,
        report.cancelled,
        report.restored,
        sorted(r.dedup_key for r in report.reminders),
    )


def plan(engine: Engine, *, bulk: bool, decision_ids: list[int] | None = None) -> PlanReport:
    with session_scope(engine) as session:
        return plan_reminders(session, NOW, decision_ids, bulk=bulk)


def clear(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.execute(delete(Notification))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_first_plan_in_bulk_writes_the_rows_planning_one_by_one_writes(
    engine: Engine, seed: int
) -> None:
    build_catalog(engine, seed)
    by_rows = plan(engine, bulk=False)
    expected, expected_order = outbox(engine), order(engine)
    clear(engine)
    in_bulk = plan(engine, bulk=True)
    got = outbox(engine)
    assert got == expected
    assert order(engine) == expected_order
    assert counts(in_bulk) == counts(by_rows)
    # The catalog is varied enough to mean something.
    statuses = {row["status"] for row in got.values()}
    kinds = {row["kind"] for row in got.values()}
    assert statuses == {"pending", "skipped"}
    assert len(kinds) == 4
    assert any(row["payload"] for row in got.values())
    assert len(got) > 300


def test_planning_a_mix_of_new_and_planned_decisions_in_bulk_changes_nothing_else(
    engine: Engine,
) -> None:
    """Some decisions already have rows (one of them moved since), others have none; planned
    for a list of decisions and then for all, both ways, from the same start."""
    build_catalog(engine, 4)
    with session_scope(engine) as session:
        ids = sorted(session.scalars(select(Decision.id)))
    results = []
    for bulk in (False, True):
        clear(engine)
        plan(engine, bulk=False, decision_ids=ids[::3])
        with session_scope(engine) as session:
            moved = session.scalars(
                select(Deadline).where(Deadline.decision_id == ids[0], Deadline.kind == "in_force")
            ).one()
            moved.due_on = moved.due_on + timedelta(days=2)
        some = plan(engine, bulk=bulk, decision_ids=ids[::2])
        rest = plan(engine, bulk=bulk)
        results.append((outbox(engine), counts(some), counts(rest)))
        with session_scope(engine) as session:
            moved = session.scalars(
                select(Deadline).where(Deadline.decision_id == ids[0], Deadline.kind == "in_force")
            ).one()
            moved.due_on = moved.due_on - timedelta(days=2)
    assert results[0] == results[1]
    rows = results[1][0]
    assert {row["status"] for row in rows.values()} >= {"pending", "skipped", "cancelled"}


def test_a_second_plan_after_a_bulk_one_finds_nothing_to_do(engine: Engine) -> None:
    build_catalog(engine, 5)
    first = plan(engine, bulk=True)
    before = outbox(engine)
    again = plan(engine, bulk=True)
    assert first.planned > 0
    assert (again.planned, again.skipped, again.cancelled, again.restored) == (0, 0, 0, 0)
    assert outbox(engine) == before


def test_bulk_message_ids_are_unique_across_plans(engine: Engine) -> None:
    build_catalog(engine, 6)
    with session_scope(engine) as session:
        ids = sorted(session.scalars(select(Decision.id)))
    plan(engine, bulk=True, decision_ids=ids[: len(ids) // 2])
    plan(engine, bulk=True)
    with session_scope(engine) as session:
        message_ids = list(session.scalars(select(Notification.message_id)))
    assert len(message_ids) == len(set(message_ids)) > 100


@pytest.mark.parametrize("enabled", [True, False])
def test_a_bulk_plan_leaves_the_cycle_collector_as_it_found_it(
    engine: Engine, enabled: bool
) -> None:
    """The collector is paused while a first plan holds its rows, and only then."""
    build_catalog(engine, 7)
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        assert plan(engine, bulk=True).planned > 0
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


def test_a_bulk_plan_on_sqlite_gives_the_connection_its_page_cache_back(
    sqlite_engine: Engine,
) -> None:
    build_catalog(sqlite_engine, 8)
    with session_scope(sqlite_engine) as session:
        before = session.execute(text("PRAGMA cache_size")).scalar_one()
        assert plan_reminders(session, NOW).planned > 0
        assert session.execute(text("PRAGMA cache_size")).scalar_one() == before
