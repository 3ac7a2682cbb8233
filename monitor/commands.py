"""The commands behind `monitor`: open a session, call one function, print.

Imported only once a command has been parsed, so that `monitor --help` and `--version`
stay quick (see cli.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import textwrap
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from monitor.db import make_engine, require_current_schema, schema_state, session_scope, upgrade
from monitor.deadlines.dates import human
from monitor.errors import ConfigError, UsageError
from monitor.models import (
    NOTIFICATION_STATUSES,
    Case,
    Contact,
    Deadline,
    Decision,
    DecisionProvenance,
    Event,
    Notification,
    Snapshot,
    Source,
)
from monitor.settings import Settings, load_settings

Handler = Callable[[argparse.Namespace, "Context"], int]


class Context:
    """What every command gets: settings, the clock read once, and a way to the database."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config_dir = Path(args.config or os.environ.get("MONITOR_CONFIG_DIR") or "config")
        self.now: datetime = args.now or datetime.now(UTC)
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_dir)
            if self.args.config:
                self._settings.origins["config_dir"] = "--config"
            elif os.environ.get("MONITOR_CONFIG_DIR"):
                self._settings.origins["config_dir"] = "environment MONITOR_CONFIG_DIR"
        return self._settings

    def database_url(self) -> str | None:
        """The database URL if settings could be read, for error messages."""
        return self._settings.database_url if self._settings is not None else None

    def engine(self, *, check_schema: bool = True) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        if check_schema:
            require_current_schema(self._engine)
        return self._engine


def _out(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "(none)"
    cells = [[str(c) for c in headers]] + [
        ["" if c is None else str(c) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_DATE_WORDS = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\b"
    r"|(?<!\w)((?:пн|вт|ср|чт|пт|сб|вс),) (\d{1,2}) ([а-я]+) (\d{4})\b"
)


def wrap(text: str, indent: str = "    ") -> list[str]:
    """Wrap an explanation without ever splitting a date like ``Fri 19 Aug 2016``."""
    glued = _DATE_WORDS.sub(lambda m: "\u00a0".join(g for g in m.groups() if g), text)
    return [
        line.replace("\u00a0", " ")
        for line in textwrap.wrap(glued, 96, initial_indent=indent, subsequent_indent=indent)
    ]


# ---------------------------------------------------------------------------------------
# Commands.
# ---------------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace, ctx: Context) -> int:
    engine = ctx.engine(check_schema=False)
    before, head = schema_state(engine)
    upgrade(engine)
    if before == head:
        print(f"database already at {head}")
    else:
        print(f"database upgraded from {before or 'empty'} to {head}")
    return 0


def cmd_db_check(args: argparse.Namespace, ctx: Context) -> int:
    current, head = schema_state(ctx.engine(check_schema=False))
    if current == head:
        print(f"schema is current ({head})")
        return 0
    print(
        f"schema is {current or 'empty'}, the code needs {head}: run `monitor db upgrade`",
        file=sys.stderr,
    )
    return 1


def cmd_config_check(args: argparse.Namespace, ctx: Context) -> int:
    # Settings and catalog problems are reported together: every problem in one run.
    from monitor.catalog import load_catalog

    problems = []
    try:
        ctx.settings  # noqa: B018
    except ConfigError as exc:
        problems.extend(exc.problems)
    try:
        catalog = load_catalog(ctx.config_dir, ctx.now.date())
    except ConfigError as exc:
        raise ConfigError([*problems, *exc.problems]) from None
    if problems:
        raise ConfigError(problems)
    decisions = sum(len(c.decisions) for c in catalog.cases.values())
    print(
        f"config OK: {len(catalog.cases)} case(s), {decisions} decision(s),"
        f" {len(catalog.contacts)} contact(s), {len(catalog.sources)} source(s)"
    )
    return 0


def cmd_config_show(args: argparse.Namespace, ctx: Context) -> int:
    rows = ctx.settings.shown()
    _out(
        args,
        {"settings": [{"name": n, "value": v, "origin": o} for n, v, o in rows]},
        table(("setting", "value", "from"), rows),
    )
    return 0


def cmd_sync(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_catalog
    from monitor.notify.alerts import plan_alerts
    from monitor.sync import sync_catalog

    catalog = load_catalog(ctx.config_dir, ctx.now.date())
    with session_scope(ctx.engine()) as session:
        report = sync_catalog(session, catalog, ctx.now)
        # A moved deadline or a changed decision is news for the advocates: queue it now.
        plan_alerts(session, ctx.now)
    if args.json:
        _out(args, {"sync": report.as_dict()}, "")
        return 0
    if report.unchanged:
        print("nothing to change: the database already matches the config")
        return 0
    for title, items in (
        ("added", report.added),
        ("changed", report.changed),
        ("archived", report.archived),
        ("restored", report.restored),
        ("deadlines", report.deadlines),
    ):
        for item in items:
            print(f"{title:9}  {item}")
    print(
        f"reminders  {report.reminders_planned} planned, {report.reminders_skipped} skipped"
        f" (deadline already passed), {report.reminders_cancelled} cancelled"
    )
    return 0


def _cases(session: Session, include_archived: bool) -> list[Case]:
    query = (
        select(Case)
        .options(selectinload(Case.decisions).selectinload(Decision.deadlines))
        .order_by(Case.key)
    )
    if not include_archived:
        query = query.where(Case.archived_at.is_(None))
    return list(session.scalars(query))


def _next_deadline(case: Case, today: date) -> Deadline | None:
    upcoming = [
        d
        for decision in case.decisions
        if decision.archived_at is None
        for d in decision.deadlines
        if d.due_on >= today
    ]
    return min(upcoming, key=lambda d: d.due_on, default=None)


def cmd_cases(args: argparse.Namespace, ctx: Context) -> int:
    today = ctx.now.date()
    with session_scope(ctx.engine()) as session:
        cases = _cases(session, args.all)
        items = []
        rows = []
        for case in cases:
            nxt = _next_deadline(case, today)
            active = [d for d in case.decisions if d.archived_at is None]
            items.append(
                {
                    "id": case.key,
                    "title": case.title,
                    "jurisdiction": case.jurisdiction,
                    "decisions": len(active),
                    "archived": case.archived_at is not None,
                    "next_deadline": {"kind": nxt.kind, "date": nxt.due_on.isoformat()}
                    if nxt
                    else None,
                }
            )
            rows.append(
                (
                    case.key,
                    case.title,
                    case.jurisdiction,
                    len(active),
                    f"{nxt.kind} {human(nxt.due_on)}" if nxt else "none ahead",
                    "archived" if case.archived_at else "",
                )
            )
    _out(
        args,
        {"cases": items},
        table(("case", "title", "jurisdiction", "decisions", "next deadline", ""), rows),
    )
    return 0


def cmd_deadlines(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.decisions import upcoming_deadlines

    today = ctx.now.date()
    last = (ctx.now + args.within).date()
    start, end = (date.min, None) if args.all else (today, last)
    with session_scope(ctx.engine()) as session:
        found = upcoming_deadlines(session, start, end)
        items: list[dict[str, Any]] = [
            {
                "case": c.key,
                "decision": dec.key,
                "kind": d.kind,
                "date": d.due_on.isoformat(),
                "days_left": (d.due_on - today).days,
                "uncertain": d.uncertain,
                "appealed_on": dec.appealed_on.isoformat() if dec.appealed_on else None,
                "executed_on": dec.executed_on.isoformat() if dec.executed_on else None,
                "explanation": d.explanation,
            }
            for d, dec, c in found
        ]
    rows = [
        (
            i["case"],
            i["decision"],
            i["kind"],
            human(date.fromisoformat(i["date"])) + (" (?)" if i["uncertain"] else ""),
            _days_left(i["days_left"]),
            "appealed" if i["appealed_on"] else ("executed" if i["executed_on"] else ""),
        )
        for i in items
    ]
    text = table(("case", "decision", "deadline", "date", "when", "facts"), rows)
    if any(i["uncertain"] for i in items):
        text += "\n(?) uncertain: see `monitor explain CASE` for why"
    if not args.all:
        text = (
            f"deadlines from {human(today)} to {human(last)} (dates in each court's jurisdiction):\n"
            + text
        )
        if not rows:
            text += "\n(use --all to list past deadlines too)"
    _out(args, {"deadlines": items}, text)
    return 0


def _days_left(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def cmd_explain(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_calendars
    from monitor.decisions import explanations_in

    calendars = load_calendars(ctx.config_dir) if args.language != "en" else None
    with session_scope(ctx.engine()) as session:
        case = session.scalars(select(Case).where(Case.key == args.case)).one_or_none()
        if case is None:
            raise UsageError(
                f"no case {args.case!r} (see `monitor cases`; run `monitor sync` after editing config)"
            )
        decisions = []
        lines = [f"{case.title} [{case.key}], jurisdiction {case.jurisdiction}"]
        for decision in case.decisions:
            if decision.archived_at is not None:
                continue
            facts = []
            if decision.appealed_on:
                facts.append(f"appealed on {human(decision.appealed_on)}")
            if decision.executed_on:
                facts.append(f"executed on {human(decision.executed_on)}")
            lines.append("")
            lines.append(
                f"decision {decision.key}: {decision.kind}, {decision.court}, {human(decision.decided_on)}"
                f" (rule {decision.rule}, from {decision.origin})"
            )
            if facts:
                lines.append("  facts: " + "; ".join(facts))
            explained = explanations_in(decision, args.language, calendars)
            for deadline in sorted(decision.deadlines, key=lambda d: (d.due_on, d.kind)):
                flag = " (uncertain)" if deadline.uncertain else ""
                lines.append(f"  {deadline.kind}: {human(deadline.due_on)}{flag}")
                lines.extend(wrap(explained[deadline.kind]))
            decisions.append(
                {
                    "id": decision.key,
                    "date": decision.decided_on.isoformat(),
                    "court": decision.court,
                    "kind": decision.kind,
                    "rule": decision.rule,
                    "origin": decision.origin,
                    "appealed_on": decision.appealed_on.isoformat()
                    if decision.appealed_on
                    else None,
                    "executed_on": decision.executed_on.isoformat()
                    if decision.executed_on
                    else None,
                    "deadlines": [
                        {
                            "kind": d.kind,
                            "date": d.due_on.isoformat(),
                            "uncertain": d.uncertain,
                            "explanation": explained[d.kind],
                        }
                        for d in decision.deadlines
                    ],
                }
            )
    _out(args, {"case": case.key, "decisions": decisions}, "\n".join(lines))
    return 0


def cmd_compute(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_calendars
    from monitor.deadlines.calendars import CourtCalendar
    from monitor.deadlines.rules import compute, preset

    rule = preset(args.rule)
    jurisdiction = args.jurisdiction or rule.jurisdiction
    if jurisdiction is None:
        raise UsageError(f"rule {rule.name} needs --jurisdiction (a country code like KZ)")
    extras = (
        load_calendars(ctx.config_dir) if (ctx.config_dir / "calendars.toml").exists() else None
    )
    calendar = extras.calendar(jurisdiction) if extras else CourtCalendar(jurisdiction)
    results = []
    for trigger in args.dates:
        computed = compute(rule, trigger, calendar, grace_days=args.grace)
        results.append(
            {
                "trigger": trigger.isoformat(),
                "deadlines": [
                    {"kind": d.kind, "date": d.date.isoformat(), "explanation": d.explanation}
                    for d in computed
                ],
            }
        )
    lines = []
    for result in results:
        lines.append(
            f"trigger {human(date.fromisoformat(result['trigger']))}, rule {rule.name}, {calendar.name}:"
        )
        for d in result["deadlines"]:
            lines.append(f"  {d['kind']}: {human(date.fromisoformat(d['date']))}")
            lines.extend(wrap(d["explanation"]))
    _out(args, {"rule": rule.name, "results": results}, "\n".join(lines))
    return 0


def cmd_record(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.decisions import find_decision, record_fact
    from monitor.notify.alerts import plan_alerts

    with session_scope(ctx.engine()) as session:
        decision = find_decision(session, args.case, args.decision)
        message, report = record_fact(
            session,
            decision,
            ctx.now,
            appealed_on=args.appealed,
            executed_on=args.executed,
            force=args.force,
        )
        plan_alerts(session, ctx.now)
    print(message)
    if report is not None:
        print(f"reminders: {report.cancelled} cancelled")
    return 0


def cmd_outbox(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.notify.preview import outbox_subject

    query = (
        select(Notification, Contact, Case)
        .join(Contact, Notification.contact_id == Contact.id)
        .outerjoin(Case, Notification.case_id == Case.id)
        .order_by(Notification.due_at.desc(), Notification.id.desc())
        .limit(args.limit)
    )
    if args.status:
        query = query.where(Notification.status == args.status)
    if args.case:
        query = query.where(Case.key == args.case)
    if args.to:
        query = query.where(
            (Contact.key == args.to) | (func.lower(Contact.email) == args.to.lower())
        )
    if args.kind:
        query = query.where(Notification.kind == args.kind)
    sender = ctx.settings.mail_from
    with session_scope(ctx.engine()) as session:
        found = list(reversed(session.execute(query).all()))
        counts = dict(
            session.execute(
                select(Notification.status, func.count()).group_by(Notification.status)
            ).all()
        )
        subjects = {n.id: outbox_subject(session, n, sender, ctx.now) for n, _, _ in found}
    items = [
        {
            "id": n.id,
            "kind": n.kind,
            "status": n.status,
            "case": case.key if case else None,
            "to": c.email,
            "subject": subjects[n.id],
            "due_at": n.due_at.isoformat(),
            "attempts": n.attempts,
            "next_attempt_at": n.next_attempt_at.isoformat(),
            "last_error": n.last_error,
            "message_id": n.message_id,
            "dedup_key": n.dedup_key,
        }
        for n, c, case in found
    ]
    rows = [
        (
            n.id,
            n.due_at.strftime("%Y-%m-%d %H:%M"),
            n.status,
            n.kind,
            (case.label or case.key) if case else "",
            c.email,
            subjects[n.id][:70],
            n.attempts,
            (n.last_error or "")[:60],
        )
        for n, c, case in found
    ]
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in NOTIFICATION_STATUSES)
    _out(
        args,
        {"notifications": items, "counts": {s: counts.get(s, 0) for s in NOTIFICATION_STATUSES}},
        table(
            (
                "id",
                "due (UTC)",
                "status",
                "kind",
                "case",
                "to",
                "subject",
                "attempts",
                "last error",
            ),
            rows,
        )
        + f"\n{summary}",
    )
    return 0


def cmd_outbox_show(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.notify.preview import outbox_email, readable_email

    sender = ctx.settings.mail_from
    with session_scope(ctx.engine()) as session:
        row = session.get(Notification, args.id)
        if row is None:
            raise UsageError(f"no notification {args.id} (see `monitor outbox`)")
        email = outbox_email(session, row, sender, ctx.now)
        raw = bytes(email.message)
        when = row.sent_at or max(row.due_at, ctx.now)
        state = (
            f"sent at {row.sent_at:%Y-%m-%d %H:%M} UTC"
            if row.sent_at
            else f"{row.status}; as it would be sent at {when:%Y-%m-%d %H:%M} UTC"
        )
        covers = ", ".join(str(r.id) for r in email.rows)
    if args.raw:
        sys.stdout.write(raw.decode("ascii", "replace"))
        return 0
    print(f"notification {args.id}: {state} (one email for notification(s) {covers})")
    print(readable_email(email.message))
    return 0


def cmd_outbox_retry(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.notify.dispatch import retry

    with session_scope(ctx.engine()) as session:
        row = retry(session, args.id, ctx.now)
        print(
            f"notification {row.id} ({row.kind}) is pending again and will be sent at the next dispatch"
        )
    return 0


def cmd_send_test_email(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import email_address
    from monitor.notify.compose import compose_test
    from monitor.notify.deliver import backend_for
    from monitor.notify.plan import new_message_id

    try:
        address = email_address(args.address)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    settings = ctx.settings
    message = compose_test(
        "", address, settings.mail_from, new_message_id(), ctx.now, args.language
    )
    backend = backend_for(settings)
    with backend:
        reply = backend.send(message)
    print(f"sent through {backend.name}: {reply}")
    return 0


def cmd_preview(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_catalog
    from monitor.notify.preview import outbox_preview, preview, write_eml

    if args.end < args.start:
        raise UsageError("--to is before --from")
    if args.outbox:
        with session_scope(ctx.engine()) as session:
            emails = outbox_preview(session, args.start, args.end, ctx.settings.mail_from, ctx.now)
            note = "what the outbox of the database will send (pending rows), as it will be sent"
    else:
        catalog = load_catalog(ctx.config_dir)
        emails = preview(catalog, args.start, args.end, ctx.settings.mail_from)
        note = (
            "a preview from the config alone, in a scratch database: the real outbox is not"
            " read (`monitor preview --outbox` shows what it will send)"
        )
    items = [
        {
            "send_at": e.send_at.isoformat(),
            "local_time": e.local_time,
            "to": e.to,
            "subject": e.subject,
            "kind": e.kind,
        }
        for e in emails
    ]
    rows = [(e.send_at.strftime("%Y-%m-%d %H:%M"), e.local_time, e.to, e.subject) for e in emails]
    text = note + ":\n" + table(("send at (UTC)", "local time", "to", "subject"), rows)
    if args.write:
        paths = write_eml(emails, Path(args.write))
        text += f"\n{len(paths)} message(s) written to {args.write}"
    _out(args, {"source": "outbox" if args.outbox else "config", "emails": items}, text)
    return 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def cmd_sources(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        sources = list(session.scalars(select(Source).order_by(Source.key)))
        items: list[dict[str, Any]] = [
            {
                "id": s.key,
                "kind": s.kind,
                "url": s.url,
                "health": s.health,
                "archived": s.archived_at is not None,
                "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
                "last_checked_at": s.last_checked_at.isoformat() if s.last_checked_at else None,
                "next_poll_at": s.next_poll_at.isoformat() if s.next_poll_at else None,
                "consecutive_failures": s.consecutive_failures,
                "last_error": s.last_error,
            }
            for s in sources
        ]
    rows = [
        (
            i["id"],
            i["kind"],
            "archived" if i["archived"] else i["health"],
            (i["last_success_at"] or "never")[:16],
            i["consecutive_failures"],
            (i["next_poll_at"] or "now")[:16],
            (i["last_error"] or "")[:50],
        )
        for i in items
    ]
    _out(
        args,
        {"sources": items},
        table(
            (
                "source",
                "kind",
                "state",
                "last success (UTC)",
                "failures",
                "next poll (UTC)",
                "last error",
            ),
            rows,
        ),
    )
    return 0


def cmd_poll(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_calendars
    from monitor.notify.alerts import plan_alerts
    from monitor.sources.fetch import Fetcher, HostGate
    from monitor.sources.poll import PollPolicy, poll_due

    settings = ctx.settings
    calendars = load_calendars(ctx.config_dir)
    fetcher = Fetcher(HostGate(gap=settings.host_gap_ms / 1000))
    engine = ctx.engine()
    if args.source:
        with session_scope(engine) as session:
            if session.scalars(select(Source).where(Source.key == args.source)).first() is None:
                raise UsageError(f"no source {args.source!r} (see `monitor sources`)")
    outcomes = poll_due(
        engine,
        ctx.now,
        fetcher,
        calendars,
        worker=worker_name(),
        only=args.source,
        limit=1000,
        policy=PollPolicy(down_after=settings.source_down_after),
    )
    with session_scope(engine) as session:
        plan_alerts(session, ctx.now)
    items = [
        {
            "source": o.source,
            "status": o.status,
            "detail": o.detail,
            "snapshot": o.snapshot_id,
            "found": [
                {
                    "case": f.case_key,
                    "decision": f.decision_key,
                    "outcome": f.outcome,
                    "message": f.message,
                }
                for f in o.found
            ],
        }
        for o in outcomes
    ]
    lines = []
    for o in outcomes:
        lines.append(
            f"{o.source}: {o.status}"
            + (f" ({o.detail})" if o.detail else "")
            + (f", snapshot {o.snapshot_id}" if o.snapshot_id else "")
        )
        lines.extend(f"  {f.message}" for f in o.found)
    _out(args, {"polled": items}, "\n".join(lines) or "no source is due (name one to poll it now)")
    return 0


def cmd_snapshots(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        source = session.scalars(select(Source).where(Source.key == args.source)).first()
        if source is None:
            raise UsageError(f"no source {args.source!r} (see `monitor sources`)")
        snapshots = list(
            session.scalars(
                select(Snapshot)
                .where(Snapshot.source_id == source.id)
                .order_by(Snapshot.fetched_at.desc())
                .limit(args.limit)
            )
        )
        cited = set(session.scalars(select(DecisionProvenance.snapshot_id)))
        items: list[dict[str, Any]] = [
            {
                "id": s.id,
                "fetched_at": s.fetched_at.isoformat(),
                "status": s.http_status,
                "url": s.final_url,
                "sha256": s.sha256,
                "chars": len(s.text),
                "truncated": s.truncated,
                "cited": s.id in cited,
            }
            for s in snapshots
        ]
    rows = [
        (
            i["id"],
            i["fetched_at"][:16],
            i["status"],
            i["chars"],
            "yes" if i["cited"] else "",
            i["sha256"][:12],
            i["url"],
        )
        for i in items
    ]
    _out(
        args,
        {"snapshots": items},
        table(("id", "fetched (UTC)", "HTTP", "chars", "cited", "sha256", "url"), rows),
    )
    return 0


def cmd_snapshot(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        snapshot = session.get(Snapshot, args.id)
        if snapshot is None:
            raise UsageError(f"no snapshot {args.id} (see `monitor snapshots SOURCE`)")
        source = session.get(Source, snapshot.source_id)
        assert source is not None
        item = {
            "id": snapshot.id,
            "source": source.key,
            "fetched_at": snapshot.fetched_at.isoformat(),
            "status": snapshot.http_status,
            "url": snapshot.final_url,
            "etag": snapshot.etag,
            "last_modified": snapshot.last_modified,
            "sha256": snapshot.sha256,
            "truncated": snapshot.truncated,
            "text": snapshot.text,
        }
    head = "\n".join(f"{k}: {v}" for k, v in item.items() if k != "text")
    _out(args, {"snapshot": item}, f"{head}\n\n{item['text']}")
    return 0


def cmd_extract(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.sources.extract import extract
    from monitor.sources.fetch import Fetcher, HostGate, decode_body
    from monitor.sources.parse import html_to_text

    target: str = args.target
    if target == "-":
        text = sys.stdin.read()
    elif target.startswith(("http://", "https://")):
        result = Fetcher(HostGate(gap=0)).fetch(target, ctx.now, allow_private=args.allow_private)
        text = (
            html_to_text(result.text).text
            if "html" in result.content_type or "<" in result.text[:200]
            else result.text
        )
    else:
        path = Path(target)
        if not path.is_file():
            raise UsageError(
                f"{target}: no such file (give a path, an http(s) URL, or - for standard input)"
            )
        raw = path.read_bytes()
        text, _ = decode_body(raw, "")
        if path.suffix.lower() in (".html", ".htm"):
            text = html_to_text(text).text
    decisions = extract(text, args.as_of)
    payload = {"decisions": [d.as_dict() for d in decisions]}
    lines = []
    for d in decisions:
        lines.append(
            f"- {d.decision_date or 'date unknown'}: {d.kind or 'decision'} by {d.court or 'an unnamed court'}"
            + (f", period {d.in_force_period}" if d.in_force_period else "")
            + (f", in force on {d.in_force_date}" if d.in_force_date else "")
        )
        lines.append(f'  "{d.quote}"')
    _out(args, payload, "\n".join(lines) or "no decision found")
    return 0


def cmd_worker(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.worker import Worker, configure_logging, summary_lines

    configure_logging(args.log_json)
    if args.now_given and not args.once:
        raise UsageError("--now only makes sense with --once: a running worker follows the clock")
    settings = ctx.settings
    engine = ctx.engine()
    fixed = ctx.now
    worker = Worker(
        engine, settings, clock=(lambda: fixed) if args.now_given else (lambda: datetime.now(UTC))
    )
    worker.start(worker.clock())
    try:
        for line in summary_lines(engine, settings, worker.clock()):
            print(line, flush=True)
        if args.once:
            return 0 if worker.run_once() else 1
        print("worker running; stop it with Ctrl-C (SIGINT) or SIGTERM", flush=True)
        worker.run_forever()
        return 0
    finally:
        worker.stop(worker.clock())


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_catalog
    from monitor.status import health_report

    report = health_report(ctx.engine(), ctx.settings, ctx.now)
    # A process that stopped without running a single job is noise, not a worker.
    report.workers = [w for w in report.workers if w["jobs_run"] > 0 or w["state"] == "alive"]
    try:
        load_catalog(ctx.config_dir, ctx.now.date())
    except ConfigError as exc:
        # The worker keeps the last good config; the one on disk will not apply until fixed.
        count = len(exc.problems)
        report.problems.append(
            f"the config on disk is broken ({count} problem{'s' if count != 1 else ''}, the"
            f" first: {exc.problems[0]}): run `monitor config check`"
        )
    _out(args, report.as_dict(), report.text())
    return 0 if report.healthy else 1


def cmd_events(args: argparse.Namespace, ctx: Context) -> int:
    query = (
        select(Event, Case.key)
        .outerjoin(Case, Event.case_id == Case.id)
        .order_by(Event.id.desc())
        .limit(args.limit)
    )
    if args.case:
        query = query.where(Case.key == args.case)
    with session_scope(ctx.engine()) as session:
        found = list(reversed(session.execute(query).all()))
    items = [
        {"at": e.at.isoformat(), "kind": e.kind, "case": key, "message": e.message, "data": e.data}
        for e, key in found
    ]
    rows = [(e.at.strftime("%Y-%m-%d %H:%M"), e.kind, key or "", e.message) for e, key in found]
    _out(args, {"events": items}, table(("at (UTC)", "event", "case", "message"), rows))
    return 0
