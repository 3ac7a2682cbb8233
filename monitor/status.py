"""`monitor status`: is the monitor doing its job? Usable as a health check (exit code).

Something is wrong when no worker is alive, when notifications have failed (and nobody has
retried them), when every recent delivery attempt failed (the SMTP server is down or refuses
us: retries are still queued, but nothing goes out), when a poll has run past its claim (a
worker stuck in it, or dead), or when a source is down or broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from monitor.db import session_scope
from monitor.deadlines.dates import human
from monitor.decisions import upcoming_deadlines
from monitor.models import (
    NOTIFICATION_STATUSES,
    DeliveryAttempt,
    Notification,
    Source,
    WorkerHeartbeat,
)
from monitor.settings import Settings

# Delivery is failing when the latest attempts all failed: at least this many, the newest
# recent enough that the outage is current (retries back off up to two hours).
FAILING_ATTEMPTS = 3
FAILING_RECENT = timedelta(hours=4)


@dataclass
class HealthReport:
    workers: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    outbox: dict[str, int] = field(default_factory=dict)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "problems": self.problems,
            "workers": self.workers,
            "sources": self.sources,
            "outbox": self.outbox,
            "deadlines": self.deadlines,
        }

    def text(self) -> str:
        lines = ["OK: the monitor is doing its job" if self.healthy else "PROBLEMS:"]
        lines.extend(f"  - {p}" for p in self.problems)
        lines.append("")
        lines.append("workers:")
        lines.extend(
            f"  {w['name']}  {w['state']}, last beat {w['last_beat_at'][:19]}, {w['jobs_run']} job runs"
            for w in self.workers
        )
        if not self.workers:
            lines.append("  none has ever run")
        lines.append("sources:")
        lines.extend(
            f"  {s['id']}  {s['health']}, last success {(s['last_success_at'] or 'never')[:19]},"
            f" {s['consecutive_failures']} failure(s)"
            for s in self.sources
        )
        if not self.sources:
            lines.append("  none")
        lines.append("outbox: " + ", ".join(f"{n} {status}" for status, n in self.outbox.items()))
        lines.append("next deadlines:")
        lines.extend(
            f"  {d['human']}  {d['case']}/{d['decision']} {d['kind']}" for d in self.deadlines
        )
        if not self.deadlines:
            lines.append("  none ahead")
        return "\n".join(lines)


def health_report(engine: Engine, settings: Settings, now: datetime) -> HealthReport:
    report = HealthReport()
    alive_after = now - 3 * timedelta(seconds=settings.heartbeat_interval_seconds)
    with session_scope(engine) as session:
        for worker in session.scalars(
            select(WorkerHeartbeat).order_by(WorkerHeartbeat.started_at.desc()).limit(20)
        ):
            if worker.stopped_at is not None:
                state = "stopped"
            elif worker.last_beat_at >= alive_after:
                state = "alive"
            else:
                state = "silent (died?)"
            report.workers.append(
                {
                    "name": worker.name,
                    "host": worker.host,
                    "pid": worker.pid,
                    "state": state,
                    "started_at": worker.started_at.isoformat(),
                    "last_beat_at": worker.last_beat_at.isoformat(),
                    "jobs_run": worker.jobs_run,
                }
            )
        for source in session.scalars(
            select(Source).where(Source.archived_at.is_(None)).order_by(Source.key)
        ):
            report.sources.append(
                {
                    "id": source.key,
                    "health": source.health,
                    "consecutive_failures": source.consecutive_failures,
                    "last_success_at": source.last_success_at.isoformat()
                    if source.last_success_at
                    else None,
                    "last_error": source.last_error,
                }
            )
            if source.health in ("down", "broken"):
                report.problems.append(
                    f"source {source.key} is {source.health}: {source.last_error}"
                )
            if source.claimed_by and source.claimed_until and source.claimed_until < now:
                report.problems.append(
                    f"source {source.key}: a poll by {source.claimed_by} has run past its deadline"
                    f" ({source.claimed_until:%Y-%m-%d %H:%M:%S} UTC); that worker is stuck or"
                    " dead, and another takes the source back at its next poll"
                )
        failing = _delivery_failing(session, now)
        if failing:
            report.problems.append(failing)
        counts = dict(
            session.execute(
                select(Notification.status, func.count()).group_by(Notification.status)
            ).all()
        )
        report.outbox = {status: int(counts.get(status, 0)) for status in NOTIFICATION_STATUSES}
        upcoming = upcoming_deadlines(session, now.date(), limit=5)
        report.deadlines = [
            {
                "case": c.key,
                "decision": dec.key,
                "kind": d.kind,
                "date": d.due_on.isoformat(),
                "human": human(d.due_on),
            }
            for d, dec, c in upcoming
        ]
    if not any(w["state"] == "alive" for w in report.workers):
        report.problems.insert(0, "no worker is alive: start one with `monitor worker`")
    if report.outbox["failed"]:
        report.problems.append(
            f"{report.outbox['failed']} notification(s) failed: see `monitor outbox --status failed`"
        )
    return report


def _delivery_failing(session: Session, now: datetime) -> str | None:
    """A problem when the latest delivery attempts all failed and the newest is recent."""
    latest = list(
        session.execute(
            select(DeliveryAttempt.result, DeliveryAttempt.reply, DeliveryAttempt.started_at)
            .where(DeliveryAttempt.finished_at.is_not(None))
            .order_by(DeliveryAttempt.id.desc())
            .limit(5)
        )
    )
    if len(latest) < FAILING_ATTEMPTS or any(result == "sent" for result, _, _ in latest):
        return None
    if now - latest[0][2] > FAILING_RECENT:
        return None
    return (
        f"the last {len(latest)} delivery attempts all failed (latest: {latest[0][1]}); emails"
        " wait in the outbox and are retried: check the mail server with"
        " `monitor send-test-email ADDRESS`"
    )
