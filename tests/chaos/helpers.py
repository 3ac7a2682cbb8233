"""Shared steps of the chaos suite: real worker processes, a real SMTP server, counting."""

from __future__ import annotations

import collections
import email
import email.policy
import signal
import subprocess
import time

from sqlalchemy import Engine, select

from monitor.db import session_scope
from monitor.models import Notification
from tests.conftest import SmtpServer
from tests.worker_helpers import statuses

# A short lease, so that claims stranded by a kill come back within the test; it must be more
# than twice the SMTP timeout (checked when settings load).
FAST = {
    "MONITOR_CLAIM_LEASE": "3",
    "MONITOR_SMTP_TIMEOUT": "1",
    "MONITOR_DISPATCH_INTERVAL": "1",
    "MONITOR_HEARTBEAT_INTERVAL": "1",
}


def received(server: SmtpServer) -> collections.Counter[str]:
    """How many times each Message-ID arrived."""
    return collections.Counter(
        str(email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"])  # type: ignore[attr-defined]
        for e in server.recorder.received
    )


def stop(worker: subprocess.Popen[str]) -> tuple[float, str]:
    """SIGTERM, wait; returns (seconds until the process was gone, its stderr)."""
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    try:
        _, err = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        _, err = worker.communicate()
        raise AssertionError(f"still running 30 s after SIGTERM:\n{err[-3000:]}") from None
    return time.monotonic() - started, err


def kill(worker: subprocess.Popen[str]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)


def assert_delivered(engine: Engine, server: SmtpServer, ids: list[str], *, kills: int) -> None:
    """Every email at least once; twice only for a resend after a kill -9, at most one per
    kill; nothing left claimed; every row marked sent."""
    counts = received(server)
    missing = set(ids) - set(counts)
    assert not missing, f"{len(missing)} email(s) never arrived"
    extra = sum(n - 1 for n in counts.values())
    assert extra <= kills, f"{extra} duplicate(s) with {kills} kill(s): {counts.most_common(3)}"
    state = statuses(engine)
    assert "sending" not in state, state
    assert state.get("sent", 0) >= len(ids), state


def claimed(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(
            list(session.scalars(select(Notification.id).where(Notification.status == "sending")))
        )
