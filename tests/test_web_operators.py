"""The operators' web view: magic-link login, session cookie, CSRF, rate limit, pages."""

from __future__ import annotations

import email
import email.policy
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.db import session_scope
from monitor.models import Decision, Event, LoginRequest, Notification, WebSession
from tests.conftest import free_port
from tests.web_helpers import (
    ANSWERED_AT,
    Project,
    csrf_of,
    logged_in,
    path_of,
    received_confirmation_request,
)


@pytest.fixture
def project(run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return received_confirmation_request(run, config_dir, monkeypatch)


def test_operators_pages_need_a_login(project: Project) -> None:
    client = project.app().test_client()
    for path in ("/", "/cases/kozlov", "/outbox", "/sources", "/events", "/outbox/1"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/login")


def test_the_login_link_logs_in_once_with_a_strict_cookie(project: Project) -> None:
    client = project.app().test_client()
    url = path_of(
        project.run(
            "login-link", "operator@example.org", now="2016-08-21T07:59:00+00:00"
        ).out.strip()
    )
    page = client.get(url)
    assert client.get("/").status_code == 303  # opening the link alone logs nobody in
    done = client.post(url, data={"csrf": csrf_of(page.text)})
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200
    other = project.app().test_client()
    reused = other.post(url, data={"csrf": csrf_of(page.text)})
    assert "already used" in reused.text
    assert other.get("/").status_code == 303


def test_a_cookie_copied_before_logout_is_refused_after_it(project: Project) -> None:
    client = logged_in(project, page_says="Log in as Olga Operator")
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("monitor_session")
    assert cookie is not None
    stolen = project.app().test_client()
    stolen.set_cookie("monitor_session", cookie.value)
    assert stolen.get("/outbox").status_code == 200  # the copy works while the session is open
    overview = client.get("/")
    assert client.post("/logout", data={"csrf": csrf_of(overview.text)}).status_code == 303
    for path in ("/", "/cases/kozlov", "/outbox"):
        refused = stolen.get(path)
        assert refused.status_code == 303 and refused.headers["Location"].endswith("/login")
    with session_scope(project.engine) as session:
        [row] = session.scalars(select(WebSession)).all()
        assert row.ended_at == ANSWERED_AT


def test_a_session_ends_after_twelve_hours(project: Project) -> None:
    client = logged_in(project, page_says="Log in as Olga Operator")
    cookie = client.get_cookie("monitor_session")
    assert cookie is not None
    later = project.app(now=ANSWERED_AT + timedelta(hours=12, minutes=1)).test_client()
    later.set_cookie("monitor_session", cookie.value)
    assert later.get("/").status_code == 303


def test_a_login_link_expires_after_fifteen_minutes(project: Project) -> None:
    url = path_of(
        project.run(
            "login-link", "operator@example.org", now="2016-08-21T07:40:00+00:00"
        ).out.strip()
    )
    assert project.app().test_client().get(url).status_code == 410


def test_asking_for_a_login_link_emails_operators_only_and_says_the_same_to_all(
    project: Project,
) -> None:
    client = project.app().test_client()
    form = client.get("/login")
    before = set(project.outbox.glob("*.eml"))
    for address in ("operator@example.org", "advocate@example.org", "nobody@example.org"):
        answer = client.post("/login", data={"csrf": csrf_of(form.text), "email": address})
        assert answer.status_code == 200 and "If this address belongs to an operator" in answer.text
    [new] = set(project.outbox.glob("*.eml")) - before
    message = email.message_from_bytes(new.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Olga Operator <operator@example.org>"
    body = message.get_body(("plain",))
    assert body is not None and "/login/" in body.get_content()


def test_login_requests_are_rate_limited(project: Project) -> None:
    client = project.app().test_client()
    csrf = csrf_of(client.get("/login").text)
    codes = [
        client.post("/login", data={"csrf": csrf, "email": f"x{i}@example.org"}).status_code
        for i in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3
    # one address cannot be flooded from many clients either
    codes = []
    for i in range(5):
        other = project.app().test_client()
        token = csrf_of(other.get("/login").text)
        codes.append(
            other.post(
                "/login",
                data={"csrf": token, "email": "operator@example.org"},
                environ_base={"REMOTE_ADDR": f"127.0.0.{i + 2}"},
            ).status_code
        )
    assert codes == [200] * 3 + [429] * 2
    later = project.app(now=ANSWERED_AT + timedelta(minutes=16)).test_client()
    token = csrf_of(later.get("/login").text)
    assert later.post("/login", data={"csrf": token, "email": "a@example.org"}).status_code == 200
    with session_scope(project.engine) as session:  # older requests are forgotten
        assert [r.at for r in session.scalars(select(LoginRequest))] == [
            ANSWERED_AT + timedelta(minutes=16)
        ]


def test_forms_without_the_csrf_token_are_refused(project: Project) -> None:
    client = logged_in(project, page_says="Log in as Olga Operator")
    assert client.post("/login", data={"email": "operator@example.org"}).status_code == 400
    refused = client.post("/cases/kozlov/facts", data={"fact": "executed", "day": "2016-08-20"})
    assert refused.status_code == 400
    assert client.post("/outbox/1/retry", data={"csrf": "forged"}).status_code == 400
    assert client.post("/logout").status_code == 400
    with session_scope(project.engine) as session:
        assert session.scalars(select(Decision)).one().executed_on is None


def test_operators_record_and_clear_facts_and_retry_emails_from_the_web_view(
    project: Project,
) -> None:
    client = logged_in(project, page_says="Log in as Olga Operator")
    page = client.get("/cases/kozlov")
    assert page.status_code == 200
    assert "config/cases/kozlov.toml" in page.text
    csrf = csrf_of(page.text)
    client.post("/cases/kozlov/facts", data={"csrf": csrf, "fact": "executed", "day": "2016-08-20"})
    assert "Carried out: Sat 20 Aug 2016" in client.get("/cases/kozlov").text
    client.post("/cases/kozlov/facts", data={"csrf": csrf, "fact": "clear-executed"})
    with session_scope(project.engine) as session:
        assert session.scalars(select(Decision)).one().executed_on is None
        cleared = session.scalars(select(Event).where(Event.kind == "fact_cleared")).one()
        assert "cleared by Olga Operator (web view)" in cleared.message
        skipped = session.scalars(
            select(Notification).where(Notification.status == "skipped")
        ).first()
        assert skipped is not None
        skipped_id = skipped.id
    client.post(f"/outbox/{skipped_id}/retry", data={"csrf": csrf})
    with session_scope(project.engine) as session:
        assert session.get(Notification, skipped_id).status == "pending"  # type: ignore[union-attr]


def test_every_operators_page_answers(project: Project) -> None:
    client = logged_in(project, page_says="Log in as Olga Operator")
    with session_scope(project.engine) as session:
        sent = session.scalars(select(Notification).where(Notification.status == "sent")).one()
    for path, words in (
        ("/", "Next deadlines"),
        ("/cases/kozlov", "in_force"),
        ("/outbox", "confirm_execution"),
        ("/outbox?status=sent&case=kozlov&contact=advocate", "confirm_execution"),
        (f"/outbox/{sent.id}", "Has the decision been carried out?"),
        ("/sources", "Sources"),
        ("/events", "Events"),
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert words in page.text, path
    email_page = client.get(f"/outbox/{sent.id}")
    assert "as written to" in email_page.text
    assert "It was carried out: http://monitor.test/a/(link hidden)" in email_page.text
    assert "/calendar/(link hidden)" in email_page.text and ".ics" not in email_page.text
    assert client.get("/cases/nobody").status_code == 404
    assert client.get("/outbox?status=nonsense").status_code == 400


def test_tokens_never_reach_the_log(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    app = project.app()

    @app.get("/boom/<token>")
    def boom(token: str) -> str:
        raise RuntimeError("a bug")

    caplog.set_level(logging.INFO)
    page = app.test_client().get("/boom/SECRET-TOKEN-VALUE")
    assert page.status_code == 500 and "Traceback" not in page.text
    assert "Exception on /boom/<token> [GET]" in caplog.text
    assert "SECRET-TOKEN-VALUE" not in caplog.text


def test_behind_a_local_proxy_each_client_has_its_own_login_limit(project: Project) -> None:
    client = project.app().test_client()
    csrf = csrf_of(client.get("/login").text)

    def ask(forwarded: str, n: int) -> int:
        return client.post(
            "/login",
            data={"csrf": csrf, "email": f"x{n}@example.org"},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    assert [ask("203.0.113.7", n) for n in range(6)] == [200] * 5 + [429]
    assert ask("198.51.100.9", 99) == 200  # another client behind the same proxy


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("stop_with", "started_with_sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "ctrl-c-started-in-background", "sigterm"],
)
def test_monitor_web_serves_on_port_from_the_environment_and_stops_on_a_signal(
    run: Any,
    config_dir: Path,
    tmp_path: Path,
    stop_with: signal.Signals,
    started_with_sigint_ignored: bool,
) -> None:
    """The command itself, as the Procfile runs it: `monitor web` with $PORT. It stops on
    SIGINT even when started from a script in the background (which begins with SIGINT
    ignored), and on SIGTERM, as platforms stop it."""
    assert run("db", "upgrade").code == 0
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["PORT"] = str(port)
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config_dir), "web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint if started_with_sigint_ignored else None,
    )
    try:
        status = None
        for _ in range(200):  # until it listens; bounded
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                status = 200
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.05)
                continue
            break
        assert status == 503  # no worker has run: exactly as `monitor status` exits 1
    finally:
        process.send_signal(stop_with)
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()  # it did not stop: leave no server behind
            process.communicate()
            raise
    assert f"web view on http://127.0.0.1:{port}" in out, err
    assert process.returncode == 0, err
    assert "Traceback" not in err
