"""The chaos suite: real worker processes, a real SMTP server, at least 500 emails due at
once, and the faults a deployment meets. Each scenario ends with every email received at
least once, none twice except a resend after a kill -9 (same Message-ID, at most one per
kill), nothing left claimed, and a SIGTERM obeyed within five seconds.

Kill moments are random; the seed is printed so that a failure can be replayed
(``CHAOS_SEED=...``).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from monitor.db import make_engine, session_scope, upgrade
from monitor.models import Snapshot, Source
from tests.chaos.helpers import FAST, assert_delivered, claimed, kill, received, stop
from tests.conftest import (
    POSTGRES_URL,
    DripServer,
    Page,
    Site,
    SmtpServer,
    _postgres_reachable,
    fresh_postgres_database,
)
from tests.worker_helpers import (
    decided_days_ago,
    due_notifications,
    start_worker,
    statuses,
    wait_until,
    without_sources,
)

pytestmark = pytest.mark.chaos

EMAILS = 500
SEED = int(os.environ.get("CHAOS_SEED", random.SystemRandom().randrange(1 << 30)))


@pytest.fixture
def rng() -> random.Random:
    print(f"CHAOS_SEED={SEED}")
    return random.Random(SEED)


def database_setup(config_dir: Path, url: str, count: int = EMAILS) -> tuple[Engine, list[str]]:
    """The schema, and a config whose ``count`` reminders are due now; their Message-IDs."""
    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    engine = make_engine(url)
    upgrade(engine)
    return engine, due_notifications(engine, config_dir, count)


def sqlite_setup(config_dir: Path, count: int = EMAILS) -> tuple[str, Engine, list[str]]:
    url = f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}"
    return url, *database_setup(config_dir, url, count)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    assert POSTGRES_URL
    with fresh_postgres_database() as url:
        yield url


def all_sent(engine: Engine, count: int = EMAILS) -> bool:
    state = statuses(engine)
    return state.get("sent", 0) >= count and "sending" not in state


# ------------------------------------------------------------------------------------ (a)


def test_kill_9_at_random_moments_loses_nothing_and_resends_at_most_once_per_kill(
    config_dir: Path, smtp_server: SmtpServer, rng: random.Random
) -> None:
    url, engine, ids = sqlite_setup(config_dir)
    smtp_server.recorder.delay = 0.005
    kills = 0
    for _ in range(5):
        worker = start_worker(config_dir, url, smtp_server.url, **FAST)
        target = len(smtp_server.recorder.received) + rng.randint(5, 60)
        wait_until(
            lambda target=target: len(smtp_server.recorder.received) >= target,  # type: ignore[misc]
            timeout=120,
            what="emails going out",
        )
        time.sleep(rng.uniform(0, 0.2))  # a random moment in the batch, not a wait for a clock
        kill(worker)
        kills += 1
    assert claimed(engine) > 0  # the last one died holding claims
    worker = start_worker(config_dir, url, smtp_server.url, **FAST)
    wait_until(lambda: all_sent(engine), timeout=180, what="every email sent")
    seconds, _ = stop(worker)
    assert seconds < 5 and worker.returncode == 0
    assert_delivered(engine, smtp_server, ids, kills=kills)


# ------------------------------------------------------------------------------------ (b)


@pytest.mark.postgres
def test_three_workers_on_postgresql_one_killed_mid_batch(
    config_dir: Path, smtp_server: SmtpServer, postgres_url: str
) -> None:
    engine, ids = database_setup(config_dir, postgres_url)
    smtp_server.recorder.delay = 0.01
    workers = [start_worker(config_dir, postgres_url, smtp_server.url, **FAST) for _ in range(3)]
    wait_until(lambda: len(smtp_server.recorder.received) >= 100, timeout=120, what="100 emails")
    kill(workers[0])
    wait_until(lambda: all_sent(engine), timeout=180, what="every email sent")
    for worker in workers[1:]:
        seconds, _ = stop(worker)
        assert seconds < 5 and worker.returncode == 0
    assert_delivered(engine, smtp_server, ids, kills=1)
    engine.dispose()


# ------------------------------------------------------------------------------------ (c)


@pytest.mark.postgres
def test_a_lease_shorter_than_a_batch_with_a_slow_server_sends_each_email_once(
    config_dir: Path, smtp_server: SmtpServer, postgres_url: str
) -> None:
    """No kill at all: claims expire while their batch is still sending (the server turns
    slow near the end), other workers take them over, and fencing keeps every email single."""
    engine, ids = database_setup(config_dir, postgres_url)
    smtp_server.recorder.delay = 0.01
    workers = [start_worker(config_dir, postgres_url, smtp_server.url, **FAST) for _ in range(3)]
    wait_until(
        lambda: len(smtp_server.recorder.received) >= EMAILS - 60, timeout=120, what="most sent"
    )
    smtp_server.recorder.delay = 0.4  # a batch of 20 now takes 8 s; a claim lasts 3 s
    wait_until(lambda: all_sent(engine), timeout=180, what="every email sent")
    logs = []
    for worker in workers:
        seconds, err = stop(worker)
        logs.append(err)
        assert seconds < 5 and worker.returncode == 0
    assert_delivered(engine, smtp_server, ids, kills=0)
    assert max(received(smtp_server).values()) == 1
    engine.dispose()


# ------------------------------------------------------------------------------------ (d)


def test_sigterm_during_a_slow_send_finishes_it_gives_the_rest_back_and_exits(
    config_dir: Path, smtp_server: SmtpServer
) -> None:
    url, engine, ids = sqlite_setup(config_dir)
    smtp_server.recorder.delay = 2.0
    slow = {**FAST, "MONITOR_CLAIM_LEASE": "10", "MONITOR_SMTP_TIMEOUT": "4"}
    worker = start_worker(config_dir, url, smtp_server.url, **slow)
    wait_until(lambda: smtp_server.recorder.data_started >= 2, timeout=60, what="a slow send")
    seconds, _ = stop(worker)
    assert seconds < 5 and worker.returncode == 0
    state = statuses(engine)
    assert "sending" not in state  # claims given back
    assert state.get("sent", 0) == len(smtp_server.recorder.received) >= 1  # in hand: finished
    smtp_server.recorder.delay = 0.002
    worker = start_worker(config_dir, url, smtp_server.url, **FAST)
    wait_until(lambda: all_sent(engine), timeout=180, what="every email sent")
    seconds, _ = stop(worker)
    assert seconds < 5 and worker.returncode == 0
    assert_delivered(engine, smtp_server, ids, kills=0)


def drip_source(drip: DripServer, timeout: str) -> str:
    return f"""
[[sources]]
id = "drip"
kind = "html"
url = "http://127.0.0.1:{drip.port}/news"
interval = "1h"
timeout = "{timeout}"
allow_private_addresses = true
"""


def add_sources(config_dir: Path, sources: str) -> None:
    path = config_dir / "cases" / "load.toml"
    path.write_text(path.read_text(encoding="utf-8") + sources, encoding="utf-8")


def test_sigterm_during_a_slow_drip_fetch_exits_and_leaves_the_source_unharmed(
    config_dir: Path, smtp_server: SmtpServer, drip_server: DripServer
) -> None:
    url, engine, _ = sqlite_setup(config_dir, count=5)
    add_sources(config_dir, drip_source(drip_server, "10m"))
    worker = start_worker(config_dir, url, smtp_server.url, **FAST, MONITOR_POLL_INTERVAL="1")
    wait_until(lambda: drip_server.connections >= 1, timeout=60, what="the fetch under way")
    seconds, _ = stop(worker)
    assert seconds < 5 and worker.returncode == 0
    with session_scope(engine) as session:
        source = session.scalars(select(Source).where(Source.key == "drip")).one()
        assert source.claimed_by is None  # given back
        assert source.consecutive_failures == 0  # a stop is not the source's failure


# ------------------------------------------------------------------------------------ (e)


@pytest.mark.postgres
def test_database_connections_killed_mid_run_the_workers_carry_on(
    config_dir: Path, smtp_server: SmtpServer, postgres_url: str
) -> None:
    engine, ids = database_setup(config_dir, postgres_url)
    smtp_server.recorder.delay = 0.02
    workers = [start_worker(config_dir, postgres_url, smtp_server.url, **FAST) for _ in range(2)]
    admin = create_engine(POSTGRES_URL or "", isolation_level="AUTOCOMMIT")
    database = engine.url.database
    killed = 0
    for target in (100, 200, 300):
        wait_until(
            lambda target=target: len(smtp_server.recorder.received) >= target,  # type: ignore[misc]
            timeout=120,
            what=f"{target} emails",
        )
        with admin.connect() as conn:
            killed += len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database},
                ).all()
            )
    admin.dispose()
    assert killed > 0
    wait_until(lambda: all_sent(engine), timeout=180, what="every email sent")
    assert all(worker.poll() is None for worker in workers)  # both stayed up
    for worker in workers:
        seconds, err = stop(worker)
        assert seconds < 5 and worker.returncode == 0
        # An outage is one line per job, not a traceback.
        assert "Traceback" not in err, err[err.find("Traceback") - 300 :][:4000]
    assert_delivered(engine, smtp_server, ids, kills=0)
    assert max(received(smtp_server).values()) == 1
    engine.dispose()


# ------------------------------------------------------------------------------------ (f)


def test_a_source_that_drips_beside_healthy_ones_delays_neither_them_nor_the_mail(
    config_dir: Path, smtp_server: SmtpServer, drip_server: DripServer, site: Site
) -> None:
    url, engine, ids = sqlite_setup(config_dir)
    healthy = ""
    for n in range(3):
        site.pages[f"/news/{n}"] = Page(f"<p>Court news number {n}.</p>".encode())
        healthy += f"""
[[sources]]
id = "healthy-{n}"
kind = "html"
url = "{site.url(f"/news/{n}")}"
interval = "1h"
allow_private_addresses = true
"""
    add_sources(config_dir, drip_source(drip_server, "60s") + healthy)
    smtp_server.recorder.delay = 0.002
    # A long lease: a poll's budget is half of it, and the drip must outlast the test.
    slow_polls = {**FAST, "MONITOR_CLAIM_LEASE": "240", "MONITOR_POLL_INTERVAL": "1"}
    worker = start_worker(config_dir, url, smtp_server.url, **slow_polls)

    def healthy_polled() -> bool:
        with session_scope(engine) as session:
            return len(list(session.scalars(select(Snapshot.id)))) >= 3

    wait_until(lambda: all_sent(engine) and healthy_polled(), timeout=120, what="mail and polls")
    with session_scope(engine) as session:
        drip = session.scalars(select(Source).where(Source.key == "drip")).one()
        assert drip.last_checked_at is None  # still dripping meanwhile
    seconds, _ = stop(worker)
    assert seconds < 5 and worker.returncode == 0
    assert_delivered(engine, smtp_server, ids, kills=0)


# ------------------------------------------------------------------------------------ (g)


def test_an_smtp_outage_longer_than_two_days_of_catch_up_loses_no_reminder(
    config_dir: Path, smtp_port_unused: SmtpServer
) -> None:
    """Reminders already two days late when the worker comes back (their send time passed
    while it was down), their deadline three days ahead; then the mail server is down,
    answers 451, drops the connection mid-DATA, for over two days. Worker runs at moments
    given with --now (time is injected; the runs are real processes)."""
    url, engine, ids = sqlite_setup(config_dir)
    server = smtp_port_unused
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    # The reminders were due yesterday 00:00 UTC; the in-force date is today + 3.
    back = today + timedelta(days=1, hours=2)

    def once(at: datetime) -> None:
        environment = {**os.environ, "MONITOR_DATABASE_URL": url, "MONITOR_SMTP_URL": server.url}
        command = ["--config", str(config_dir), "--now", at.isoformat(), "worker", "--once"]
        done = subprocess.run(
            [sys.executable, "-m", "monitor", *command],
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]

    once(back)  # connection refused
    assert statuses(engine).get("pending", 0) >= EMAILS
    server.start()
    server.recorder.script = ["451 4.3.0 try again later"] * EMAILS
    once(back + timedelta(days=1))
    server.recorder.script = ["DROP"] * EMAILS
    once(back + timedelta(days=2))
    state = statuses(engine)
    assert "failed" not in state and state.get("pending", 0) >= EMAILS, state
    assert server.recorder.received == []
    once(back + timedelta(days=2, hours=1))
    assert_delivered(engine, server, ids, kills=0)
    assert max(received(server).values()) == 1
    assert "failed" not in statuses(engine)
