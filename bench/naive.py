"""Against the naive design: one APScheduler job per reminder in its SQLAlchemy job store.

Measured in the same run: time to schedule N reminders, time for a fresh process to be ready,
resident memory, and the lateness of 200 reminders due within the next seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Report, rss_kib, timed

# The naive design's processes import this module (for ``send_reminder`` and
# ``_apscheduler``): it loads APScheduler and nothing of ours at import, so that their ready
# time and memory are APScheduler's alone. Our modules are imported where they are used.

LATE: list[float] = []


def send_reminder(scheduled: float) -> None:
    """The naive job: here it only records how late it ran."""
    LATE.append(time.time() - scheduled)


def _apscheduler(url: str, memory: bool = False) -> Any:
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = MemoryJobStore() if memory else SQLAlchemyJobStore(url=url)
    return BackgroundScheduler(jobstores={"default": store}, timezone=UTC)


def schedule_naive(url: str, n: int) -> float:
    scheduler = _apscheduler(url)
    scheduler.start(paused=True)
    far = datetime(2031, 1, 1, tzinfo=UTC)

    def add_all() -> None:
        for i in range(n):
            scheduler.add_job(
                "bench.naive:send_reminder",
                "date",
                run_date=far + timedelta(minutes=i),
                args=[0.0],
                id=f"r{i}",
            )

    elapsed = timed(add_all)
    scheduler.shutdown(wait=False)
    return elapsed


def schedule_ours(n: int) -> float:
    """Plan N reminders into the outbox: N/5 decisions, five reminders each."""
    from bench.data import catalog, database
    from monitor.db import session_scope
    from monitor.notify.plan import plan_reminders

    with database("sqlite", None) as engine:
        catalog(engine, n // 5, decided=date(2030, 1, 1))
        with session_scope(engine) as session:
            started = time.perf_counter()
            report = plan_reminders(session, datetime(2029, 12, 1, tzinfo=UTC))
        elapsed = time.perf_counter() - started
        assert report.planned == n, report.planned
    return elapsed


def _child(code: str, *args: str) -> tuple[float, int]:
    """Run ``code`` in a fresh Python; returns (seconds until it printed 'ready', its RSS in KiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    ready = time.perf_counter() - started
    assert line.strip() == "ready", line
    rss = rss_kib(process.pid)
    process.stdin = None
    process.kill()
    process.wait()
    return ready, rss


NAIVE_READY = """
import sys, time
from bench.naive import _apscheduler
scheduler = _apscheduler(sys.argv[1], memory=sys.argv[2] == "memory")
scheduler.start()
if sys.argv[2] == "memory":
    for i in range(int(sys.argv[3])):
        scheduler.add_job("bench.naive:send_reminder", "date", run_date="2031-01-01", args=[0.0], id=f"r{i}")
print("ready", flush=True)
time.sleep(60)
"""

OURS_READY = """
import sys, time
from datetime import UTC, datetime
from monitor.db import make_engine
from monitor.settings import load_settings
from monitor.worker import Worker
from pathlib import Path
engine = make_engine(sys.argv[1])
worker = Worker(engine, load_settings(Path(sys.argv[2]), {"MONITOR_DATABASE_URL": sys.argv[1]}))
worker.start(datetime.now(UTC), sync=False)
from apscheduler.schedulers.background import BackgroundScheduler
worker.schedule(BackgroundScheduler)
print("ready", flush=True)
time.sleep(60)
"""


def empty_config(folder: Path) -> Path:
    config = folder / "config"
    (config / "cases").mkdir(parents=True, exist_ok=True)
    (config / "monitor.toml").write_text("[sources]\nhost_gap_ms = 0\n", encoding="utf-8")
    return config


def lateness_naive(folder: Path) -> list[float]:
    LATE.clear()
    scheduler = _apscheduler(f"sqlite:///{folder}/late.db")
    scheduler.start()
    base = time.time() + 1.5
    for i in range(200):
        when = base + (i % 20) * 0.05
        scheduler.add_job(
            "bench.naive:send_reminder",
            "date",
            run_date=datetime.fromtimestamp(when, UTC),
            args=[when],
            id=f"l{i}",
        )
    deadline = time.time() + 30
    while len(LATE) < 200 and time.time() < deadline:
        time.sleep(0.05)
    scheduler.shutdown(wait=False)
    return list(LATE)


def lateness_ours(folder: Path) -> list[float]:
    """200 reminders due within two seconds; the worker's own scheduler and dispatcher."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import insert

    from bench.data import catalog
    from monitor.db import make_engine, upgrade
    from monitor.models import Notification
    from monitor.notify.deliver import FileBackend
    from monitor.settings import load_settings
    from monitor.worker import Worker

    sent: dict[str, float] = {}

    class Recording(FileBackend):
        def send(self, message: Any) -> str:
            sent[message.message_id] = time.time()
            return "recorded"

    url = f"sqlite:///{folder}/ours-late.db"
    engine = make_engine(url)
    upgrade(engine)
    catalog(engine, 10, decided=datetime.now(UTC).date() + timedelta(days=2))
    now = datetime.now(UTC)
    due_times: dict[str, float] = {}
    rows = []
    base = time.time() + 1.5
    for i in range(200):
        when = base + (i % 20) * 0.05
        at = datetime.fromtimestamp(when, UTC)
        message_id = f"<late{i}@bench>"
        due_times[message_id] = when
        rows.append(
            {
                "dedup_key": f"late:{i}",
                "kind": "in_force_reminder",
                "contact_id": 1,
                "case_id": 1 + i % 10,
                "decision_id": 1 + i % 10,
                "deadline_kind": "in_force",
                "deadline_date": datetime.now(UTC).date() + timedelta(days=30),
                "offset_days": 3,
                "due_at": at,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": at,
                "message_id": message_id,
                "payload": {},
                "created_at": now,
                "updated_at": now,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Notification), rows)
    settings = load_settings(empty_config(folder), {"MONITOR_DATABASE_URL": url})
    worker = Worker(engine, settings, backend=Recording(folder / "out"))
    worker.start(now, sync=False)
    scheduler = worker.schedule(BackgroundScheduler)
    # Sending is the dispatcher thread's, as in `monitor worker`; the scheduler paces the rest.
    dispatcher = threading.Thread(target=worker.dispatch_loop, daemon=True)
    scheduler.start()
    dispatcher.start()
    deadline = time.time() + 60
    while len(sent) < 200 and time.time() < deadline:
        time.sleep(0.05)
    worker.request_stop()
    scheduler.shutdown(wait=True)
    dispatcher.join(timeout=10)
    engine.dispose()
    return [sent[m] - due_times[m] for m in sent]


def run(report: Report) -> None:
    from bench.data import catalog, database
    from monitor.db import session_scope

    n = 1_000 if report.quick else 100_000
    print(f"naive design: {n:,} reminders", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # At 100,000 reminders one naive run takes about two minutes: it runs once, ours five
        # times. Its last store stays full for the readiness measurement.
        runs = 5 if report.quick else 1
        naive_url = f"sqlite:///{folder}/jobs{runs - 1}.db"
        naive = report.add(
            "naive: schedule reminders as APScheduler jobs (SQLAlchemy store)",
            n,
            "s",
            [schedule_naive(f"sqlite:///{folder}/jobs{i}.db", n) for i in range(runs)],
        )
        ours = report.measure(
            "ours: plan the same reminders into the outbox", n, "s", lambda: schedule_ours(n)
        )
        ratio = naive.median / ours.median
        report.target("scheduling speed-up over the naive design", ratio, ">= 50x", ratio >= 50)

        with database("sqlite", None) as engine:
            url = str(engine.url)
            catalog(engine, n // 5, decided=date(2030, 1, 1))
            from monitor.notify.plan import plan_reminders

            with session_scope(engine) as session:
                plan_reminders(session, datetime(2029, 12, 1, tzinfo=UTC))
            config = empty_config(folder)
            # One of ours, then one of the naive design's, five times: on a shared machine the
            # load changes within a minute, and both sides of the ratio should meet the same.
            ours_ready, naive_ready = [], []
            for _ in range(5):
                ours_ready.append(_child(OURS_READY, url, str(config)))
                naive_ready.append(_child(NAIVE_READY, naive_url, "sqlalchemy", "0"))
            report.add(
                "ours: fresh process ready (worker, outbox full)",
                n,
                "s",
                [r for r, _ in ours_ready],
            )
            report.add(
                "ours: resident memory when ready", n, "MiB", [m / 1024 for _, m in ours_ready]
            )
        with database("sqlite", None) as engine:
            small_url = str(engine.url)
            catalog(engine, 100, decided=date(2030, 1, 1))
            small = [_child(OURS_READY, small_url, str(config)) for _ in range(5)]
            report.add(
                "ours: resident memory when ready, nearly empty outbox",
                500,
                "MiB",
                [m / 1024 for _, m in small],
            )
        report.add(
            "naive: fresh process ready (SQLAlchemy store full)",
            n,
            "s",
            [r for r, _ in naive_ready],
        )
        report.add(
            "naive: resident memory when ready (SQLAlchemy store)",
            n,
            "MiB",
            [m / 1024 for _, m in naive_ready],
        )
        memory = [
            _child(NAIVE_READY, "", "memory", str(n)) for _ in range(3 if n >= 100_000 else 5)
        ]
        report.add(
            "naive: resident memory, memory job store", n, "MiB", [m / 1024 for _, m in memory]
        )
        ready_ratio = (sum(r for r, _ in ours_ready) / 5) / (sum(r for r, _ in naive_ready) / 5)
        report.target("ready time, ours / naive", ready_ratio, "<= 1", ready_ratio <= 1.0)
        growth = (sum(m for _, m in ours_ready) / 5) / (sum(m for _, m in small) / 5)
        report.target(
            f"our memory at {n:,} reminders / at 500", growth, "flat (<= 1.2)", growth <= 1.2
        )

        naive_late = lateness_naive(folder)
        ours_late = lateness_ours(folder)
        report.add(
            "naive: lateness of 200 reminders due within 2 s",
            len(naive_late),
            "ms",
            [x * 1000 for x in naive_late],
        )
        report.add(
            "ours: lateness of 200 reminders due within 2 s",
            len(ours_late),
            "ms",
            [x * 1000 for x in ours_late],
        )
        worst = max(ours_late) / max(max(naive_late), 0.001)
        median = sorted(ours_late)[len(ours_late) // 2] * 1000
        # The goal: a median under 50 ms, rendering and sending included (the naive
        # design's jobs render and send nothing).
        report.target("median lateness, ours (ms)", median, "< 50 ms", median < 50)
        report.target("worst lateness, ours / naive", worst, "reported", True)
    os.environ.pop("BENCH_NAIVE", None)
