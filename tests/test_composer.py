"""Composing in a second process (``notify/composer.py``): the same emails as the worker
composes itself, each sent once whatever happens to that process, and no process left over."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from monitor.db import session_scope
from monitor.models import Notification
from monitor.notify import composer as composing
from monitor.notify.compose import compose
from monitor.notify.composer import Composer
from monitor.notify.deliver import SmtpBackend
from monitor.notify.dispatch import DispatchPolicy, dispatch_due
from tests.conftest import SmtpServer
from tests.worker_helpers import decided_days_ago, due_notifications, wait_until, without_sources

SENDER = "Court Deadline Monitor <monitor@example.org>"


def due_now(engine: Engine, config_dir: Path, count: int) -> list[str]:
    """``count`` reminders due now, one per advocate (their Message-IDs)."""
    without_sources(config_dir)
    decided_days_ago(config_dir, 2)
    return due_notifications(engine, config_dir, count)


def ready_composer(engine: Engine) -> Composer:
    composer = Composer(engine.url.render_as_string(hide_password=False))
    composer.start()
    wait_until(composer.ready, what="the composing process to start")
    return composer


def dispatch(engine: Engine, server: SmtpServer, composer: Composer, now: datetime):  # type: ignore[no-untyped-def]
    with SmtpBackend(server.url) as backend:
        return dispatch_due(
            engine,
            backend,
            now,
            worker="w",
            sender=SENDER,
            policy=DispatchPolicy(),
            composer=composer,
        )


def same_but_boundaries(one: bytes, other: bytes) -> bool:
    boundary = re.compile(rb"=_[0-9a-f]{24}")
    return boundary.sub(b"=_", one) == boundary.sub(b"=_", other) and one != other


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by a parent that was itself killed) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][0] != "Z"


def test_emails_composed_in_a_second_process_are_the_ones_the_worker_composes(
    engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    ids = due_now(engine, config_dir, 6)
    now = datetime.now(UTC)
    composer = ready_composer(engine)
    try:
        report = dispatch(engine, smtp_server, composer, now)
    finally:
        composer.stop()
    assert (report.sent, report.emails) == (6, 6)
    received = {
        m["Message-ID"]: e.content  # type: ignore[attr-defined, index]
        for m, e in zip(smtp_server.recorder.messages(), smtp_server.recorder.received, strict=True)
    }
    assert sorted(received) == sorted(ids)
    with session_scope(engine) as session:
        for row in session.scalars(select(Notification).where(Notification.message_id.in_(ids))):
            # Byte for byte what the worker's own thread composes of the same row, but for
            # the MIME boundaries, random in each email.
            mine = compose(session, [row], SENDER, now).built.raw
            assert same_but_boundaries(received[row.message_id], mine)


def test_a_composing_process_killed_mid_batch_leaves_the_rest_to_the_worker(
    engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    # Twenty emails are more than the pipe holds: the process is still composing when killed.
    ids = due_now(engine, config_dir, 20)
    composer = ready_composer(engine)
    process = composer._process
    assert process is not None
    smtp_server.recorder.delay = 0.02

    class Killing(SmtpBackend):
        def send(self, message: object) -> str:
            if process.poll() is None and len(smtp_server.recorder.received) == 2:
                process.kill()
                process.wait()
            return super().send(message)  # type: ignore[arg-type]

    with Killing(smtp_server.url) as backend:
        report = dispatch_due(
            engine, backend, datetime.now(UTC), worker="w", sender=SENDER, composer=composer
        )
    assert process.returncode is not None
    assert composer._process is None  # seen gone: the worker composed the rest
    assert (report.sent, report.failed, report.released) == (20, 0, 0)
    sent = [m["Message-ID"] for m in smtp_server.recorder.messages()]  # type: ignore[index]
    assert sorted(sent) == sorted(ids)  # each once
    # The worker composes alone for a while, then a large batch starts a new process.
    assert composer.wanted([[1], [2], [3], [4]]) is False
    assert composer._process is None
    composer._resting_until = composer.clock() - 1  # as if REST_SECONDS had passed
    assert composer.wanted([[1], [2], [3], [4]]) is False  # started, not answered yet
    wait_until(composer.ready, what="a new composing process")
    composer.stop()


def test_a_row_that_cannot_be_composed_fails_alone_in_the_second_process(
    engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    ids = due_now(engine, config_dir, 5)
    with session_scope(engine) as session:
        broken = session.scalars(
            select(Notification).where(Notification.message_id == ids[2])
        ).one()
        broken.deadline_kind = "no_such_deadline"
    composer = ready_composer(engine)
    try:
        report = dispatch(engine, smtp_server, composer, datetime.now(UTC))
    finally:
        composer.stop()
    assert (report.sent, report.failed) == (4, 1)
    with session_scope(engine) as session:
        row = session.scalars(select(Notification).where(Notification.message_id == ids[2])).one()
    assert row.status == "failed"
    assert row.last_error is not None and row.last_error.startswith("cannot compose")


def test_small_batches_and_an_unanswered_start_compose_in_the_worker(sqlite_engine: Engine) -> None:
    composer = Composer(sqlite_engine.url.render_as_string(hide_password=False))
    assert composer.wanted([[1], [2], [3]]) is False
    assert composer._process is None  # three emails: not worth a process
    try:
        assert composer.wanted([[1], [2], [3], [4]]) is False  # started; not ready this instant
        assert composer._process is not None
        wait_until(composer.ready, what="the composing process to start")
        assert composer.wanted([[1], [2], [3], [4]]) is True
    finally:
        composer.stop()


def test_a_process_that_cannot_start_is_not_started_again_at_every_batch(
    sqlite_engine: Engine,
) -> None:
    clock = [0.0]
    composer = Composer("not-a-database-url://", clock=lambda: clock[0])
    assert composer.wanted([[1], [2], [3], [4]]) is False
    process = composer._process
    assert process is not None
    process.wait()  # it fails on the URL and leaves
    assert composer.ready() is False
    assert composer._process is None
    assert composer.wanted([[1], [2], [3], [4]]) is False
    assert composer._process is None  # resting: nothing started
    clock[0] += composing.REST_SECONDS + 1
    assert composer.wanted([[1], [2], [3], [4]]) is False
    assert composer._process is not None  # tried again
    composer.stop()


def test_the_composing_process_stops_when_idle(sqlite_engine: Engine) -> None:
    clock = [0.0]
    composer = Composer(
        sqlite_engine.url.render_as_string(hide_password=False), clock=lambda: clock[0]
    )
    composer.wanted([[1], [2], [3], [4]])
    process = composer._process
    assert process is not None
    clock[0] += composing.IDLE_SECONDS - 1
    composer.stop_if_idle()
    assert composer._process is process
    clock[0] += 2
    composer.stop_if_idle()
    assert composer._process is None and process.returncode is not None


def test_the_composing_process_leaves_when_its_worker_is_killed(sqlite_engine: Engine) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from monitor.notify.composer import Composer\n"
            f"c = Composer({url!r}); c.start()\n"
            "while not c.ready(): time.sleep(0.01)\n"
            "print(c._process.pid, flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.kill()
    parent.wait()
    wait_until(lambda: not _alive(child), what="the composing process to leave")


def test_a_stop_from_another_thread_leaves_a_batch_being_read_alone(
    sqlite_engine: Engine, config_dir: Path
) -> None:
    due_now(sqlite_engine, config_dir, 4)
    with session_scope(sqlite_engine) as session:
        ids = sorted(session.scalars(select(Notification.id)))
    composer = ready_composer(sqlite_engine)
    emails = composer.emails([[i] for i in ids], SENDER, datetime.now(UTC), lambda rest: iter(()))
    first = next(emails)
    assert first.rows[0].id == ids[0]
    stopper = threading.Thread(target=composer.stop)
    stopper.start()
    stopper.join()
    assert composer._process is not None  # not closed under the reading thread
    assert [e.rows[0].id for e in emails] == ids[1:]
    composer.stop()
    assert composer._process is None


def test_no_fork_means_the_worker_composes_and_rests(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [0.0]
    composer = Composer(
        sqlite_engine.url.render_as_string(hide_password=False), clock=lambda: clock[0]
    )
    monkeypatch.setattr(composing.sys, "executable", "/nonexistent/python3")
    assert composer.wanted([[1], [2], [3], [4]]) is False  # no exception
    assert composer._process is None
    assert composer._resting_until == composing.REST_SECONDS


def test_a_stop_while_waiting_for_a_silent_child_ends_the_batch_at_once(
    sqlite_engine: Engine,
) -> None:
    composer = Composer(sqlite_engine.url.render_as_string(hide_password=False))
    # A child that never answers (hung): only the worker's stop may end the wait.
    composer._process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    composer._ready = True
    fell_back: list[list[list[int]]] = []
    stopping = threading.Event()
    threading.Timer(0.3, stopping.set).start()

    def fallback(rest: list[list[int]]) -> Iterator[object]:
        fell_back.append(rest)
        return iter(())

    items = list(composer.emails([[1], [2]], SENDER, datetime.now(UTC), fallback, stopping.is_set))
    # Ended by the stop, not by the answer timeout: nothing composed, nothing in the worker.
    assert items == [] and fell_back == []
    assert composer._process is not None and composer._process.poll() is None
    composer.close()
    assert composer._process is None
    assert composer.wanted([[1], [2], [3], [4]]) is False
    assert composer._process is None  # closed: never started again
