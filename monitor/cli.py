"""The command line: parse, open a session, call one function, print. Nothing else."""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import textwrap
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from monitor import __version__, links
from monitor.catalog import _EMAIL, load_calendars, load_catalog
from monitor.db import make_engine, require_current_schema, schema_state, session_scope, upgrade
from monitor.deadlines.calendars import CourtCalendar
from monitor.deadlines.dates import human, parse_iso_date
from monitor.deadlines.rules import PRESET_HELP, compute, preset
from monitor.decisions import clear_fact, find_decision, record_fact, upcoming_deadlines
from monitor.errors import ConfigError, MonitorError, UsageError
from monitor.models import (
    NOTIFICATION_STATUSES,
    Contact,
    Source,
    Subscription,
)
from monitor.notify.alerts import plan_alerts
from monitor.notify.compose import compose_test
from monitor.notify.deliver import backend_for
from monitor.notify.dispatch import retry
from monitor.notify.plan import new_message_id
from monitor.notify.preview import preview, write_eml
from monitor.queries import (
    case_rows,
    case_view,
    event_rows,
    outbox_view,
    snapshot_rows,
    snapshot_view,
    source_rows,
    unsubscribed_notes,
)
from monitor.settings import Settings, load_settings, secret_key
from monitor.sources.extract import read
from monitor.sources.fetch import Fetcher, HostGate, decode_body
from monitor.sources.parse import SelectorError, html_to_text
from monitor.sources.parse import links as page_links
from monitor.sources.poll import PollPolicy, poll_due
from monitor.status import health_report
from monitor.sync import sync_catalog
from monitor.worker import Worker, configure_logging, summary_lines

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


_DATE_WORDS = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\b")


def wrap(text: str, indent: str = "    ") -> list[str]:
    """Wrap an explanation without ever splitting a date like ``Fri 19 Aug 2016``."""
    glued = _DATE_WORDS.sub(lambda m: "\u00a0".join(m.groups()), text)
    return [
        line.replace("\u00a0", " ")
        for line in textwrap.wrap(glued, 96, initial_indent=indent, subsequent_indent=indent)
    ]


def _date_arg(text: str) -> date:
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _instant_arg(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or time (expected 2016-08-04 or 2016-08-04T09:00:00+00:00)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _days_arg(text: str) -> int:
    raw = text[:-1] if text.endswith("d") else text
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (like 30d)")
    return int(raw)


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
    ctx.settings  # noqa: B018 - settings problems are reported like catalog problems
    catalog = load_catalog(ctx.config_dir)
    decisions = sum(len(c.decisions) for c in catalog.cases.values())
    print(
        f"config OK: {len(catalog.cases)} case(s), {decisions} decision(s),"
        f" {len(catalog.contacts)} contact(s), {len(catalog.sources)} source(s)"
    )
    for note in _unsubscribed_notes(ctx):
        print(f"note: {note}")
    return 0


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


def cmd_config_show(args: argparse.Namespace, ctx: Context) -> int:
    rows = ctx.settings.shown()
    _out(
        args,
        {"settings": [{"name": n, "value": v, "origin": o} for n, v, o in rows]},
        table(("setting", "value", "from"), rows),
    )
    return 0


def cmd_sync(args: argparse.Namespace, ctx: Context) -> int:
    catalog = load_catalog(ctx.config_dir)
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
    start, end = (date.min, None) if args.all else (today, today + timedelta(days=args.within))
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
            human(date.fromisoformat(i["date"])),
            _days_left(i["days_left"]),
            "appealed" if i["appealed_on"] else ("executed" if i["executed_on"] else ""),
        )
        for i in items
    ]
    text = table(("case", "decision", "deadline", "date", "when", "facts"), rows)
    if not args.all:
        text = (
            f"deadlines from {human(today)} to {human(today + timedelta(days=args.within))}:\n"
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
    with session_scope(ctx.engine()) as session:
        view = case_view(session, args.case, with_activity=False)
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
    if args.clear_executed or args.clear_appealed:
        return cmd_record_clear(args, ctx)
    with session_scope(ctx.engine()) as session:
        decision = find_decision(session, args.case, args.decision)
        message, report = record_fact(
            session, decision, ctx.now, appealed_on=args.appealed, executed_on=args.executed
        )
        plan_alerts(session, ctx.now)
    print(message)
    print(f"reminders: {report.cancelled} cancelled")
    return 0


def cmd_record_clear(args: argparse.Namespace, ctx: Context) -> int:
    fact = "executed" if args.clear_executed else "appealed"
    with session_scope(ctx.engine()) as session:
        decision = find_decision(session, args.case, args.decision)
        message, _ = clear_fact(session, decision, fact, ctx.now, by="an operator (command line)")
    print(message)
    return 0


def cmd_outbox(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        view = outbox_view(session, status=args.status, limit=args.limit)
    rows = [
        (
            n.id,
            n.due_at.strftime("%Y-%m-%d %H:%M"),
            n.status,
            n.kind,
            n.to,
            n.attempts,
            (n.last_error or "")[:60],
        )
        for n in view.rows
    ]
    summary = ", ".join(f"{view.counts[s]} {s}" for s in NOTIFICATION_STATUSES)
    _out(
        args,
        view.as_dict(),
        table(("id", "due (UTC)", "status", "kind", "to", "attempts", "last error"), rows)
        + f"\n{summary}",
    )
    return 0


def cmd_outbox_retry(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        row = retry(session, args.id, ctx.now)
        print(
            f"notification {row.id} ({row.kind}) is pending again and will be sent at the next dispatch"
        )
    return 0


def cmd_send_test_email(args: argparse.Namespace, ctx: Context) -> int:
    if not _EMAIL.match(args.address):
        raise UsageError(f"{args.address!r} is not an email address")
    settings = ctx.settings
    message = compose_test(
        "", args.address, settings.mail_from, new_message_id(), ctx.now, args.language
    )
    backend = backend_for(settings)
    with backend:
        reply = backend.send(message)
    print(f"sent through {backend.name}: {reply}")
    return 0


def cmd_preview(args: argparse.Namespace, ctx: Context) -> int:
    if args.end < args.start:
        raise UsageError("--to is before --from")
    catalog = load_catalog(ctx.config_dir)
    sender = ctx.settings.mail_from
    # The preview composes from a scratch database whose ids are not the real ones: a signed
    # link made there could name another contact, so a preview carries none.
    links.configure(None, None)
    emails = preview(catalog, args.start, args.end, sender)
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
    text = table(("send at (UTC)", "local time", "to", "subject"), rows)
    if args.write:
        paths = write_eml(emails, Path(args.write))
        text += f"\n{len(paths)} message(s) written to {args.write}"
    _out(args, {"emails": items}, text)
    return 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def cmd_sources_test(args: argparse.Namespace, ctx: Context) -> int:
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


def cmd_sources(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "test":
        if not args.url:
            raise UsageError("monitor sources test needs a URL")
        return cmd_sources_test(args, ctx)
    if args.action is not None:
        raise UsageError(f"unknown action {args.action!r} (try: monitor sources test URL)")
    with session_scope(ctx.engine()) as session:
        items = [row.as_dict() for row in source_rows(session, include_archived=True)]
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
            ("source", "kind", "state", "last success", "failures", "next poll", "last error"), rows
        ),
    )
    return 0


def cmd_poll(args: argparse.Namespace, ctx: Context) -> int:
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


def cmd_snapshot(args: argparse.Namespace, ctx: Context) -> int:
    with session_scope(ctx.engine()) as session:
        view = snapshot_view(session, args.id)
    item = {
        "id": view.id,
        "source": view.source,
        "fetched_at": view.fetched_at.isoformat(),
        "status": view.status,
        "url": view.url,
        "etag": view.etag,
        "last_modified": view.last_modified,
        "sha256": view.sha256,
        "truncated": view.truncated,
        "text": view.text,
    }
    head = "\n".join(f"{k}: {v}" for k, v in item.items() if k != "text")
    _out(args, {"snapshot": item}, f"{head}\n\n{item['text']}")
    return 0


def cmd_extract(args: argparse.Namespace, ctx: Context) -> int:
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
    report = health_report(ctx.engine(), ctx.settings, ctx.now)
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


def cmd_web(args: argparse.Namespace, ctx: Context) -> int:
    import waitress

    from monitor.web.app import create_app

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
    waitress.serve(app, host=args.host, port=port, threads=args.threads, ident="monitor")
    return 0


def _links_or_refuse(ctx: Context) -> links.Links:
    settings = ctx.settings
    if not settings.base_url:
        raise UsageError(
            "no base URL: set web.base_url in config/monitor.toml or MONITOR_BASE_URL"
            " to the address where `monitor web` is reached"
        )
    return links.Links(settings.base_url, secret_key(settings))


def _contact(session: Session, key_or_email: str) -> Contact:
    contact = session.scalars(
        select(Contact).where(
            (Contact.key == key_or_email) | (func.lower(Contact.email) == key_or_email.lower())
        )
    ).first()
    if contact is None or contact.archived_at is not None:
        raise UsageError(
            f"no contact {key_or_email!r} (an id or address from config/contacts.toml)"
        )
    return contact


def cmd_calendar_url(args: argparse.Namespace, ctx: Context) -> int:
    signer = _links_or_refuse(ctx)
    with session_scope(ctx.engine()) as session:
        contact = _contact(session, args.contact)
        print(signer.url(links.CALENDAR, contact.id, ctx.now))
    return 0


def cmd_login_link(args: argparse.Namespace, ctx: Context) -> int:
    signer = _links_or_refuse(ctx)
    with session_scope(ctx.engine()) as session:
        contact = _contact(session, args.email)
        if not session.scalars(
            select(Subscription.id).where(
                Subscription.contact_id == contact.id,
                Subscription.role == "operator",
                Subscription.archived_at.is_(None),
            )
        ).first():
            raise UsageError(f"{contact.email} is not an operator of any case")
        print(signer.url(links.LOGIN, contact.id, ctx.now))
    return 0


# ---------------------------------------------------------------------------------------
# Parser.
# ---------------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def _command(
    subparsers: Any,
    name: str,
    handler: Handler,
    summary: str,
    example: str,
    json_output: bool = False,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler, json=False)
    if json_output:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="monitor",
        description="Court Deadline Monitor: watch court cases, compute deadlines, remind advocates.",
        epilog="example:\n  monitor db upgrade && monitor sync && monitor deadlines --all",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    parser.add_argument(
        "--config",
        metavar="DIR",
        help="configuration folder (default: ./config, or MONITOR_CONFIG_DIR)",
    )
    parser.add_argument(
        "--now",
        type=_instant_arg,
        metavar="WHEN",
        help="act as if it were this UTC date/time (rehearsals and tests); default: the clock",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = sub.add_parser("db", help="database migrations", description="Database migrations.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    _command(
        db_sub,
        "upgrade",
        cmd_db_upgrade,
        "bring the database schema up to date",
        "monitor db upgrade",
    )
    _command(
        db_sub,
        "check",
        cmd_db_check,
        "say whether the schema is current (exit 1 if not)",
        "monitor db check",
    )

    config = sub.add_parser(
        "config",
        help="check or show the configuration",
        description="Check or show the configuration.",
    )
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    _command(
        config_sub,
        "check",
        cmd_config_check,
        "validate config/ and report every problem",
        "monitor config check",
    )
    _command(
        config_sub,
        "show",
        cmd_config_show,
        "print effective settings (secrets masked) and where each came from",
        "monitor config show --json",
        json_output=True,
    )

    _command(
        sub,
        "sync",
        cmd_sync,
        "apply config/ to the database (all or nothing)",
        "monitor sync",
        json_output=True,
    )

    p = _command(
        sub,
        "cases",
        cmd_cases,
        "list watched cases and their next deadline",
        "monitor cases --json",
        json_output=True,
    )
    p.add_argument("--all", action="store_true", help="include archived cases")

    p = _command(
        sub,
        "deadlines",
        cmd_deadlines,
        "list deadlines, soonest first",
        "monitor deadlines --within 30d",
        json_output=True,
    )
    p.add_argument(
        "--within",
        type=_days_arg,
        default=30,
        metavar="DAYS",
        help="from today to this many days ahead (default 30d)",
    )
    p.add_argument("--all", action="store_true", help="every deadline, past ones included")

    p = _command(
        sub,
        "explain",
        cmd_explain,
        "show a case's decisions, deadlines and how each was computed",
        "monitor explain kozlov",
        json_output=True,
    )
    p.add_argument("case", help="case id")

    p = _command(
        sub,
        "compute",
        cmd_compute,
        "compute deadlines for trigger dates without touching the database",
        "monitor compute kz-criminal-appeal-15d 2016-08-04 --json",
        json_output=True,
    )
    p.add_argument("rule", help=f"rule preset: {PRESET_HELP}")
    p.add_argument(
        "dates", nargs="+", type=_date_arg, metavar="DATE", help="trigger date(s), YYYY-MM-DD"
    )
    p.add_argument(
        "--jurisdiction",
        metavar="CODE",
        help="calendar to use (KZ, US, PL, ...); presets bring their own",
    )
    p.add_argument(
        "--grace",
        type=int,
        metavar="DAYS",
        help="also compute execution_due, this many days after in force",
    )

    p = _command(
        sub,
        "record",
        cmd_record,
        "record that a decision was appealed or executed",
        "monitor record kozlov --executed 2016-08-20",
    )
    p.add_argument("case", help="case id")
    p.add_argument(
        "--decision", metavar="ID", help="decision id (needed when the case has several)"
    )
    fact = p.add_mutually_exclusive_group(required=True)
    fact.add_argument(
        "--appealed", type=_date_arg, metavar="DATE", help="the day an appeal was lodged"
    )
    fact.add_argument(
        "--executed", type=_date_arg, metavar="DATE", help="the day the decision was carried out"
    )
    fact.add_argument(
        "--clear-executed", action="store_true", help="undo a recorded execution (with an event)"
    )
    fact.add_argument(
        "--clear-appealed", action="store_true", help="undo a recorded appeal (with an event)"
    )

    p = _command(
        sub,
        "outbox",
        cmd_outbox,
        "list notifications in the outbox, newest last",
        "monitor outbox --status failed",
        json_output=True,
    )
    p.add_argument("--status", choices=NOTIFICATION_STATUSES, help="only rows with this status")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    outbox_sub = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    retry_parser = _command(
        outbox_sub,
        "retry",
        cmd_outbox_retry,
        "queue a failed, skipped or cancelled notification again",
        "monitor outbox retry 42",
    )
    retry_parser.add_argument("id", type=int, help="notification id (see `monitor outbox`)")

    p = _command(
        sub,
        "send-test-email",
        cmd_send_test_email,
        "send one test email through the configured backend",
        "monitor send-test-email advocate@example.org",
    )
    p.add_argument("address", help="where to send it")
    p.add_argument("--language", choices=("en", "ru"), default="en", help="language of the email")

    p = _command(
        sub,
        "preview",
        cmd_preview,
        "list every email the current config would send between two dates",
        "monitor preview --from 2016-08-01 --to 2016-08-31 --write var/preview",
        json_output=True,
    )
    p.add_argument(
        "--from",
        dest="start",
        type=_date_arg,
        required=True,
        metavar="DATE",
        help="first day (UTC)",
    )
    p.add_argument(
        "--to", dest="end", type=_date_arg, required=True, metavar="DATE", help="last day (UTC)"
    )
    p.add_argument("--write", metavar="DIR", help="also write each email as an .eml file into DIR")

    p = _command(
        sub,
        "sources",
        cmd_sources,
        "list sources: state, last success, failures, next poll; or test one before adding it",
        "monitor sources --json\n  monitor sources test https://example.org/news --selector div.news",
        json_output=True,
    )
    p.add_argument("action", nargs="?", help="test: show what a source definition would read")
    p.add_argument("url", nargs="?", help="the page to test (with: test)")
    p.add_argument("--selector", help="CSS selector of the part to read (with: test)")
    p.add_argument(
        "--link-pattern", help="regular expression of article links to follow (with: test)"
    )
    p.add_argument(
        "--allow-private", action="store_true", help="allow a URL on a private or local address"
    )

    p = _command(
        sub,
        "poll",
        cmd_poll,
        "poll due sources now (or the one named) and print what changed and was found",
        "monitor poll odf-news",
        json_output=True,
    )
    p.add_argument("source", nargs="?", help="poll only this source, due or not")

    p = _command(
        sub,
        "snapshots",
        cmd_snapshots,
        "list the snapshots (evidence) kept for a source",
        "monitor snapshots odf-news",
        json_output=True,
    )
    p.add_argument("source", help="source id")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")

    p = _command(
        sub,
        "snapshot",
        cmd_snapshot,
        "print one snapshot: metadata and the text as it was published",
        "monitor snapshot 12",
        json_output=True,
    )
    p.add_argument("id", type=int, help="snapshot id (see `monitor snapshots SOURCE`)")

    p = _command(
        sub,
        "extract",
        cmd_extract,
        "find the court decisions a text reports (file, URL or - for stdin)",
        "monitor extract press-release.txt --as-of 2016-08-04 --json",
        json_output=True,
    )
    p.add_argument(
        "target",
        metavar="PATH_OR_URL_OR_-",
        help="a text or HTML file, an http(s) URL, or - to read stdin",
    )
    p.add_argument(
        "--as-of",
        type=_date_arg,
        metavar="DATE",
        help="publication date, for dates written without a year",
    )
    p.add_argument(
        "--allow-private", action="store_true", help="allow a URL on a private or local address"
    )

    p = _command(
        sub,
        "worker",
        cmd_worker,
        "run the worker: poll sources, plan and send emails, keep a heartbeat",
        "monitor worker --log-json",
    )
    p.add_argument(
        "--once", action="store_true", help="run every job once and exit (for system cron)"
    )
    p.add_argument("--log-json", action="store_true", help="log one JSON object per line")

    _command(
        sub,
        "status",
        cmd_status,
        "workers, sources, outbox and next deadlines; exit 1 when something is wrong",
        "monitor status --json",
        json_output=True,
    )

    p = _command(
        sub,
        "events",
        cmd_events,
        "show the audit log, newest last",
        "monitor events --case kozlov --limit 20",
        json_output=True,
    )
    p.add_argument("--case", help="only this case")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")

    p = _command(
        sub,
        "web",
        cmd_web,
        "serve the web view: signed links from emails, calendar feeds, operators' pages",
        "monitor web --host 0.0.0.0 --port 8000",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default $PORT, else 8000)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")

    p = _command(
        sub,
        "calendar-url",
        cmd_calendar_url,
        "print a contact's calendar feed address (every deadline of their subscriptions)",
        "monitor calendar-url advocate",
    )
    p.add_argument("contact", help="contact id or email address")

    p = _command(
        sub,
        "login-link",
        cmd_login_link,
        "print a one-time login link to the web view for an operator (valid 15 minutes)",
        "monitor login-link operator@example.org",
    )
    p.add_argument("email", help="the operator's email address (or contact id)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.now_given = args.now is not None
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args, Context(args)))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        print(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was applied",
            file=sys.stderr,
        )
        return 1
    except MonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
