"""Shared fixtures: real SQLite files, real PostgreSQL databases, the example config."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from monitor.cli import main
from monitor.db import make_engine, upgrade

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config"
# The press release that started the project, kept with the tests so they need nothing else.
FIXTURES = ROOT / "tests" / "fixtures"
POSTGRES_URL = os.environ.get("MONITOR_TEST_POSTGRES_URL")

# A moment before the example's deadlines, so that its reminders are still ahead.
BEFORE_KOZLOV = datetime(2016, 8, 5, 8, 0, tzinfo=UTC)


def _postgres_reachable() -> str | None:
    if not POSTGRES_URL:
        return "MONITOR_TEST_POSTGRES_URL is not set"
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string(hide_password=True)} unreachable: {exc}"
    return None


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    assert POSTGRES_URL
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: a SQLite file, and a PostgreSQL database if reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped example config, free to break."""
    target = tmp_path / "project" / "config"
    shutil.copytree(EXAMPLE_CONFIG, target)
    return target


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run the CLI in-process against the copied config and its own SQLite file."""
    for var in ("MONITOR_DATABASE_URL", "DATABASE_URL", "MONITOR_SMTP_URL", "MONITOR_CONFIG_DIR"):
        monkeypatch.delenv(var, raising=False)

    def _run(*args: str, now: str | None = "2016-08-05T08:00:00+00:00") -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--config", str(config_dir)]
        if now:
            argv += ["--now", now]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([*argv, *args])
            except SystemExit as exc:  # argparse errors
                code = int(exc.code or 0)
        return Result(code, out.getvalue(), err.getvalue())

    yield _run


# --------------------------------------------------------------------------------------
# A real SMTP server on 127.0.0.1 (aiosmtpd), scriptable for faults.
# --------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpRecorder:
    """Accepts mail and keeps it; ``script`` holds replies to give to the next DATA commands:
    an SMTP reply like "451 try later", or "DROP" to close the connection mid-DATA."""

    def __init__(self) -> None:
        self.received: list[object] = []
        self.script: list[str] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.delay = 0.0  # seconds each DATA takes: a slow server, for crash and stop tests
        self.data_started = 0  # DATA commands begun, received or not
        self.peers: list[object] = []  # the client's address of each message: one per connection

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.data_started += 1
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        if self.script:
            reply = self.script.pop(0)
            if reply == "DROP":
                server.transport.close()
                return "421 closing"
            return reply
        self.received.append(envelope)
        self.peers.append(session.peer)
        return f"250 OK queued as {len(self.received)}"

    def messages(self) -> list[object]:
        import email
        import email.policy

        return [
            email.message_from_bytes(e.content, policy=email.policy.default) for e in self.received
        ]  # type: ignore[attr-defined]


@dataclass
class SmtpServer:
    recorder: SmtpRecorder
    port: int
    controller: object | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        controller.start()
        self.controller = controller

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()  # type: ignore[attr-defined]
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(SmtpRecorder(), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_port_unused() -> Iterator[SmtpServer]:
    """An SMTP server that is not listening yet: start() it when the test wants."""
    server = SmtpServer(SmtpRecorder(), free_port())
    yield server
    server.stop()


# --------------------------------------------------------------------------------------
# A real HTTP server on 127.0.0.1, whose pages a test sets and changes.
# --------------------------------------------------------------------------------------


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] | None = None
    etag: str | None = None  # answered with 304 when the client sends it back


class Site:
    def __init__(self) -> None:
        import http.server
        import threading

        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            # Without this every response stalls ~40 ms (Nagle + delayed ACK).
            disable_nagle_algorithm = True
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers)))
                page = site.pages.get(self.path)
                if page is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if page.etag and self.headers.get("If-None-Match") == page.etag:
                    self.send_response(304)
                    self.send_header("ETag", page.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **(page.headers or {})}
                for name, value in headers.items():
                    self.send_header(name, value)
                if page.etag:
                    self.send_header("ETag", page.etag)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up (a fetch cut at its deadline) is no news here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield int(listener.getsockname()[1])
    listener.close()


class DripServer:
    """An HTTP server that answers at once with headers, then sends its body one byte every
    ``pause`` seconds: each read succeeds, the whole never ends in reasonable time."""

    def __init__(self, pause: float = 0.2, length: int = 1_000_000) -> None:
        import socket
        import threading

        self.pause = pause
        self.length = length
        self.connections = 0
        self.stopped = threading.Event()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def _accept(self) -> None:
        import threading

        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: object) -> None:
        import socket

        assert isinstance(conn, socket.socket)
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    + f"Content-Length: {self.length}\r\n\r\n".encode()
                )
                for _ in range(self.length):
                    if self.stopped.wait(self.pause):
                        return
                    conn.sendall(b"x")
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def drip_server() -> Iterator[DripServer]:
    server = DripServer()
    yield server
    server.close()


@pytest.fixture
def drip_port(drip_server: DripServer) -> int:
    return drip_server.port
