"""The command line: parse, then hand over to one command. Nothing else.

Only the standard library and our own light modules are imported here: the commands and
what they need (SQLAlchemy, Alembic, Jinja2, holidays, HTTP) are imported once a command has
been chosen, so that `monitor --help` and `monitor --version` answer at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn

from monitor import __version__
from monitor.deadlines.dates import parse_iso_date
from monitor.errors import ConfigError, MonitorError, database_error

# The same values as models.NOTIFICATION_STATUSES and rules.PRESET_HELP (a test checks),
# written here so that building the parser imports neither.
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed", "cancelled", "skipped")
PRESET_HELP = (
    "kz-criminal-appeal-15d, echr-chamber-final, us-frcp-days:N, calendar-days:N,"
    " working-days:N, weeks:N, months:N, years:N"
)
_WITHIN = re.compile(r"^([1-9][0-9]*)\s*(s|m|h|d|w)$")
_WITHIN_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

Handler = Callable[[argparse.Namespace, Any], int]


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


def _within_arg(text: str) -> timedelta:
    """``30`` (days, as before), or a duration as source intervals write it: 30d, 2w, 6h."""
    match = _WITHIN.match(text + "d" if text.isdigit() else text)
    seconds = int(match.group(1)) * _WITHIN_UNITS[match.group(2)] if match else 0
    if not 0 < seconds <= 366 * 86400:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration (like 30d, 2w, 6h; at most 366 days)"
        )
    return timedelta(seconds=seconds)


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
    handler: str,
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
        "--debug",
        action="store_true",
        help="show the full traceback of an unexpected error instead of one line",
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
        "cmd_db_upgrade",
        "bring the database schema up to date",
        "monitor db upgrade",
    )
    _command(
        db_sub,
        "check",
        "cmd_db_check",
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
        "cmd_config_check",
        "validate config/ and report every problem",
        "monitor config check",
    )
    _command(
        config_sub,
        "show",
        "cmd_config_show",
        "print effective settings (secrets masked) and where each came from",
        "monitor config show --json",
        json_output=True,
    )

    _command(
        sub,
        "sync",
        "cmd_sync",
        "apply config/ to the database (all or nothing)",
        "monitor sync",
        json_output=True,
    )

    p = _command(
        sub,
        "cases",
        "cmd_cases",
        "list watched cases and their next deadline",
        "monitor cases --json",
        json_output=True,
    )
    p.add_argument("--all", action="store_true", help="include archived cases")

    p = _command(
        sub,
        "deadlines",
        "cmd_deadlines",
        "list deadlines, soonest first",
        "monitor deadlines --within 2w",
        json_output=True,
    )
    p.add_argument(
        "--within",
        type=_within_arg,
        default=timedelta(days=30),
        metavar="DURATION",
        help="from today to this far ahead: 30d, 2w, 6h, like source intervals (default 30d)",
    )
    p.add_argument("--all", action="store_true", help="every deadline, past ones included")

    p = _command(
        sub,
        "explain",
        "cmd_explain",
        "show a case's decisions, deadlines and how each was computed",
        "monitor explain kozlov --language ru",
        json_output=True,
    )
    p.add_argument("case", help="case id")
    p.add_argument(
        "--language",
        choices=("en", "ru"),
        default="en",
        help="the language of the explanations (the same steps and facts in each)",
    )

    p = _command(
        sub,
        "compute",
        "cmd_compute",
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
        "cmd_record",
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
    p.add_argument(
        "--force",
        action="store_true",
        help="record a fact that contradicts one already recorded (a new date, an appeal after"
        " the execution)",
    )

    p = _command(
        sub,
        "outbox",
        "cmd_outbox",
        "list notifications in the outbox with case and subject, newest last",
        "monitor outbox --case kozlov --status pending",
        json_output=True,
    )
    p.add_argument("--status", choices=NOTIFICATION_STATUSES, help="only rows with this status")
    p.add_argument("--case", metavar="ID", help="only this case")
    p.add_argument("--to", metavar="CONTACT", help="only this contact (id or email address)")
    p.add_argument("--kind", help="only this kind (alert, in_force_reminder, ...)")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    outbox_sub = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    retry_parser = _command(
        outbox_sub,
        "retry",
        "cmd_outbox_retry",
        "queue a failed, skipped or cancelled notification again",
        "monitor outbox retry 42",
    )
    retry_parser.add_argument("id", type=int, help="notification id (see `monitor outbox`)")
    show_parser = _command(
        outbox_sub,
        "show",
        "cmd_outbox_show",
        "print one email as it was (or will be) sent: headers, decoded, and its text",
        "monitor outbox show 42",
    )
    show_parser.add_argument("id", type=int, help="notification id (see `monitor outbox`)")
    show_parser.add_argument(
        "--raw", action="store_true", help="print the message as it goes over SMTP"
    )

    p = _command(
        sub,
        "send-test-email",
        "cmd_send_test_email",
        "send one test email through the configured backend",
        "monitor send-test-email advocate@example.org",
    )
    p.add_argument("address", help="where to send it")
    p.add_argument("--language", choices=("en", "ru"), default="en", help="language of the email")

    p = _command(
        sub,
        "preview",
        "cmd_preview",
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
    p.add_argument(
        "--outbox",
        action="store_true",
        help="compose the pending rows of the database's outbox instead of replaying the config",
    )

    p = _command(
        sub,
        "sources",
        "cmd_sources",
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
        "cmd_poll",
        "poll due sources now (or the one named) and print what changed and was found",
        "monitor poll odf-news",
        json_output=True,
    )
    p.add_argument("source", nargs="?", help="poll only this source, due or not")

    p = _command(
        sub,
        "snapshots",
        "cmd_snapshots",
        "list the snapshots (evidence) kept for a source",
        "monitor snapshots odf-news",
        json_output=True,
    )
    p.add_argument("source", help="source id")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")

    p = _command(
        sub,
        "snapshot",
        "cmd_snapshot",
        "print one snapshot: metadata and the text as it was published",
        "monitor snapshot 12",
        json_output=True,
    )
    p.add_argument("id", type=int, help="snapshot id (see `monitor snapshots SOURCE`)")

    p = _command(
        sub,
        "extract",
        "cmd_extract",
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
        "cmd_worker",
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
        "cmd_status",
        "workers, sources, outbox and next deadlines; exit 1 when something is wrong",
        "monitor status --json",
        json_output=True,
    )

    p = _command(
        sub,
        "events",
        "cmd_events",
        "show the audit log, newest last",
        "monitor events --case kozlov --limit 20",
        json_output=True,
    )
    p.add_argument("--case", help="only this case")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")

    p = _command(
        sub,
        "web",
        "cmd_web",
        "serve the web view: signed links from emails, calendar feeds, operators' pages",
        "monitor web --host 0.0.0.0 --port 8000",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default $PORT, else 8000)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")

    p = _command(
        sub,
        "calendar-url",
        "cmd_calendar_url",
        "print a contact's calendar feed address (every deadline of their subscriptions)",
        "monitor calendar-url advocate",
    )
    p.add_argument("contact", help="contact id or email address")
    p.add_argument(
        "--rotate",
        action="store_true",
        help="give the contact a new address and refuse the old one (a leaked feed address)",
    )

    p = _command(
        sub,
        "login-link",
        "cmd_login_link",
        "print a one-time login link to the web view for an operator (valid 15 minutes)",
        "monitor login-link operator@example.org",
    )
    p.add_argument("email", help="the operator's email address (or contact id)")
    return parser


def one_line_error(exc: BaseException) -> str:
    """An exception's message on one line, however many lines its library wrote."""
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.now_given = args.now is not None
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    commands = importlib.import_module("monitor.commands")
    context = commands.Context(args)
    handler: Handler = getattr(commands, args.handler)
    try:
        return int(handler(args, context))
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
        if args.debug:
            raise
        print(f"error: {one_line_error(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`monitor explain kozlov | head`): nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        # The last line of defence: a person gets one line; --debug gives the traceback.
        if args.debug:
            raise
        url = context.database_url()
        known = database_error(exc, url) if url else None
        if known is not None:
            print(f"error: {one_line_error(known)}", file=sys.stderr)
            return 1
        print(
            f"error: unexpected {type(exc).__name__}: {one_line_error(exc)}"
            " (run again with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 70
    except KeyboardInterrupt:
        return 130
