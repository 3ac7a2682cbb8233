"""`monitor web`: signed-link pages, one-click unsubscribe, calendar feeds, operators' pages.

Routes parse, open one session, call one function (``answers``, ``queries``, ``decisions``),
and render. A GET never changes anything (mail scanners open links); every change is a POST
from a form with a CSRF token, except the RFC 8058 one-click unsubscribe, whose signed URL is
its own proof. Tokens live in URLs, so they never reach a log line: the access log is not
kept, and errors are logged with the route's pattern (``/a/<token>``), never the path.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, g, redirect, render_template, request, session, url_for
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from monitor import answers, links
from monitor.calendar_feed import feed_ics
from monitor.catalog import CalendarExtras, load_calendars
from monitor.db import session_scope
from monitor.deadlines.dates import human
from monitor.decisions import clear_fact, find_decision, record_fact
from monitor.errors import (
    ConfigError,
    DeliveryError,
    MonitorError,
    NotFound,
    UsageError,
    database_error,
)
from monitor.links import Claim, LinkError, Links
from monitor.models import (
    NOTIFICATION_STATUSES,
    Contact,
    LinkUse,
    LoginRequest,
    Notification,
    WebSession,
)
from monitor.notify.alerts import plan_alerts
from monitor.notify.deliver import backend_for
from monitor.notify.dispatch import retry
from monitor.notify.i18n import LANGUAGES, translator
from monitor.notify.plan import new_message_id
from monitor.notify.render import Rendered, build_message
from monitor.queries import (
    case_rows,
    case_view,
    contact_deadlines,
    deadline_rows,
    event_rows,
    is_operator,
    operator_by_email,
    outbox_email_view,
    outbox_view,
    snapshot_rows,
    snapshot_view,
    source_rows,
    status_report,
)
from monitor.settings import Settings, secret_key
from monitor.web.words import day_words, recorded_words, refused_words, words

log = logging.getLogger("monitor.web")

# Login links asked for: at most this many per client, and per address, in the window.
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_PER_CLIENT = 5
LOGIN_PER_ADDRESS = 3
OPERATOR_SESSION = timedelta(hours=12)

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_LINK_STATUS = {"tampered": 403, "wrong_scope": 403, "expired": 410, "replaced": 410}
_HTTP_WORDS = {
    403: "error.forbidden",
    404: "error.not_found",
    405: "error.method",
    413: "error.too_large",
    429: "error.login_flood",
}

F = TypeVar("F", bound=Callable[..., Any])


class _App(Flask):
    def log_exception(self, exc_info: Any) -> None:
        # The route's pattern, never the path: paths carry tokens.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        self.logger.error("Exception on %s [%s]", rule, request.method, exc_info=exc_info)


def create_app(
    settings: Settings, engine: Engine, clock: Callable[[], datetime] | None = None
) -> Flask:
    """The web application over one database; ``clock`` is read once per request."""
    key = secret_key(settings)
    signer = Links(settings.base_url or "", key)
    app = _App(__name__)
    app.config.update(
        SECRET_KEY=hmac.new(key.encode(), b"session cookie", hashlib.sha256).hexdigest(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.base_url and settings.base_url.startswith("https:")),
        SESSION_COOKIE_NAME="monitor_session",
        PERMANENT_SESSION_LIFETIME=OPERATOR_SESSION,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.jinja_env.filters["human"] = human
    read_clock = clock or (lambda: datetime.now(UTC))

    def now() -> datetime:
        if "now" not in g:
            g.now = read_clock()
        return cast(datetime, g.now)

    def base_url() -> str:
        return settings.base_url or request.host_url.rstrip("/")

    def links_here() -> Links:
        return Links(base_url(), key)

    def form_token(token: str) -> str:
        """The CSRF field of a link's page: only that page can post its form."""
        return hmac.new(key.encode(), b"form:" + token.encode(), hashlib.sha256).hexdigest()

    def csrf() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        return cast(str, session["csrf"])

    def check_csrf(expected: str) -> None:
        given = request.form.get("csrf", "")
        if not given or not hmac.compare_digest(given, expected):
            abort(400, description="csrf")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        # The operators' pages speak the logged-in operator's language (set by ``operator``);
        # a contact's pages pass their own ``w``, ``day`` and ``language``.
        lang = reader_language()
        t = translator(lang)
        return {
            "csrf_token": csrf,
            "operator_name": session.get("operator_name"),
            "w": words(lang),
            "day": day_words(lang),
            "decision_kind": lambda kind: t(f"kind.{kind}"),
            "language": lang,
        }

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def reader_language() -> str:
        """The logged-in operator's language, or the language of the contact a genuine link
        names; else the one the browser asks for (a tampered link, the login page)."""
        if "language" not in g:
            g.language = _known_reader() or (
                request.accept_languages.best_match(LANGUAGES, default="en") or "en"
            )
        return cast(str, g.language)

    def _known_reader() -> str | None:
        """A link's page speaks its contact's language, even to a logged-in operator."""
        contact_id = g.get("contact_id")
        try:
            with session_scope(engine) as db:
                contact = db.get(Contact, contact_id) if contact_id is not None else None
                if contact is not None:
                    return contact.language
                open_session = live_session(db) if "operator" in session else None
                operator = db.get(Contact, open_session.contact_id) if open_session else None
                if operator is not None:
                    g.operator = True
                    return operator.language
                return None
        except (SQLAlchemyError, MonitorError):
            return None  # the page that says what went wrong must not fail on the database

    def page_error(status: int, key: str, **values: Any) -> tuple[str, int]:
        lang = reader_language()
        return (
            render_template(
                "error.html",
                message=words(lang)(key, **values),
                w=words(lang),
                day=day_words(lang),
                language=lang,
                operator=g.get("operator", False),
            ),
            status,
        )

    @app.errorhandler(LinkError)
    def _link_error(exc: LinkError) -> tuple[str, int]:
        if exc.contact_id is not None:
            g.contact_id = exc.contact_id
        return page_error(_LINK_STATUS.get(exc.reason, 400), f"error.{exc.reason}")

    @app.errorhandler(answers.LinkGone)
    def _gone(exc: answers.LinkGone) -> tuple[str, int]:
        return page_error(404, f"error.gone.{exc.what}")

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> tuple[str, int]:
        return page_error(404, "error.not_found")

    @app.errorhandler(answers.RecordRefused)
    def _refused(exc: answers.RecordRefused) -> tuple[str, int]:
        detail = refused_words(exc, reader_language())
        return page_error(400, "error.refused", detail=detail)

    @app.errorhandler(UsageError)
    def _usage(exc: UsageError) -> tuple[str, int]:
        # What the data says stays as the command line says it; the frame is translated.
        return page_error(400, "error.refused", detail=str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        if code == 400 and exc.description == "csrf":
            # A link's own page, or a page of the operators (and the login form).
            on_link = request.endpoint in ("answer", "unsubscribe", "login_link")
            return page_error(400, "error.form" if on_link else "error.form_page")
        key = _HTTP_WORDS.get(code)
        return page_error(code, key) if key else page_error(code, "error.http", code=code)

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> tuple[str, int]:
        app.log_exception(exc_info=(type(exc), exc, exc.__traceback__))
        return page_error(500, "error.crash")

    # -----------------------------------------------------------------------------------
    # Health.
    # -----------------------------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> Response:
        try:
            report = status_report(engine, settings, now())
        except SQLAlchemyError as exc:
            # As `monitor status` says it (and exits 1): one line, for whoever polls this.
            known = database_error(exc, settings.database_url)
            if known is None:
                raise
            return Response(f"error: {known}\n", status=503, mimetype="text/plain")
        return Response(
            report.text() + "\n", status=200 if report.healthy else 503, mimetype="text/plain"
        )

    # -----------------------------------------------------------------------------------
    # Signed links from emails.
    # -----------------------------------------------------------------------------------

    def verify(token: str, actions: tuple[str, ...]) -> Claim:
        claim = signer.verify(token, now(), actions)
        g.contact_id = claim.contact_id  # its pages, and its errors, speak their language
        return claim

    def link_page(
        token: str, view: answers.LinkView, status: int = 200, error: str | None = None
    ) -> tuple[str, int]:
        lang = view.contact.language
        return (
            render_template(
                "link.html",
                view=view,
                error=error,
                w=words(lang),
                day=day_words(lang),
                language=lang,
                form_csrf=form_token(token),
                today=now().date(),
                token=token,
                recorded=recorded_words(view.recorded, lang) if view.recorded else None,
            ),
            status,
        )

    @app.route("/a/<token>", methods=["GET", "POST"])
    def answer(token: str) -> tuple[str, int]:
        claim = verify(token, links.ANSWERS)
        if request.method == "GET":
            with session_scope(engine) as db:
                return link_page(token, answers.link_view(db, claim))
        check_csrf(form_token(token))
        try:
            with session_scope(engine) as db:
                day = _form_day(request.form.get("day"))
                return link_page(token, answers.answer(db, claim, now(), day))
        except answers.LinkGone:
            raise
        except UsageError as exc:
            # A date in the future, or before the decision: the same page again, with why.
            with session_scope(engine) as db:
                view = answers.link_view(db, claim)
                why = (
                    refused_words(exc, view.contact.language)
                    if isinstance(exc, answers.RecordRefused)
                    else str(exc)
                )
                return link_page(token, view, 400, why)

    @app.route("/u/<token>", methods=["GET", "POST"])
    def unsubscribe(token: str) -> Any:
        claim = verify(token, (links.UNSUBSCRIBE,))
        with session_scope(engine) as db:
            if request.method == "GET":
                return link_page(token, answers.link_view(db, claim))
            one_click = request.form.get("List-Unsubscribe") == "One-Click"
            if not one_click:
                check_csrf(form_token(token))
            view = answers.answer(db, claim, now())
            if one_click:
                return Response("unsubscribed\n", mimetype="text/plain")
            return link_page(token, view)

    @app.get("/me/<token>")
    def my_deadlines(token: str) -> str:
        claim = verify(token, (links.MY_DEADLINES,))
        with session_scope(engine) as db:
            contact = answers.link_view(db, claim).contact  # the contact must still exist
            mine = contact_deadlines(db, claim.contact_id)
            generation = contact.calendar_generation
        calendar_url = links_here().url(
            links.CALENDAR, claim.contact_id, now(), generation=generation
        )
        return render_template(
            "me.html",
            mine=mine,
            w=words(mine.language),
            day=day_words(mine.language),
            language=mine.language,
            today=now().date(),
            calendar_url=calendar_url,
        )

    @app.get("/calendar/<token>.ics")
    def calendar(token: str) -> Response:
        claim = verify(token, (links.CALENDAR,))
        with session_scope(engine) as db:
            contact = answers.link_view(db, claim).contact
            if claim.generation != contact.calendar_generation:
                raise LinkError("replaced", contact.id)
            body = feed_ics(contact_deadlines(db, claim.contact_id), now())
        return Response(body, mimetype="text/calendar")

    # -----------------------------------------------------------------------------------
    # Operators: magic-link login.
    # -----------------------------------------------------------------------------------

    @app.get("/login")
    def login() -> str:
        return render_template("login.html", sent=False)

    @app.post("/login")
    def login_request() -> tuple[str, int]:
        check_csrf(csrf())
        email = request.form.get("email", "").strip().lower()
        client = _digest(key, _client_address())
        address = _digest(key, email)
        with session_scope(engine) as db:
            since = now() - LOGIN_WINDOW
            by_client = db.scalar(
                select(func.count())
                .select_from(LoginRequest)
                .where(LoginRequest.client_hash == client, LoginRequest.at >= since)
            )
            by_address = db.scalar(
                select(func.count())
                .select_from(LoginRequest)
                .where(LoginRequest.email_hash == address, LoginRequest.at >= since)
            )
            if (by_client or 0) >= LOGIN_PER_CLIENT or (by_address or 0) >= LOGIN_PER_ADDRESS:
                return page_error(429, "error.login_flood")
            db.add(LoginRequest(at=now(), email_hash=address, client_hash=client))
            # Requests older than the window count for nothing: the table stays small.
            db.execute(delete(LoginRequest).where(LoginRequest.at < since))
            contact = operator_by_email(db, email)
            if contact is not None:
                url = links_here().url(links.LOGIN, contact.id, now())
                message = _login_email(settings, contact, url, now())
                try:
                    with backend_for(settings) as backend:
                        backend.send(message)
                except DeliveryError as exc:
                    log.warning("login link to contact %s not sent: %s", contact.key, exc)
        # The same answer whether the address is an operator's or not.
        return render_template("login.html", sent=True), 200

    @app.route("/login/<token>", methods=["GET", "POST"])
    def login_link(token: str) -> Any:
        claim = verify(token, (links.LOGIN,))
        with session_scope(engine) as db:
            contact = db.get(Contact, claim.contact_id)
            if contact is None or contact.archived_at is not None:
                raise answers.LinkGone("this contact is no longer in the monitor", "contact")
            used = db.scalars(select(LinkUse).where(LinkUse.nonce == claim.nonce)).first()
            if request.method == "GET" or used is not None:
                return render_template(
                    "login_confirm.html",
                    w=words(contact.language),
                    language=contact.language,
                    contact=contact,
                    used=used,
                    form_csrf=form_token(token),
                    token=token,
                )
            check_csrf(form_token(token))
            if not is_operator(db, contact.id):
                abort(403)
            db.add(
                LinkUse(
                    nonce=claim.nonce,
                    action=links.LOGIN,
                    contact_id=contact.id,
                    used_at=now(),
                    outcome=f"{contact.name} logged in to the web view",
                )
            )
            sid = secrets.token_urlsafe(24)
            # Sessions that ran out count for nothing: the table stays small.
            db.execute(delete(WebSession).where(WebSession.expires_at < now()))
            db.add(
                WebSession(
                    sid_hash=_digest(key, sid),
                    contact_id=contact.id,
                    created_at=now(),
                    expires_at=now() + OPERATOR_SESSION,
                )
            )
            session.clear()
            session.permanent = True
            session["sid"] = sid
            session["operator"] = contact.id
            session["operator_name"] = contact.name
            session["csrf"] = secrets.token_urlsafe(24)
        return redirect(url_for("overview"), 303)

    def live_session(db: Session) -> WebSession | None:
        """The session row of this cookie while it is open: not ended, not expired."""
        sid = session.get("sid")
        if not isinstance(sid, str) or "operator" not in session:
            return None
        return db.scalars(
            select(WebSession).where(
                WebSession.sid_hash == _digest(key, sid),
                WebSession.contact_id == session["operator"],
                WebSession.ended_at.is_(None),
                WebSession.expires_at > now(),
            )
        ).first()

    @app.post("/logout")
    def logout() -> Any:
        check_csrf(csrf())
        with session_scope(engine) as db:
            row = live_session(db)
            if row is not None:
                # For good: a copy of this cookie, taken before, is refused from now on.
                row.ended_at = now()
        session.clear()
        return redirect(url_for("login"), 303)

    def operator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with session_scope(engine) as db:
                open_session = live_session(db)
                contact = db.get(Contact, open_session.contact_id) if open_session else None
                if contact is not None:
                    g.language = contact.language
                    g.operator = True
            if open_session is None:
                session.clear()
                return redirect(url_for("login"), 303)
            if request.method == "POST":
                check_csrf(csrf())
            return view(*args, **kwargs)

        return cast(F, wrapped)

    # -----------------------------------------------------------------------------------
    # Operators' pages.
    # -----------------------------------------------------------------------------------

    @app.get("/")
    @operator
    def overview() -> str:
        report = status_report(engine, settings, now())
        today = now().date()
        with session_scope(engine) as db:
            upcoming = deadline_rows(db, today, today, limit=20)
            cases = case_rows(db, today)
        return render_template(
            "overview.html", report=report, upcoming=upcoming, cases=cases, today=today
        )

    @app.get("/cases/<key>")
    @operator
    def case(key: str) -> str:
        language = reader_language()
        with session_scope(engine) as db:
            view = case_view(
                db,
                key,
                language=language,
                calendars=_calendars(settings, language),
                sender=settings.mail_from,
                now=now(),
            )
        config_file = settings.config_dir / "cases" / f"{key}.toml"
        return render_template(
            "case.html",
            view=view,
            config_file=config_file if config_file.exists() else settings.config_dir,
            today=now().date(),
        )

    @app.post("/cases/<key>/facts")
    @operator
    def case_fact(key: str) -> Any:
        with session_scope(engine) as db:
            decision = find_decision(db, key, request.form.get("decision") or None)
            what = request.form.get("fact", "")
            who = f"{session.get('operator_name')} (web view)"
            if what in ("clear-executed", "clear-appealed"):
                clear_fact(db, decision, what.removeprefix("clear-"), now(), by=who)
            elif what in ("executed", "appealed"):
                day = _form_day(request.form.get("day")) or now().date()
                if what == "executed":
                    record_fact(db, decision, now(), executed_on=day)
                else:
                    record_fact(db, decision, now(), appealed_on=day)
            else:
                raise UsageError("choose a fact to record or clear")
            plan_alerts(db, now())
        return redirect(url_for("case", key=key), 303)

    @app.get("/outbox")
    @operator
    def outbox() -> str:
        status = request.args.get("status") or None
        if status and status not in NOTIFICATION_STATUSES:
            raise UsageError(f"unknown status {status!r}")
        with session_scope(engine) as db:
            view = outbox_view(
                db,
                status=status,
                case_key=request.args.get("case") or None,
                contact=request.args.get("contact") or None,
                kind=request.args.get("kind") or None,
                limit=200,
                sender=settings.mail_from,
                now=now(),
            )
        return render_template(
            "outbox.html", view=view, filters=request.args, statuses=NOTIFICATION_STATUSES
        )

    @app.get("/outbox/<int:row_id>")
    @operator
    def outbox_email(row_id: int) -> str:
        written_to = Path(settings.outbox_dir) if settings.mail_backend == "files" else None
        with session_scope(engine) as db:
            if db.get(Notification, row_id) is None:
                abort(404)
            found = outbox_email_view(db, row_id, settings.mail_from, now(), written_to)
            message = found.message
            body = message.get_body(("plain",))
            # The advocate's links act as the advocate: the operator reads them, never uses them.
            text = _hide_links(body.get_content() if body is not None else "")
            headers = [(name, _hide_links(str(value))) for name, value in message.items()]
        return render_template(
            "email.html",
            row_id=row_id,
            origin=found.origin,
            origin_path=found.path or "",
            headers=headers,
            text=text,
        )

    @app.post("/outbox/<int:row_id>/retry")
    @operator
    def outbox_retry(row_id: int) -> Any:
        with session_scope(engine) as db:
            retry(db, row_id, now())
        return redirect(url_for("outbox"), 303)

    @app.get("/sources")
    @operator
    def sources() -> str:
        with session_scope(engine) as db:
            rows = source_rows(db, include_archived=True)
        return render_template("sources.html", rows=rows)

    @app.get("/sources/<key>")
    @operator
    def source_snapshots(key: str) -> str:
        with session_scope(engine) as db:
            rows = snapshot_rows(db, key)
        return render_template("snapshots.html", key=key, rows=rows)

    @app.get("/snapshots/<int:snapshot_id>")
    @operator
    def snapshot(snapshot_id: int) -> str:
        with session_scope(engine) as db:
            view = snapshot_view(db, snapshot_id)
        return render_template("snapshot.html", view=view)

    @app.get("/events")
    @operator
    def events_page() -> str:
        with session_scope(engine) as db:
            rows = event_rows(db, case_key=request.args.get("case") or None, limit=200)
        return render_template("events.html", rows=rows)

    return app


def _form_day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise answers.RecordRefused(
            f"{raw!r} is not a date (YYYY-MM-DD)", "not_a_date", day=raw
        ) from None


_LINK = re.compile(r"/(a|u|me|login|calendar)/[A-Za-z0-9_.\-]+")


def _hide_links(text: str) -> str:
    return _LINK.sub(lambda m: f"/{m.group(1)}/(link hidden)", text)


def _client_address() -> str:
    """Who asks: behind a reverse proxy on the same host (the usual HTTPS set-up), the
    address it forwards; otherwise the peer's own. A remote peer cannot claim another."""
    peer = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in ("127.0.0.1", "::1") and forwarded:
        return forwarded.split(",")[-1].strip()
    return peer


def _digest(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def _login_email(settings: Settings, contact: Contact, url: str, now: datetime) -> EmailMessage:
    lang = contact.language
    w = words(lang)
    text = render_template("login_email.txt", contact=contact, url=url, w=w, language=lang)
    html = render_template("login_email.html", contact=contact, url=url, w=w, language=lang)
    return build_message(
        Rendered(w("login.subject"), text, html),
        sender=settings.mail_from,
        to_name=contact.name,
        to_email=contact.email,
        message_id=new_message_id(),
        date_header=now,
    )


def _calendars(settings: Settings, language: str) -> CalendarExtras | None:
    """The config's court closures, to say explanations again in another language; none
    (stored English words stay) when English is asked or the config on disk is broken."""
    if language == "en":
        return None
    try:
        return load_calendars(settings.config_dir)
    except ConfigError:
        return None
