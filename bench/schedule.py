"""Scale of the schedule: one dispatcher tick and one planning pass as the data grows."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import ARRAY, Engine, Integer, any_, cast, select, update
from sqlalchemy.orm import Session

from bench.common import Report
from bench.data import NOW, catalog, database, outbox
from monitor.models import Decision, Notification
from monitor.notify.dispatch import _due, claim_due
from monitor.notify.plan import changed_decisions, plan_reminders

CHANGED = 10


def claim_tick(engine: Engine) -> float:
    """Claim up to 500 due rows and mark them sent; rolled back so every run sees the same data."""
    with Session(engine) as session:
        started = time.perf_counter()
        ids = claim_due(session, NOW, "bench#1", 500, timedelta(minutes=5), lambda: NOW)
        # Marked by id: one array parameter on PostgreSQL (500 separate ones cost ~10 ms there).
        by_id = (
            Notification.id == any_(cast(ids, ARRAY(Integer)))
            if engine.dialect.name == "postgresql"
            else Notification.id.in_(ids)
        )
        session.execute(
            update(Notification)
            .where(by_id)
            .values(status="sent", sent_at=NOW)
            .execution_options(synchronize_session=False)
        )
        session.flush()
        elapsed = time.perf_counter() - started
        assert len(ids) == 500, len(ids)
        session.rollback()
    return elapsed * 1000


def due_query(engine: Engine) -> float:
    """The query at the heart of a tick: the 500 earliest due unsent rows, by the partial index."""
    with Session(engine) as session:
        started = time.perf_counter()
        ids = list(
            session.scalars(
                select(Notification.id)
                .where(*_due(NOW, NOW))
                .order_by(Notification.next_attempt_at)
                .limit(500)
            )
        )
        elapsed = time.perf_counter() - started
        assert len(ids) == 500
    return elapsed * 1000


def planning_pass(engine: Engine, cases: int) -> float:
    """The plan job after ``CHANGED`` decisions changed, whatever the number of cases."""
    with Session(engine) as session:
        step = max(cases // CHANGED, 1)
        session.execute(
            update(Decision)
            .where(Decision.id.in_(range(1, cases + 1, step)))
            .values(updated_at=NOW)
        )
        started = time.perf_counter()
        changed = changed_decisions(session, NOW - timedelta(seconds=1))
        plan_reminders(session, NOW, decision_ids=changed)
        session.flush()
        elapsed = time.perf_counter() - started
        assert len(changed) == CHANGED, len(changed)
        session.rollback()
    return elapsed * 1000


def run(report: Report, postgres_url: str | None) -> None:
    sizes = (
        [(1_000, 10_000), (10_000, 100_000)]
        if report.quick
        else [(1_000, 10_000), (10_000, 100_000), (100_000, 1_000_000)]
    )
    kinds = ["sqlite"] + (["postgresql"] if postgres_url else [])
    for kind in kinds:
        claims: dict[int, float] = {}
        queries: dict[int, float] = {}
        plans: dict[int, float] = {}
        for cases, rows in sizes:
            print(
                f"schedule on {kind}: {cases:,} cases, {rows:,} notifications (setting up...)",
                flush=True,
            )
            with database(kind, postgres_url) as engine:
                catalog(engine, cases)
                outbox(engine, rows, cases)
                queries[rows] = report.measure(
                    f"{kind}: due query (500 earliest unsent)",
                    rows,
                    "ms",
                    lambda e=engine: due_query(e),
                ).median
                claims[rows] = report.measure(
                    f"{kind}: dispatcher tick (claim 500 + mark)",
                    rows,
                    "ms",
                    lambda e=engine: claim_tick(e),
                ).median
                plans[cases] = report.measure(
                    f"{kind}: planning pass, {CHANGED} changed decisions",
                    cases,
                    "ms",
                    lambda e=engine, c=cases: planning_pass(e, c),
                ).median
        small, large = min(claims), max(claims)
        ratio = claims[large] / claims[small]
        report.target(
            f"{kind}: tick at {large:,} rows / at {small:,} rows", ratio, "<= 2", ratio <= 2
        )
        ratio = queries[large] / queries[small]
        report.target(
            f"{kind}: due query at {large:,} rows / at {small:,} rows", ratio, "<= 2", ratio <= 2
        )
        limit = 1.0 if kind == "sqlite" else 5.0
        report.target(
            f"{kind}: due query at {large:,} rows (ms)",
            queries[large],
            f"about {limit:g} ms or less",
            queries[large] <= limit * 1.5,
        )
        small_c, large_c = min(plans), max(plans)
        ratio = plans[large_c] / plans[small_c]
        report.target(
            f"{kind}: planning at {large_c:,} cases / at {small_c:,} cases",
            ratio,
            "<= 2 (grows with changes)",
            ratio <= 2,
        )
