"""A project whose advocate has received the example's "has it been carried out?" email, with
signed links in it, and the web application over the same database."""

from __future__ import annotations

import email
import email.policy
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import Engine

from monitor.db import make_engine
from monitor.settings import Settings, load_settings
from monitor.web.app import create_app

# The confirmation request of the example goes out on Sun 21 Aug 2016 at 09:00 in Warsaw.
CONFIRM_SENT = "2016-08-21T07:30:00+00:00"
ANSWERED_AT = datetime(2016, 8, 21, 8, 0, tzinfo=UTC)
BASE_URL = "http://monitor.test"


@dataclass
class Project:
    config_dir: Path
    settings: Settings
    engine: Engine
    run: Callable[..., Any]

    @property
    def outbox(self) -> Path:
        return self.settings.outbox_dir

    def emails(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        ]

    def email_to(self, address: str, subject_part: str) -> EmailMessage:
        found = [
            m
            for m in self.emails()
            if address in str(m["To"]) and subject_part in str(m["Subject"])
        ]
        assert found, f"no email to {address} about {subject_part!r}"
        return found[-1]

    def app(self, now: datetime = ANSWERED_AT, base_url: str | None = None) -> Flask:
        settings = self.settings
        if base_url is not None:
            settings = load_settings(self.config_dir, {**os.environ, "MONITOR_BASE_URL": base_url})
        app = create_app(settings, self.engine, clock=lambda: now)
        app.testing = True
        return app


def link(message: EmailMessage, label: str) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    found = re.search(rf"- {re.escape(label)}: (\S+)", text)
    assert found, f"no link {label!r} in:\n{text}"
    return found.group(1)


def calendar_link(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"\(subscribe to this address\): (\S+)", body.get_content())
    assert found
    return found.group(1)


def path_of(url: str) -> str:
    return urlsplit(url).path


def synced(
    run: Callable[..., Any], config_dir: Path, monkeypatch: Any, base_url: str = BASE_URL
) -> Project:
    """The example config (without its public source), synced before its deadlines, with
    emails written as .eml files and links built on ``base_url``."""
    from tests.worker_helpers import without_sources

    monkeypatch.setenv("MONITOR_BASE_URL", base_url)
    without_sources(config_dir)
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    settings = load_settings(config_dir, {**os.environ, "MONITOR_BASE_URL": base_url})
    return Project(config_dir, settings, make_engine(settings.database_url), run)


def received_confirmation_request(
    run: Callable[..., Any], config_dir: Path, monkeypatch: Any, base_url: str = BASE_URL
) -> Project:
    """Then the worker runs once on 21 Aug 2016, when the advocate's "has it been carried
    out?" email goes out."""
    project = synced(run, config_dir, monkeypatch, base_url)
    worker = run("worker", "--once", now=CONFIRM_SENT)
    assert worker.code == 0, worker.err
    return project


def russian_operator(project: Project) -> None:
    """Olga Operator reads Russian: the config says so, and sync applies it."""
    contacts = project.config_dir / "contacts.toml"
    text = contacts.read_text(encoding="utf-8")
    olga = text.index('id = "operator"')
    contacts.write_text(
        text[:olga] + text[olga:].replace('language = "en"', 'language = "ru"', 1),
        encoding="utf-8",
    )
    assert project.run("sync", now="2016-08-21T07:45:00+00:00").code == 0


class LiveServer:
    """The real WSGI server (waitress) on 127.0.0.1, in a thread of the test process.

    Without ``app`` it listens at once and answers once ``app`` is set: a project whose emails
    carry the server's address is built after the port is taken, never on a port chosen
    first and bound later (another process may take it in between)."""

    def __init__(self, app: Flask | None = None, port: int = 0) -> None:
        from waitress.server import create_server

        self.app = app
        self.server = create_server(self._serve, host="127.0.0.1", port=port, threads=4)
        self.port = int(self.server.effective_port)  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def _serve(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None, "the test set no application on its server"
        return self.app(environ, start_response)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=10)


def live(app: Flask, port: int = 0) -> Iterator[LiveServer]:
    server = LiveServer(app, port)
    try:
        yield server
    finally:
        server.close()


def csrf_of(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def logged_in(project: Project, *, page_says: str | None = None) -> Any:
    """A test client logged in as the example's operator through a printed login link."""
    client = project.app().test_client()
    url = path_of(
        project.run(
            "login-link", "operator@example.org", now="2016-08-21T07:59:00+00:00"
        ).out.strip()
    )
    page = client.get(url)
    if page_says is not None:
        assert page_says in page.text
    done = client.post(url, data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    return client
