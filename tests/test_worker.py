"""The worker: --once, catch-up, status, graceful stop, crashes, several workers."""

from __future__ import annotations

import collections
import email
import email.policy
import json
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitor.db import make_engine, upgrade
from tests.conftest import POSTGRES_URL, SmtpServer, _postgres_reachable, fresh_postgres_database
from tests.worker_helpers import (
    decided_days_ago,
    due_notifications,
    start_worker,
    statuses,
    wait_until,
    without_sources,
)


def outbox_subjects(config_dir: Path) -> list[str]:
    files = sorted((config_dir.parent / "var" / "outbox").glob("*.eml"))
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files
    ]
    return sorted(str(m["Subject"]) for m in messages)


def test_worker_once_sends_what_is_due_and_exits(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    without_sources(config_dir)
    run("db", "upgrade")
    result = run("worker", "--once", now="2016-08-13T07:00:00+00:00")
    assert result.code == 0, result.err
    assert "watching 1 case(s)" in result.out and "mail files, written to" in result.out
    assert "Sat 20 Aug 2016  kozlov/release-2016-08-04 in_force" in result.out
    assert outbox_subjects(config_dir) == [
        "[Kozlov] Decision comes into force in 7 days: Sat 20 Aug 2016"
    ]
    # A second run at the same moment sends nothing more.
    assert run("worker", "--once", now="2016-08-13T07:05:00+00:00").code == 0
    assert len(outbox_subjects(config_dir)) == 1


def test_worker_down_over_a_send_time_sends_late_before_the_deadline(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    without_sources(config_dir)
    run("db", "upgrade")
    run("sync", now="2016-08-05T08:00:00+00:00")
    # No worker ran from 5 Aug to 18 Aug 10:00: the reminders of 13 and 17 Aug are late.
    assert run("worker", "--once", now="2016-08-18T10:00:00+00:00").code == 0
    assert outbox_subjects(config_dir) == [
        "[late] [Kozlov] Decision comes into force in 2 days: Sat 20 Aug 2016",
        "[late] [Kozlov] Decision comes into force in 2 days: Sat 20 Aug 2016",
    ]


def test_worker_down_past_the_deadline_skips_with_one_summary(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    without_sources(config_dir)
    run("db", "upgrade")
    run("sync", now="2016-08-05T08:00:00+00:00")
    assert run("worker", "--once", now="2016-08-21T10:00:00+00:00").code == 0
    outbox = json.loads(run("outbox", "--json", now="2016-08-21T10:00:00+00:00").out)
    assert outbox["counts"]["skipped"] == 4
    assert (
        run("worker", "--once", now="2016-08-21T10:10:00+00:00").code == 0
    )  # after the grouping window
    subjects = outbox_subjects(config_dir)
    assert subjects.count("[Kozlov] Reminders skipped") == 1
    assert not any("comes into force" in s for s in subjects)


def test_status_fails_without_a_live_worker_and_names_the_problems(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    without_sources(config_dir)
    run("db", "upgrade")
    run("worker", "--once", now="2016-08-13T07:00:00+00:00")
    result = run("status", now="2016-08-13T07:01:00+00:00")
    assert result.code == 1
    assert "no worker is alive" in result.out
    assert "stopped" in result.out
    payload = json.loads(run("status", "--json", now="2016-08-13T07:01:00+00:00").out)
    assert payload["healthy"] is False and payload["outbox"]["sent"] == 1


def test_worker_refuses_an_outdated_schema(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("worker", "--once")
    assert result.code == 1
    assert "run `monitor db upgrade` first" in result.err


def test_now_needs_once(run) -> None:  # type: ignore[no-untyped-def]
    result = run("worker", now="2016-08-13T07:00:00+00:00")
    assert result.code == 1 and "--now only makes sense with --once" in result.err


def test_a_live_worker_makes_status_healthy_and_sigterm_stops_it_cleanly(
    config_dir: Path,
    smtp_server: SmtpServer,
    tmp_path: Path,
    run,  # type: ignore[no-untyped-def]
) -> None:
    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    url = f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine)
    due_notifications(engine, config_dir, 100)
    smtp_server.recorder.delay = 0.05
    worker = start_worker(config_dir, url, smtp_server.url)
    try:
        wait_until(lambda: len(smtp_server.recorder.received) >= 3, what="the first emails")
        status = run("status", now=None)
        assert status.code == 0, status.out
        # SQLite serves one worker: a second one is refused with a clear message.
        second = start_worker(config_dir, url, smtp_server.url, "--once")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert "another worker" in err and "use PostgreSQL" in err
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
        assert time.monotonic() - started < 5
        assert worker.returncode == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    counts = statuses(engine)
    assert "sending" not in counts  # nothing left claimed
    assert counts.get("sent", 0) == len(smtp_server.recorder.received)
    assert sum(counts.values()) == 200  # 100 due now, 100 confirmation requests still ahead


def test_sigkill_mid_batch_loses_nothing_and_resends_at_most_once(
    config_dir: Path, smtp_server: SmtpServer
) -> None:
    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    url = f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine)
    ids = due_notifications(engine, config_dir, 60)
    smtp_server.recorder.delay = 0.05
    lease = {"MONITOR_CLAIM_LEASE": "3", "MONITOR_SMTP_TIMEOUT": "1"}
    worker = start_worker(config_dir, url, smtp_server.url, **lease)
    wait_until(lambda: len(smtp_server.recorder.received) >= 10, what="a batch under way")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert "sending" in statuses(engine)  # it died holding claims
    # A new worker starts at once (the dead one's process is gone) and takes the claims back
    # when they expire.
    restarted = start_worker(
        config_dir, url, smtp_server.url, **lease, MONITOR_HEARTBEAT_INTERVAL="1"
    )
    try:
        wait_until(
            lambda: statuses(engine).get("sent", 0) == 60, timeout=90, what="every email sent"
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=10)
    received = collections.Counter(
        str(email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"])  # type: ignore[attr-defined]
        for e in smtp_server.recorder.received
    )
    assert set(received) == set(ids)  # none lost
    assert max(received.values()) <= 2  # none more than twice; a resend keeps its Message-ID


@pytest.mark.postgres
def test_three_workers_on_postgresql_deliver_each_of_1000_exactly_once(
    config_dir: Path, smtp_server: SmtpServer
) -> None:
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    assert POSTGRES_URL
    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    with fresh_postgres_database() as url:
        engine: Engine = make_engine(url)
        upgrade(engine)
        ids = due_notifications(engine, config_dir, 1000)
        workers = [start_worker(config_dir, url, smtp_server.url) for _ in range(3)]
        try:
            wait_until(
                lambda: len(smtp_server.recorder.received) >= 1000, timeout=240, what="1000 emails"
            )
            wait_until(
                lambda: statuses(engine).get("sent", 0) == 1000, timeout=30, what="all marked sent"
            )
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=20)
        engine.dispose()
    assert [w.returncode for w in workers] == [0, 0, 0]
    received = collections.Counter(
        str(email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"])  # type: ignore[attr-defined]
        for e in smtp_server.recorder.received
    )
    assert len(received) == 1000 and set(received) == set(ids)
    assert set(received.values()) == {1}


def test_the_plan_job_replans_only_what_changed(sqlite_engine: Engine, config_dir: Path) -> None:
    from datetime import UTC, date, datetime, timedelta

    from monitor.db import session_scope
    from monitor.decisions import find_decision, record_fact
    from monitor.settings import load_settings
    from monitor.worker import Worker

    without_sources(config_dir)
    start = datetime(2016, 8, 5, 8, 0, tzinfo=UTC)
    worker = Worker(sqlite_engine, load_settings(config_dir, {}), clock=lambda: start)
    worker.start(start)
    day = start + timedelta(days=1)
    assert worker.plan(day)["decisions"] == 1  # the sync's changes, within the overlap
    assert worker.plan(day + timedelta(minutes=10))["decisions"] == 0  # nothing changed since
    with session_scope(sqlite_engine) as session:
        decision = find_decision(session, "kozlov", None)
        decision.execution_grace_days = 5
        decision.updated_at = day + timedelta(minutes=11)
    assert worker.plan(day + timedelta(minutes=20))["decisions"] == 1
    assert worker.plan(day + timedelta(minutes=40))["decisions"] == 0
    later = start + timedelta(days=6)
    with session_scope(sqlite_engine) as session:
        record_fact(
            session, find_decision(session, "kozlov", None), later, executed_on=date(2016, 8, 10)
        )
    assert worker.plan(later + timedelta(minutes=1))["decisions"] == 1
    # The next run still looks five minutes back past the previous one, then no more.
    assert worker.plan(later + timedelta(minutes=30))["decisions"] == 1
    assert worker.plan(later + timedelta(minutes=60))["decisions"] == 0
    worker.stop(start + timedelta(days=7))


def test_housekeeping_prunes_old_snapshots_but_never_cited_ones(
    sqlite_engine: Engine, config_dir: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from monitor.db import session_scope
    from monitor.models import Decision, DecisionProvenance, Snapshot, Source
    from monitor.settings import load_settings
    from monitor.worker import Worker

    now = datetime(2026, 6, 1, tzinfo=UTC)
    worker = Worker(sqlite_engine, load_settings(config_dir, {}), clock=lambda: now)
    worker.start(now)  # the example: one case, one decision, one source
    old = now - timedelta(days=400)
    with session_scope(sqlite_engine) as session:
        source = session.scalars(select(Source)).one()
        decision = session.scalars(select(Decision)).one()
        snaps = [
            Snapshot(
                source_id=source.id,
                fetched_at=at,
                http_status=200,
                final_url="https://x",
                sha256=str(i),
                text="t",
            )
            for i, at in enumerate((old, old, now - timedelta(days=3)))
        ]
        session.add_all(snaps)
        session.flush()
        session.add(
            DecisionProvenance(
                decision_id=decision.id,
                snapshot_id=snaps[1].id,
                source_id=source.id,
                url="u",
                quote="q",
                seen_at=old,
            )
        )
        kept = {snaps[1].id, snaps[2].id}
    assert worker.housekeeping(now)["snapshots_pruned"] == 1
    with session_scope(sqlite_engine) as session:
        assert set(session.scalars(select(Snapshot.id))) == kept
    worker.stop(now)


def test_the_heartbeat_url_is_pinged_after_a_good_cycle(
    run, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import Page, Site

    site = Site()
    try:
        site.pages["/ping/secret-token"] = Page(b"OK")
        monkeypatch.setenv("MONITOR_HEARTBEAT_URL", site.url("/ping/secret-token"))
        without_sources(config_dir)
        run("db", "upgrade")
        result = run("worker", "--once", now="2016-08-13T07:00:00+00:00")
        assert result.code == 0
        assert [path for path, _ in site.requests] == ["/ping/secret-token"]
        assert "secret-token" not in result.out + result.err
    finally:
        site.close()


def test_status_names_failed_notifications_and_broken_sources(
    sqlite_engine: Engine, config_dir: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select, update

    from monitor.db import session_scope
    from monitor.models import Notification, Source, WorkerHeartbeat
    from monitor.settings import load_settings
    from monitor.status import health_report
    from monitor.worker import Worker

    now = datetime(2016, 8, 5, 8, 0, tzinfo=UTC)
    settings = load_settings(config_dir, {})
    worker = Worker(sqlite_engine, settings, clock=lambda: now)
    worker.start(now)
    assert health_report(sqlite_engine, settings, now).healthy  # alive, nothing wrong
    with session_scope(sqlite_engine) as session:
        first = session.scalars(select(Notification.id)).first()
        session.execute(
            update(Notification).where(Notification.id == first).values(status="failed")
        )
        session.execute(
            update(Source).values(health="broken", last_error="the selector matches nothing")
        )
    report = health_report(sqlite_engine, settings, now + timedelta(seconds=10))
    assert not report.healthy
    assert report.problems == [
        "source odf-news is broken: the selector matches nothing",
        "1 notification(s) failed: see `monitor outbox --status failed`",
    ]
    late = health_report(sqlite_engine, settings, now + timedelta(minutes=10))
    assert late.problems[0] == "no worker is alive: start one with `monitor worker`"
    assert [w["state"] for w in late.workers] == ["silent (died?)"]
    worker.stop(now + timedelta(minutes=11))
    with session_scope(sqlite_engine) as session:
        assert session.scalars(select(WorkerHeartbeat.stopped_at)).one() is not None


def test_log_json_writes_one_object_per_job_run(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    without_sources(config_dir)
    run("db", "upgrade")
    result = run("worker", "--once", "--log-json", now="2016-08-13T07:00:00+00:00")
    assert result.code == 0
    records = [json.loads(line) for line in result.err.splitlines() if line.startswith("{")]
    jobs = {r["job"]: r for r in records if "job" in r}
    assert set(jobs) == {"poll", "plan", "dispatch", "housekeeping", "heartbeat"}
    assert jobs["dispatch"]["ok"] is True and jobs["dispatch"]["sent"] == 1
    assert all("duration_ms" in r for r in jobs.values())


def test_an_edited_config_is_picked_up_without_a_restart(
    sqlite_engine: Engine, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import os
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import select

    from monitor.db import session_scope
    from monitor.models import Deadline
    from monitor.settings import load_settings
    from monitor.worker import Worker
    from tests.test_config_check import replace

    without_sources(config_dir)
    now = datetime(2016, 8, 5, 8, 0, tzinfo=UTC)
    worker = Worker(sqlite_engine, load_settings(config_dir, {}), clock=lambda: now)
    worker.start(now)
    assert worker.plan(now + timedelta(minutes=5))["config"] == "unchanged"
    kozlov = config_dir / "cases" / "kozlov.toml"
    replace(kozlov, 'date = "2016-08-04"', 'date = "2016-08-05"')
    os.utime(kozlov, ns=(kozlov.stat().st_atime_ns, kozlov.stat().st_mtime_ns + 1_000_000_000))
    assert worker.plan(now + timedelta(minutes=10))["config"] == "synced"
    with session_scope(sqlite_engine) as session:
        in_force = session.scalars(select(Deadline.due_on).where(Deadline.kind == "in_force")).one()
    assert in_force == date(2016, 8, 23)
    replace(kozlov, 'date = "2016-08-05"', 'date = "2016-13-05"')
    os.utime(kozlov, ns=(kozlov.stat().st_atime_ns, kozlov.stat().st_mtime_ns + 2_000_000_000))
    assert worker.plan(now + timedelta(minutes=15))["config"] == "broken"
    assert "cases/kozlov.toml:12: decisions[0].date: '2016-13-05' is not a date" in caplog.text
    with session_scope(sqlite_engine) as session:
        assert session.scalars(
            select(Deadline.due_on).where(Deadline.kind == "in_force")
        ).one() == date(2016, 8, 23)
    worker.stop(now + timedelta(minutes=20))


def test_status_is_not_ok_while_every_delivery_attempt_fails_or_a_poll_overruns(
    sqlite_engine: Engine, config_dir: Path, smtp_port_unused: SmtpServer
) -> None:
    """An SMTP server that is down: the retries are queued, nothing is lost, and yet nothing
    goes out; the health check must say so. Likewise a poll stuck past its claim."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from monitor.db import session_scope
    from monitor.models import Source
    from monitor.notify.deliver import SmtpBackend
    from monitor.settings import load_settings
    from monitor.status import health_report
    from monitor.worker import Worker

    now = datetime(2016, 8, 13, 7, 0, tzinfo=UTC)
    settings = load_settings(config_dir, {})
    worker = Worker(
        sqlite_engine,
        settings,
        clock=lambda: now,
        backend=SmtpBackend(smtp_port_unused.url, timeout=1),
    )
    worker.start(datetime(2016, 8, 5, 8, 0, tzinfo=UTC))
    worker.heartbeat(now)
    assert health_report(sqlite_engine, settings, now).healthy
    # Three due reminders by now (the advocate's 7-day one and two alerts at most): make
    # more due by dispatching at three moments, each failing to connect.
    for minutes in (0, 2, 5, 10):
        worker.dispatch(now + timedelta(minutes=minutes))
    worker.heartbeat(now + timedelta(minutes=10))
    report = health_report(sqlite_engine, settings, now + timedelta(minutes=10))
    [problem] = report.problems
    assert problem.startswith("the last 3 delivery attempts all failed") or problem.startswith(
        "the last 4 delivery attempts all failed"
    )
    assert "cannot connect to 127.0.0.1" in problem and "send-test-email" in problem
    # The server comes back: one good attempt and the problem is gone.
    smtp_port_unused.start()
    worker.dispatch(now + timedelta(hours=3))
    worker.heartbeat(now + timedelta(hours=3))
    assert health_report(sqlite_engine, settings, now + timedelta(hours=3)).healthy
    # A poll that holds its source past the end of its claim.
    with session_scope(sqlite_engine) as session:
        session.execute(
            update(Source).values(
                claimed_by="host:1:1", claimed_until=now + timedelta(hours=2, minutes=55)
            )
        )
    [problem] = health_report(sqlite_engine, settings, now + timedelta(hours=3)).problems
    assert problem.startswith("source odf-news: a poll by host:1:1 has run past its deadline")


def test_the_dispatcher_sends_a_reminder_when_it_falls_due_not_at_the_next_interval(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    """One dispatcher thread, an interval of an hour, an email due two seconds from now: it
    goes when due. Nothing else sends (the scheduler has no dispatch job)."""
    import threading
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from monitor.models import Notification
    from monitor.notify.deliver import SmtpBackend
    from monitor.settings import load_settings
    from monitor.worker import Worker

    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    [message_id] = due_notifications(sqlite_engine, config_dir, 1)
    from apscheduler.schedulers.background import BackgroundScheduler

    from monitor.db import session_scope

    due = datetime.now(UTC) + timedelta(seconds=2)
    with session_scope(sqlite_engine) as session:
        session.execute(
            update(Notification)
            .where(Notification.message_id == message_id)
            .values(next_attempt_at=due, due_at=due)
        )
    settings = load_settings(config_dir, {"MONITOR_DISPATCH_INTERVAL": "3600"})
    worker = Worker(sqlite_engine, settings, backend=SmtpBackend(smtp_server.url))
    scheduler = worker.schedule(BackgroundScheduler)
    assert "dispatch" not in {job.id for job in scheduler.get_jobs()}
    dispatcher = threading.Thread(target=worker.dispatch_loop)
    dispatcher.start()
    try:
        wait_until(lambda: len(smtp_server.recorder.received) >= 1, what="the reminder")
        assert datetime.now(UTC) >= due
    finally:
        worker.request_stop()
        dispatcher.join(timeout=10)
    assert not dispatcher.is_alive()
    [message] = smtp_server.recorder.messages()
    assert message["Message-ID"] == message_id  # type: ignore[index]
