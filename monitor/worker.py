"""The worker: APScheduler sets the pace; the database holds every bit of state.

Jobs are in-memory interval jobs (nothing pickled, nothing the scheduler alone knows). Each
calls a plain function of another module with the engine and ``now`` (read once per run), and
drains its due work in bounded batches, one transaction per batch, then returns. Jobs take the
engine rather than a session because a batch is the unit of work: a session per batch keeps a
crash from losing more than the batch in hand. A failing item is recorded on its row by the
function that handles it; a failing job is logged (one line when the database is away, with
the traceback otherwise) and tried again at its next run; nothing here lets an exception end
the worker.

Sending is not a scheduler job: each process has exactly one dispatcher, a thread that
drains what is due, then waits (interruptibly) until the next row falls due or the dispatch
interval passes, whichever is first, so a 09:00 reminder goes out at 09:00. Other jobs wake it
(an event), never by calling into the scheduler.

Stopping (SIGTERM or SIGINT): the handler only sets flags and aborts fetches in progress. The
main thread then stops the scheduler without waiting, gives the dispatcher a few seconds to
finish the email in hand, gives back every other claim of this worker (emails and sources),
records the stop and leaves the process: within five seconds, whatever a job is doing. A
second signal leaves at once; what was claimed is then taken back when the lease ends.

Job defaults, chosen on purpose:
- ``coalesce=True``: runs missed while the process was suspended or busy collapse into one;
  every job works from what is due in the database, so one late run does all that many would.
- ``max_instances=1``: a job never overlaps itself (a slow SMTP server must not pile up
  dispatch runs that claim each other's work).
- ``misfire_grace_time=None``: a late run is still run, however late; skipping it would only
  delay due work until the next interval.

Catch-up after downtime is the dispatcher's and the poller's (see those modules): reminders
that fell due are sent late and say so, or skipped with one summary when their deadline has
passed; an overdue source is polled once.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from monitor import events
from monitor.catalog import CalendarExtras, load_catalog
from monitor.db import (
    bookkeeping_engine,
    in_transaction,
    is_transient,
    one_line,
    require_current_schema,
    session_scope,
)
from monitor.decisions import upcoming_deadlines
from monitor.errors import ConfigError, MonitorError
from monitor.models import Decision, DecisionProvenance, Snapshot, Source, WorkerHeartbeat
from monitor.notify.alerts import plan_alerts
from monitor.notify.composer import Composer
from monitor.notify.deliver import Backend, backend_for
from monitor.notify.dispatch import DispatchPolicy, dispatch_due, next_due, release_worker
from monitor.notify.plan import changed_decisions, plan_reminders
from monitor.settings import Settings
from monitor.sync import sync_catalog

if TYPE_CHECKING:
    from monitor.sources.fetch import Fetcher
    from monitor.sources.poll import Poller

log = logging.getLogger("monitor.worker")

# Upper bounds per run, so that one job run always returns and the others get their turn.
MAX_DISPATCH_BATCHES = 50
MAX_POLL_ROUNDS = 10
PLAN_OVERLAP = timedelta(minutes=5)
# A stop gives the email in hand this long to finish before the process leaves; with the
# clean-up after it, the process is gone within five seconds of the signal.
STOP_GRACE_SECONDS = 3.5


class WorkerRefused(MonitorError):
    """The worker will not start (another one holds the SQLite database, or the schema is old)."""


def config_fingerprint(config_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every TOML file under config/: cheap to compare."""
    files = sorted(config_dir.rglob("*.toml")) if config_dir.is_dir() else []
    return tuple(
        (str(p.relative_to(config_dir)), p.stat().st_size, p.stat().st_mtime_ns) for p in files
    )


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(json_logs: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json_logs else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


@dataclass
class Worker:
    engine: Engine
    settings: Settings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stopping: threading.Event = field(default_factory=threading.Event)
    calendars: CalendarExtras = field(default_factory=CalendarExtras)
    failures_since_ping: int = 0
    heartbeat_id: int | None = None
    planned_until: datetime | None = None
    scheduler: BaseScheduler | None = None
    backend: Backend | None = None  # default: the one the settings name
    config_seen: tuple[tuple[str, int, int], ...] = ()
    poller: Poller | None = None
    # Set to make the dispatcher look for due work now (new rows planned, a stop).
    wake: threading.Event = field(default_factory=threading.Event)
    # Rows the dispatcher is sending at this moment: a stop never gives these back.
    in_hand: set[int] = field(default_factory=set)
    # Seconds one email takes to send, smoothed: a claim takes no more than fits in its lease.
    send_seconds: float = 0.05
    # Job runs not yet added to this worker's heartbeat row (see ``record_runs``).
    runs_unrecorded: int = 0
    runs_lock: threading.Lock = field(default_factory=threading.Lock)
    # Composes large batches in a second process (``notify/composer.py``); None: in threads.
    composer: Composer | None = None
    _fetcher: Fetcher | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.lease = timedelta(seconds=self.settings.claim_lease_seconds)
        # Claims, attempts and marks commit without waiting for the disk (see the function).
        self.bookkeeping = bookkeeping_engine(self.engine)

    @property
    def fetcher(self) -> Fetcher:
        """Made at the first poll, with the sources' imports (``requests``, extraction's
        patterns): a worker sends its first email without them."""
        if self._fetcher is None:
            from monitor.sources.fetch import Fetcher, HostGate

            self._fetcher = Fetcher(HostGate(gap=self.settings.host_gap_ms / 1000))
            # A stop that came while it was being made found nothing to abort.
            if self.stopping.is_set():
                self._fetcher.abort()
        return self._fetcher

    # ---------------------------------------------------------------- start and stop

    def start(self, now: datetime, *, sync: bool = True) -> dict[str, Any]:
        """Check the schema, take the heartbeat row, sync the catalog. Returns a summary.

        ``sync=False`` leaves the database as it is (benchmarks with bulk-loaded catalogs).
        """
        require_current_schema(self.engine)
        self.config_seen = config_fingerprint(self.settings.config_dir)
        catalog = load_catalog(self.settings.config_dir)
        self.calendars = catalog.calendars
        self.name = f"{self.name}:{int(now.timestamp())}"
        with session_scope(self.engine) as session:
            row = WorkerHeartbeat(
                name=self.name,
                host=socket.gethostname(),
                pid=os.getpid(),
                started_at=now,
                last_beat_at=now,
                jobs_run=0,
            )
            session.add(row)
            session.flush()
            self.heartbeat_id = row.id
        if self.engine.dialect.name == "sqlite":
            self._refuse_second_sqlite_worker(now)
        self.planned_until = now
        if not sync:
            return {"sync": None}
        with session_scope(self.engine) as session:
            report = sync_catalog(session, catalog, now)
            plan_alerts(session, now)
        # The sync planned every decision; the plan job carries on from here.
        return {"sync": report.as_dict()}

    def _refuse_second_sqlite_worker(self, now: datetime) -> None:
        alive_after = now - 3 * timedelta(seconds=self.settings.heartbeat_interval_seconds)
        with session_scope(self.engine) as session:
            others = list(
                session.scalars(
                    select(WorkerHeartbeat).where(
                        WorkerHeartbeat.id != self.heartbeat_id,
                        WorkerHeartbeat.stopped_at.is_(None),
                        WorkerHeartbeat.last_beat_at >= alive_after,
                        WorkerHeartbeat.id < (self.heartbeat_id or 0),
                    )
                )
            )
            # On this host a worker whose process is gone is dead, however fresh its last beat.
            others = [o for o in others if o.host != socket.gethostname() or _process_exists(o.pid)]
            if others:
                me = session.get(WorkerHeartbeat, self.heartbeat_id)
                if me is not None:
                    me.stopped_at = now
        if others:
            other = others[0]
            raise WorkerRefused(
                f"another worker ({other.name}, last seen {other.last_beat_at:%Y-%m-%d %H:%M:%S} UTC) is running"
                " against this SQLite database, which serves one worker at a time: stop it first, or use"
                " PostgreSQL (MONITOR_DATABASE_URL) to run several"
            )

    def stop(self, now: datetime) -> None:
        self.stopping.set()
        if self.composer is not None:
            self.composer.close()
        if self.heartbeat_id is None:
            return
        self.record_runs("dispatch")
        with session_scope(self.engine) as session:
            row = session.get(WorkerHeartbeat, self.heartbeat_id)
            if row is not None and row.stopped_at is None:
                row.stopped_at = now

    # ---------------------------------------------------------------- jobs

    def poll_sources(self, now: datetime) -> dict[str, Any]:
        """A running worker starts due sources in the background (``Poller``) and returns;
        ``--once`` polls what is due and waits for it."""
        # Imported here: extraction's patterns take a tenth of a second to load, and nothing
        # before the first dispatch needs them (nor ``fetcher``).
        from monitor.sources.poll import Poller, PollPolicy, poll_due

        policy = PollPolicy(down_after=self.settings.source_down_after, lease=self.lease)
        if self.scheduler is not None:
            if self.poller is None:
                self.poller = Poller(
                    self.engine,
                    self.fetcher,
                    worker=self.name,
                    policy=policy,
                    on_done=lambda outcome: self.wake.set() if outcome.found else None,
                )
            started = self.poller.start_due(now, self.calendars)
            return {"started": started, "in_flight": self.poller.busy}
        polled = found = 0
        for _ in range(MAX_POLL_ROUNDS):
            if self.stopping.is_set():
                break
            outcomes = poll_due(
                self.engine,
                now,
                self.fetcher,
                self.calendars,
                worker=self.name,
                policy=policy,
            )
            if not outcomes:
                break
            polled += len(outcomes)
            found += sum(len(o.found) for o in outcomes)
        return {"polled": polled, "found": found}

    def plan(self, now: datetime) -> dict[str, Any]:
        """Re-sync config/ if its files changed, then replan the decisions that changed since
        the last run (the start's sync planned all)."""
        resynced = self._resync_if_config_changed(now)
        # Overlap the previous run: a change committed late by another process, stamped just
        # before that run's `now`, is still picked up. Replanning is idempotent.
        since = (self.planned_until or now) - PLAN_OVERLAP
        with session_scope(self.engine) as session:
            changed = changed_decisions(session, since)
            report = plan_reminders(session, now, decision_ids=changed)
            alerts = plan_alerts(session, now)
        self.planned_until = now
        return {
            "config": resynced,
            "decisions": len(changed),
            "planned": report.planned,
            "cancelled": report.cancelled,
            "alerts": alerts,
        }

    def _resync_if_config_changed(self, now: datetime) -> str:
        """Operators edit config/ in place (or deploy it from git): pick the edit up without a
        restart. A broken edit is logged with every problem and nothing of it is applied; the
        worker goes on with what it had."""
        fingerprint = config_fingerprint(self.settings.config_dir)
        if fingerprint == self.config_seen:
            return "unchanged"
        self.config_seen = fingerprint
        try:
            catalog = load_catalog(self.settings.config_dir)
        except ConfigError as exc:
            log.error(
                "config/ changed but is broken; nothing applied: %s",
                "; ".join(str(p) for p in exc.problems),
                extra={"fields": {"problems": [str(p) for p in exc.problems]}},
            )
            # Once per broken version of the files: the operators get one email about it.
            with session_scope(self.engine) as session:
                events.record_event(
                    session,
                    now,
                    events.CONFIG_BROKEN,
                    "config/ changed but is broken; nothing applied: "
                    + "; ".join(str(p) for p in exc.problems),
                    problems=[str(p) for p in exc.problems],
                )
            return "broken"
        self.calendars = catalog.calendars
        with session_scope(self.engine) as session:
            report = sync_catalog(session, catalog, now)
        return "unchanged" if report.unchanged else "synced"

    def dispatch(self, now: datetime) -> dict[str, Any]:
        """Send everything due at ``now`` (``--once`` and rehearsals: one fixed moment)."""
        return self.drain(lambda: now)

    def drain(self, now: Callable[[], datetime]) -> dict[str, Any]:
        """Plan pending alerts, then claim and send batches until nothing is due (or a bound
        or a stop is reached). ``now`` is read once per batch: a batch is a unit of work."""
        alerts = in_transaction(self.engine, lambda s: plan_alerts(s, now()), patience=5)
        totals = {
            "alerts": alerts,
            "sent": 0,
            "retried": 0,
            "failed": 0,
            "skipped": 0,
            "released": 0,
            "lost": 0,
        }
        backend = self.backend or backend_for(self.settings)
        policy = DispatchPolicy(lease=self.lease)
        with backend:  # one SMTP connection for every batch of this drain
            self._drain_batches(backend, policy, now, totals)
        if self.composer is not None:
            self.composer.stop_if_idle()
        return totals

    def _drain_batches(
        self,
        backend: Backend,
        policy: DispatchPolicy,
        now: Callable[[], datetime],
        totals: dict[str, Any],
    ) -> None:
        for _ in range(MAX_DISPATCH_BATCHES):
            if self.stopping.is_set():
                break
            report = dispatch_due(
                self.bookkeeping,
                backend,
                now(),
                worker=self.name,
                sender=self.settings.mail_from,
                policy=policy,
                limit=self.claim_size(policy),
                should_stop=self.stopping.is_set,
                clock=self.clock,
                in_hand=self.in_hand,
                composer=self.composer,
            )
            for key in totals.keys() - {"alerts"}:
                totals[key] += getattr(report, key)
            if report.emails:
                per_email = report.send_seconds / report.emails
                self.send_seconds = 0.7 * self.send_seconds + 0.3 * per_email
            for reply in report.replies:
                if backend.name == "files":
                    log.info("email %s", reply)
            if report.claimed == 0:
                break

    def claim_size(self, policy: DispatchPolicy) -> int:
        """As many rows as this worker sends in a quarter of its lease, at most the batch
        size: rows waiting in a claim are rows no other worker can send."""
        fits = policy.lease.total_seconds() / 4 / max(self.send_seconds, 0.001)
        return max(1, min(policy.batch_size, int(fits)))

    def seconds_until_due(self) -> float:
        """How long the dispatcher may sleep: until the next row falls due (or a claim
        expires), at most one dispatch interval."""
        interval = float(self.settings.dispatch_interval_seconds)
        try:
            with session_scope(self.engine) as session:
                due = next_due(session)
        except DBAPIError:
            return interval
        if due is None:
            return interval
        return min(max((due - self.clock()).total_seconds(), 0.0), interval)

    def dispatch_loop(self) -> None:
        """The one dispatcher of this process: drain, then wait for the next due time, a
        wake-up or the interval. Never two drains at once, and nothing else sends."""
        while not self.stopping.is_set():
            self.wake.clear()
            ok = self.run_job("dispatch", lambda _now: self.drain(self.clock))
            # After a failure (the database is away) wait a whole interval, not a busy loop.
            wait = self.seconds_until_due() if ok else self.settings.dispatch_interval_seconds
            self.wake.wait(max(wait, 0.02))

    def release_claims(self) -> dict[str, int]:
        """Give back what this worker holds (a graceful stop), except the email in hand."""
        at = self.clock()

        def work(session: Any) -> dict[str, int]:
            emails = release_worker(session, self.name, at, keep=set(self.in_hand))
            sources = session.execute(
                update(Source)
                .where(Source.claimed_by == self.name)
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            return {"emails": emails, "sources": int(sources or 0)}

        return in_transaction(self.engine, work, patience=1)

    def housekeeping(self, now: datetime) -> dict[str, Any]:
        """Prune old snapshots (never one a decision cites) and long-stopped workers' rows."""
        cutoff = now - timedelta(days=self.settings.snapshot_retention_days)
        with session_scope(self.engine) as session:
            cited = select(DecisionProvenance.snapshot_id).union(
                select(Decision.snapshot_id).where(Decision.snapshot_id.is_not(None))
            )
            pruned = session.execute(
                delete(Snapshot)
                .where(Snapshot.fetched_at < cutoff, Snapshot.id.not_in(cited))
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            gone = session.execute(
                delete(WorkerHeartbeat)
                .where(WorkerHeartbeat.stopped_at < now - timedelta(days=7))
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
        return {"snapshots_pruned": int(pruned or 0), "workers_forgotten": int(gone or 0)}

    def heartbeat(self, now: datetime) -> dict[str, Any]:
        with session_scope(self.engine) as session:
            session.execute(
                update(WorkerHeartbeat)
                .where(WorkerHeartbeat.id == self.heartbeat_id)
                .values(last_beat_at=now)
            )
        pinged = False
        if self.settings.heartbeat_url and self.failures_since_ping == 0:
            # A dead man's switch: the service alerts the operators when pings stop.
            from monitor.sources.fetch import ping

            pinged = ping(self.settings.heartbeat_url)
        self.failures_since_ping = 0
        return {"pinged": pinged}

    def jobs(self) -> list[tuple[str, Callable[[datetime], dict[str, Any]], int]]:
        s = self.settings
        return [
            ("poll", self.poll_sources, s.poll_interval_seconds),
            ("plan", self.plan, 300),
            ("dispatch", self.dispatch, s.dispatch_interval_seconds),
            ("housekeeping", self.housekeeping, 3600),
            ("heartbeat", self.heartbeat, s.heartbeat_interval_seconds),
        ]

    def run_job(self, name: str, job: Callable[[datetime], dict[str, Any]]) -> bool:
        """Run one job now; log one line; never raise."""
        now = self.clock()
        started = time.monotonic()
        try:
            result = job(now)
        except Exception as exc:
            self.failures_since_ping += 1
            if isinstance(exc, DBAPIError) and is_transient(exc):
                log.error(
                    "job %s: the database is unavailable (%s); the job runs again at its next turn",
                    name,
                    one_line(exc),
                    extra={"fields": {"job": name, "ok": False, "error": one_line(exc)}},
                )
            else:
                log.exception("job %s failed", name, extra={"fields": {"job": name, "ok": False}})
            return False
        ms = int((time.monotonic() - started) * 1000)
        fields = {"job": name, "ok": True, "duration_ms": ms, **result}
        log.info(
            "job %s %s",
            name,
            " ".join(f"{k}={v}" for k, v in result.items()),
            extra={"fields": fields},
        )
        if name in ("plan", "poll"):
            self.wake.set()  # they may have queued emails: the dispatcher looks now
        with self.runs_lock:
            self.runs_unrecorded += 1
        if name != "dispatch":
            # The dispatcher runs at every due time: its runs are counted in memory and
            # recorded with the next other job (the heartbeat's at the latest), not with a
            # write to the database of their own between two emails.
            self.record_runs(name)
        return True

    def record_runs(self, last_job: str) -> None:
        """Add the job runs not yet recorded to this worker's heartbeat row."""
        with self.runs_lock:
            runs, self.runs_unrecorded = self.runs_unrecorded, 0
        if self.heartbeat_id is None or not runs:
            return
        try:
            with session_scope(self.engine) as session:
                session.execute(
                    update(WorkerHeartbeat)
                    .where(WorkerHeartbeat.id == self.heartbeat_id)
                    .values(jobs_run=WorkerHeartbeat.jobs_run + runs, last_job=last_job)
                )
        except DBAPIError as exc:
            with self.runs_lock:
                self.runs_unrecorded += runs
            log.error("cannot record the run of job %s: %s", last_job, one_line(exc))

    def run_once(self) -> bool:
        """Every job once, in order (for system cron). True when all succeeded."""
        jobs = self.jobs()
        ok = all([self.run_job(name, job) for name, job, _ in jobs])
        self.record_runs(jobs[-1][0])
        return ok

    def schedule(self, scheduler_class: type[BaseScheduler]) -> BaseScheduler:
        """A scheduler with the worker's jobs but dispatch (its own thread), all due at once;
        not started."""
        scheduler = self.scheduler = scheduler_class(
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        for name, job, seconds in self.jobs():
            if name == "dispatch":
                continue
            scheduler.add_job(
                self.run_job,
                "interval",
                seconds=seconds,
                args=(name, job),
                id=name,
                name=name,
                next_run_time=datetime.now(UTC),
            )
        return scheduler

    def request_stop(self) -> None:
        """What a signal handler may do: set flags, interrupt waits and fetches. Nothing that
        takes a lock another thread could hold."""
        self.stopping.set()
        self.wake.set()
        if self._fetcher is not None:
            self._fetcher.abort()

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT, then leave the process (see the module's docstring)."""
        scheduler = self.schedule(BackgroundScheduler)
        dispatcher = threading.Thread(target=self.dispatch_loop, name="dispatcher", daemon=True)

        def _stop(signum: int, _frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            if self.stopping.is_set():
                os.write(2, f"{name} again: leaving at once\n".encode())
                os._exit(1)
            log.info("%s: finishing the email in hand, then stopping", name)
            self.request_stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        scheduler.start()
        dispatcher.start()
        while not self.stopping.wait(1.0):
            pass
        scheduler.shutdown(wait=False)
        dispatcher.join(timeout=STOP_GRACE_SECONDS)
        try:
            released = self.release_claims()
            self.stop(self.clock())
            log.info(
                "stopped; gave back %s email(s) and %s source(s)",
                released["emails"],
                released["sources"],
            )
        except DBAPIError as exc:
            log.error(
                "stopped without giving back claims (%s); they are taken back when the lease ends",
                one_line(exc),
            )
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stdout.flush()
        # Job threads may still be inside a fetch or a parse; they hold nothing that matters
        # now, and waiting for them would break the promise to stop within seconds.
        os._exit(0)


def summary_lines(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """What a newcomer should see when the worker starts."""
    from monitor.deadlines.dates import human
    from monitor.models import Case, Deadline
    from monitor.settings import SPECS, mask

    with session_scope(engine) as session:
        cases = (
            session.scalar(select(func.count()).select_from(Case).where(Case.archived_at.is_(None)))
            or 0
        )
        upcoming = upcoming_deadlines(session, now.date(), limit=5)
        last = session.execute(
            select(Deadline.due_on, Case.key)
            .join(Decision, Deadline.decision_id == Decision.id)
            .join(Case, Decision.case_id == Case.id)
            .where(Case.archived_at.is_(None))
            .order_by(Deadline.due_on.desc())
            .limit(1)
        ).first()
    database = mask(next(s for s in SPECS if s.name == "database_url"), settings.database_url)
    mail = (
        f"files, written to {settings.outbox_dir}"
        if settings.mail_backend == "files"
        else f"smtp via {mask(next(s for s in SPECS if s.name == 'smtp_url'), settings.smtp_url)}"
    )
    lines = [f"watching {cases} case(s); database {database}; mail {mail}"]
    if upcoming:
        lines.append("next deadlines:")
        lines.extend(f"  {human(d.due_on)}  {c.key}/{dec.key} {d.kind}" for d, dec, c in upcoming)
    elif last is not None:
        first_month = last[0].replace(day=1)
        lines.append(
            f"no deadline ahead: the latest ({human(last[0])}, case {last[1]}) has passed. To see the emails the"
            f" worker would have sent then: monitor preview --from {first_month.isoformat()} --to {last[0].isoformat()}"
        )
    else:
        lines.append(
            "no deadlines yet: add a decision to a case file in config/cases/ and the worker picks it up at start"
        )
    return lines
