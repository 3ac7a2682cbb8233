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

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor import links
from monitor.db import make_engine, require_current_schema, schema_state, session_scope, upgrade
from monitor.deadlines.dates import human
from monitor.errors import ConfigError, MonitorError, UsageError
from monitor.queries import (
    case_rows,
    case_view,
    deadline_rows,
    event_rows,
    find_contact,
    find_source,
    is_operator,
    outbox_email_view,
    outbox_view,
    snapshot_rows,
    snapshot_view,
    source_rows,
    status_report,
    unsubscribed_notes,
)
from monitor.settings import Settings, load_settings, secret_key

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
            # Emails carry signed links only when there is a web view to open them.
            base_url = self._settings.base_url
            links.configure(base_url, secret_key(self._settings) if base_url else None)
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
    for note in _unsubscribed_notes(ctx):
        print(f"note: {note}")
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
        f" (deadline already passed), {report.reminders_cancelled} cancelled,"
        f" {report.reminders_restored} restored (back in config, deadline ahead)"
    )
    return 0


def cmd_cases(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        cases = case_rows(session, ctx.now.date(), args.all)
    rows = [
        (
            c.key,
            c.title,
            c.jurisdiction,
            c.decisions,
            f"{c.next_kind} {human(c.next_date)}" if c.next_date else "none ahead",
            ", ".join(
                (["archived"] if c.archived else [])
                + ([f"unsubscribed: {', '.join(c.unsubscribed)}"] if c.unsubscribed else [])
            ),
        )
        for c in cases
    ]
    _out(
        args,
        {"cases": [c.as_dict() for c in cases]},
        table(("case", "title", "jurisdiction", "decisions", "next deadline", ""), rows),
    )
    return 0


def cmd_deadlines(args: argparse.Namespace, ctx: Context) -> int:
    today = ctx.now.date()
    last = (ctx.now + args.within).date()
    start, end = (date.min, None) if args.all else (today, last)
    with session_scope(ctx.engine()) as session:
        found = deadline_rows(session, today, start, end)
    rows = [
        (
            d.case,
            d.decision,
            d.kind,
            human(d.due_on) + (" (?)" if d.uncertain else ""),
            _days_left(d.days_left),
            "appealed" if d.appealed_on else ("executed" if d.executed_on else ""),
        )
        for d in found
    ]
    text = table(("case", "decision", "deadline", "date", "when", "facts"), rows)
    if any(d.uncertain for d in found):
        text += "\n(?) uncertain: see `monitor explain CASE` for why"
    if not args.all:
        text = (
            f"deadlines from {human(today)} to {human(last)} (dates in each court's jurisdiction):\n"
            + text
        )
        if not rows:
            text += "\n(use --all to list past deadlines too)"
    _out(args, {"deadlines": [d.as_dict() for d in found]}, text)
    return 0


def _days_left(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def cmd_explain(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.catalog import load_calendars

    calendars = load_calendars(ctx.config_dir) if args.language != "en" else None
    with session_scope(ctx.engine()) as session:
        view = case_view(
            session, args.case, with_activity=False, language=args.language, calendars=calendars
        )
    lines = [f"{view.title} [{view.key}], jurisdiction {view.jurisdiction}"]
    for decision in view.decisions:
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
        for deadline in decision.deadlines:
            flag = " (uncertain)" if deadline.uncertain else ""
            lines.append(f"  {deadline.kind}: {human(deadline.date)}{flag}")
            lines.extend(wrap(deadline.explanation))
        for report in decision.reported_by:
            stated = ", ".join(
                part
                for part in (
                    human(date.fromisoformat(report["reported_date"]))
                    if report["reported_date"]
                    else "",
                    f"period {report['reported_period']}" if report["reported_period"] else "",
                )
                if part
            )
            lines.append(
                f"  reported by {report['source']} ({report['url']}, snapshot {report['snapshot']}):"
                f" {stated or 'no date or period stated'}"
            )
            lines.extend(wrap(f'"{(report["quote"] or "")[:300]}"'))
    _out(
        args,
        {"case": view.key, "decisions": [d.as_dict() for d in view.decisions]},
        "\n".join(lines),
    )
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

    if args.clear_executed or args.clear_appealed:
        return cmd_record_clear(args, ctx)
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
    with session_scope(ctx.engine()) as session:
        view = outbox_view(
            session,
            status=args.status,
            case_key=args.case,
            contact=args.to,
            kind=args.kind,
            limit=args.limit,
            sender=ctx.settings.mail_from,
            now=ctx.now,
        )
    rows = [
        (
            n.id,
            n.due_at.strftime("%Y-%m-%d %H:%M"),
            n.status,
            n.kind,
            n.case_label or "",
            n.to,
            n.subject[:70],
            n.attempts,
            (n.last_error or "")[:60],
        )
        for n in view.rows
    ]
    summary = ", ".join(f"{n} {status}" for status, n in view.counts.items())
    _out(
        args,
        view.as_dict(),
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
    from monitor.notify.preview import readable_email

    with session_scope(ctx.engine()) as session:
        found = outbox_email_view(session, args.id, ctx.settings.mail_from, ctx.now)
    if args.raw:
        sys.stdout.write(bytes(found.message).decode("ascii", "replace"))
        return 0
    state = (
        f"sent at {found.sent_at:%Y-%m-%d %H:%M} UTC"
        if found.sent_at
        else f"{found.status}; as it would be sent at {found.as_of:%Y-%m-%d %H:%M} UTC"
    )
    covers = ", ".join(str(i) for i in found.covers)
    print(f"notification {args.id}: {state} (one email for notification(s) {covers})")
    print(readable_email(found.message))
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
        sender = ctx.settings.mail_from
        # The preview composes from a scratch database whose ids are not the real ones: a
        # signed link made there could name another contact, so a preview carries none.
        links.configure(None, None)
        emails = preview(catalog, args.start, args.end, sender)
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
    if args.action == "test":
        if not args.url:
            raise UsageError("monitor sources test needs a URL")
        return cmd_sources_test(args, ctx)
    if args.action is not None:
        raise UsageError(f"unknown action {args.action!r} (try: monitor sources test URL)")
    with session_scope(ctx.engine()) as session:
        found = source_rows(session, include_archived=True)
    items = [s.as_dict() for s in found]
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
            find_source(session, args.source)
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
    # A script (or cron) must see that a poll failed: exit 1, like `monitor status`.
    return 1 if any(o.status in ("failed", "broken") for o in outcomes) else 0


def cmd_snapshots(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        found = snapshot_rows(session, args.source, args.limit)
    rows = [
        (
            s.id,
            s.fetched_at.isoformat()[:16],
            s.status,
            s.chars,
            "yes" if s.cited else "",
            s.sha256[:12],
            s.url,
        )
        for s in found
    ]
    _out(
        args,
        {"snapshots": [s.as_dict() for s in found]},
        table(("id", "fetched (UTC)", "HTTP", "chars", "cited", "sha256", "url"), rows),
    )
    return 0


_SNAPSHOT_HEAD = (
    "id",
    "source",
    "fetched_at",
    "status",
    "url",
    "etag",
    "last_modified",
    "sha256",
    "truncated",
)


def cmd_snapshot(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        view = snapshot_view(session, args.id).as_dict()
    head = "\n".join(f"{k}: {view[k]}" for k in _SNAPSHOT_HEAD)
    _out(args, {"snapshot": view}, f"{head}\n\n{view['text']}")
    return 0


def cmd_extract(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.sources.extract import read
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
    extraction = read(text, args.as_of)
    decisions = extraction.decisions
    payload = {"decisions": [d.as_dict() for d in decisions], "truncated": extraction.truncated}
    lines = []
    for d in decisions:
        lines.append(
            f"- {d.decision_date or 'date unknown'}: {d.kind or 'decision'} by {d.court or 'an unnamed court'}"
            + (f", appeal period {d.appeal_period}" if d.appeal_period else "")
            + (f", in-force period {d.in_force_period}" if d.in_force_period else "")
            + (f", in force on {d.in_force_date}" if d.in_force_date else "")
        )
        lines.append(f'  "{d.quote}"')
    if extraction.truncated:
        lines.append(
            "(the text was longer than the extraction budget: only its beginning was read)"
        )
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
    if settings.compose_processes:
        from monitor.notify.composer import Composer

        worker.composer = Composer(
            engine.url.render_as_string(hide_password=False), json_logs=args.log_json
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
    report = status_report(ctx.engine(), ctx.settings, ctx.now, ctx.config_dir)
    _out(args, report.as_dict(), report.text())
    return 0 if report.healthy else 1


def cmd_events(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        found = event_rows(session, case_key=args.case, limit=args.limit)
    rows = [(e.at.strftime("%Y-%m-%d %H:%M"), e.kind, e.case or "", e.message) for e in found]
    _out(
        args,
        {"events": [e.as_dict() for e in found]},
        table(("at (UTC)", "event", "case", "message"), rows),
    )
    return 0


def _links_or_refuse(ctx: Context) -> links.Links:
    settings = ctx.settings
    if not settings.base_url:
        raise UsageError(
            "no base URL: set web.base_url in config/monitor.toml or MONITOR_BASE_URL"
            " to the address where `monitor web` is reached"
        )
    return links.Links(settings.base_url, secret_key(settings))


def _unsubscribed_notes(ctx: Context) -> list[str]:
    """Who left from an email link: config lists them, but they get nothing (when the
    database can be read; config check needs none)."""
    url = make_url(ctx.settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return []  # no database yet: nothing to say, and none created by a check
    try:
        with session_scope(ctx.engine()) as session:
            return unsubscribed_notes(session)
    except (MonitorError, SQLAlchemyError):
        return []


def cmd_calendar_url(args: argparse.Namespace, ctx: Context) -> int:
    signer = _links_or_refuse(ctx)
    with session_scope(ctx.engine()) as session:
        contact = find_contact(session, args.contact)
        if args.rotate:
            # A new address for this contact only; the old one is refused from now on.
            contact.calendar_generation += 1
            contact.updated_at = ctx.now
        print(
            signer.url(links.CALENDAR, contact.id, ctx.now, generation=contact.calendar_generation)
        )
    return 0


def cmd_login_link(args: argparse.Namespace, ctx: Context) -> int:
    signer = _links_or_refuse(ctx)
    with session_scope(ctx.engine()) as session:
        contact = find_contact(session, args.email)
        if not is_operator(session, contact.id):
            raise UsageError(f"{contact.email} is not an operator of any case")
        print(signer.url(links.LOGIN, contact.id, ctx.now))
    return 0


def cmd_record_clear(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.decisions import clear_fact, find_decision

    fact = "executed" if args.clear_executed else "appealed"
    with session_scope(ctx.engine()) as session:
        decision = find_decision(session, args.case, args.decision)
        message, _ = clear_fact(session, decision, fact, ctx.now, by="an operator (command line)")
    print(message)
    return 0


def cmd_sources_test(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.sources.extract import read
    from monitor.sources.fetch import Fetcher, HostGate
    from monitor.sources.parse import SelectorError, html_to_text
    from monitor.sources.parse import links as page_links

    """What a source definition would read, before it is added: nothing is stored."""
    try:
        pattern = re.compile(args.link_pattern) if args.link_pattern else None
    except re.error as exc:
        raise UsageError(f"--link-pattern {args.link_pattern!r}: {exc}") from exc
    result = Fetcher(HostGate(gap=0)).fetch(args.url, ctx.now, allow_private=args.allow_private)
    try:
        page = html_to_text(result.text, args.selector)
        found = (
            page_links(result.text, result.final_url, pattern.pattern, args.selector)
            if pattern
            else []
        )
    except SelectorError as exc:
        raise UsageError(f"--selector {args.selector!r}: {exc}") from exc
    extraction = read(page.text, ctx.now.date())
    payload = {
        "url": result.final_url,
        "status": result.status,
        "title": page.title,
        "selector_matched": page.matched,
        "truncated": result.truncated or page.truncated or extraction.truncated,
        "text": page.text,
        "links": found,
        "decisions": [d.as_dict() for d in extraction.decisions],
    }
    lines = [f"{result.final_url}: HTTP {result.status}, title {page.title!r}"]
    if args.selector:
        lines.append(
            f"selector {args.selector!r}: "
            + ("matched" if page.matched else "matched nothing (the source would be broken)")
        )
    if pattern:
        lines.append(f"links matching {pattern.pattern!r}: {len(found)}")
        lines.extend(f"  {url}" for url in found[:20])
    lines.append(f"text ({len(page.text)} characters):")
    lines.extend(f"  {line}" for line in page.text[:600].splitlines())
    lines.append(f"decisions found: {len(extraction.decisions)}")
    for d in extraction.decisions:
        lines.append(
            f"  - {d.decision_date or 'date unknown'}: {d.kind or 'decision'} by {d.court or 'an unnamed court'}"
        )
    _out(args, payload, "\n".join(lines))
    return 0


def cmd_web(args: argparse.Namespace, ctx: Context) -> int:
    from monitor.web.app import create_app
    from monitor.web.serve import serve

    settings = ctx.settings
    fixed = ctx.now
    app = create_app(settings, ctx.engine(), clock=(lambda: fixed) if args.now_given else None)
    port = args.port or int(os.environ.get("PORT") or 8000)
    where = settings.base_url or f"http://{args.host}:{port}"
    print(
        f"web view on http://{args.host}:{port} (links in emails: {settings.base_url or 'none, set MONITOR_BASE_URL'})"
    )
    print(f"operators log in at {where}/login; stop with Ctrl-C", flush=True)
    # No access log: paths carry tokens.
    serve(app, host=args.host, port=port, threads=args.threads)
    return 0
