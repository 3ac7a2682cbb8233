"""Mail, polling, extraction and idle: the worker's costs against plain baselines, same run.

The SMTP and HTTP servers run in their own processes, so that their work is not counted as
ours (and does not compete with us for the interpreter lock).
"""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from bench.common import Report, cpu_seconds, rss_kib, timed
from bench.data import catalog, database
from monitor.db import bookkeeping_engine, make_engine, session_scope, upgrade
from monitor.models import Notification, Source
from monitor.notify.compose import compose
from monitor.notify.composer import Composer
from monitor.notify.deliver import SmtpBackend
from monitor.notify.dispatch import DispatchPolicy, dispatch_due
from monitor.sources.extract import extract
from monitor.sources.fetch import Fetcher, HostGate
from monitor.sources.parse import html_to_text
from monitor.sources.poll import poll_due

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def smtp_sink(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_port(port)
    return process


HTTP_SERVER = textwrap.dedent("""
    import http.server, sys
    page = (b"<html><head><title>Court news</title><script>var x = 1;</script></head><body><nav>Home</nav>"
            + b"<div class=news>" + b"<p>The regional court heard several civil cases today and adjourned two of them.</p>" * 360
            + b"</div></body></html>")
    class Handler(http.server.BaseHTTPRequestHandler):
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304); self.send_header("ETag", '"v1"'); self.send_header("Content-Length", "0"); self.end_headers(); return
            self.send_response(200); self.send_header("Content-Type", "text/html; charset=utf-8"); self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(page))); self.end_headers(); self.wfile.write(page)
        def log_message(self, *a): pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
""")


def http_server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", HTTP_SERVER, str(port)])
    _wait_port(port)
    return process


# ------------------------------------------------------------------------------------------ mail


def _outbox(engine: Engine, n: int, now: datetime) -> None:
    """``n`` reminders due a minute ago, over 50 cases (one advocate)."""
    catalog(engine, 50, decided=now.date() + timedelta(days=2))
    rows = [
        {
            "dedup_key": f"m:{i}",
            "kind": "in_force_reminder",
            "contact_id": 1,
            "case_id": 1 + i % 50,
            "decision_id": 1 + i % 50,
            "deadline_kind": "in_force",
            "deadline_date": now.date() + timedelta(days=30),
            "offset_days": 3,
            "due_at": now - timedelta(minutes=1),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now - timedelta(minutes=1),
            "message_id": f"<m{i}@bench>",
            "payload": {},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Notification), rows)


def mail(report: Report, postgres: str | None = None) -> None:
    n = 200 if report.quick else 2_000
    kinds = ["sqlite", *(["postgresql"] if postgres else [])]
    print(f"mail: {n:,} notifications on {', '.join(kinds)}", flush=True)
    port = free_port()
    sink = smtp_sink(port)
    url = f"smtp://127.0.0.1:{port}"
    try:
        for kind in kinds:
            _mail_on(report, kind, postgres, n, port, url)
    finally:
        sink.terminate()
        sink.wait()


def _mail_on(report: Report, kind: str, postgres: str | None, n: int, port: int, url: str) -> None:
    ours_rates, base_rates, renew_rates, durable_rates = [], [], [], []
    for _ in range(5):
        with database(kind, postgres) as engine:
            # As `monitor worker` sends: its bookkeeping does not wait for the disk.
            bookkeeping = bookkeeping_engine(engine)
            now = datetime.now(UTC)
            _outbox(engine, n, now)
            # Baseline: the same messages, rendered beforehand, over one reused connection.
            with session_scope(engine) as session:
                pending = list(session.scalars(select(Notification)))
                messages = [
                    compose(session, [row], "Monitor <m@example.org>", now).built.raw
                    for row in pending
                ]

            def raw(messages: list[bytes] = messages) -> None:
                client = smtplib.SMTP("127.0.0.1", port)
                for body in messages:
                    client.sendmail("m@example.org", ["a@example.org"], body)
                client.quit()

            base_rates.append(n / timed(raw))

            def ours(engine: Engine = bookkeeping, now: datetime = now) -> None:
                # The worker's own claim size (at most 20 rows) and one SMTP connection for
                # the batches of a drain, as `monitor worker` sends.
                # Composing in a second process, as the worker does on two or more cores
                # (started here, so its start-up is counted).
                composer = Composer(engine.url.render_as_string(hide_password=False))
                with SmtpBackend(url) as backend:
                    while dispatch_due(
                        engine,
                        backend,
                        now,
                        worker="b",
                        sender="Monitor <m@example.org>",
                        policy=DispatchPolicy(),
                        composer=composer,
                    ).claimed:
                        pass
                composer.stop()

            ours_rates.append(n / timed(ours))
            with session_scope(engine) as session:
                assert (
                    session.scalar(select(Notification.id).where(Notification.status != "sent"))
                    is None
                )
            renew_rates.append(_renewals_per_second(bookkeeping))
            durable_rates.append(_renewals_per_second(engine))
            if bookkeeping is not engine:
                bookkeeping.dispose()
    base = report.add(
        f"{kind}: mail baseline, raw smtplib, one connection, pre-rendered", n, "msg/s", base_rates
    )
    ours_figure = report.add(
        f"{kind}: mail, render + deliver through the dispatcher", n, "msg/s", ours_rates
    )
    report.add(
        f"{kind}: fenced claims renewed (a transaction each, as before a send)",
        500,
        "claims/s",
        renew_rates,
    )
    report.add(
        f"{kind}: the same, each commit waiting for the disk (as every other write)",
        500,
        "claims/s",
        durable_rates,
    )
    ratio = ours_figure.median / base.median
    report.target(f"{kind}: mail throughput, ours / raw smtplib", ratio, ">= 0.5", ratio >= 0.5)


def _renewals_per_second(engine: Engine) -> float:
    """The fencing's own cost: claim one row, then 500 times renew its claim and start a
    delivery attempt in one commit, as the dispatcher does before each send (without the
    previous email's mark, which it folds into the same commit)."""
    from monitor.db import in_transaction
    from monitor.notify.dispatch import claim_due, utc_clock
    from monitor.notify.ledger import Ledger

    with engine.begin() as conn:
        conn.execute(
            update(Notification).values(
                status="pending", next_attempt_at=datetime.now(UTC) - timedelta(minutes=1)
            )
        )
    lease = timedelta(minutes=5)

    def claim(session: Session) -> list[int]:
        return claim_due(session, datetime.now(UTC), "r#1", 1, lease)

    ids = in_transaction(engine, claim)
    ledger = Ledger(engine, "r#1")

    def renewals() -> None:
        for _ in range(500):
            ledger.mark_and_start(None, ids, datetime.now(UTC) + lease, utc_clock, patience=5)

    try:
        return 500 / timed(renewals)
    finally:
        ledger.close()


# --------------------------------------------------------------------------------------- polling


def polling(report: Report) -> None:
    n = 100 if report.quick else 1_000
    print(f"polling: {n:,} sources of 30 KB", flush=True)
    port = free_port()
    server = http_server(port)
    urls = [f"http://127.0.0.1:{port}/s/{i}" for i in range(n)]
    try:
        base200: list[float] = []
        base304: list[float] = []
        ours200: list[float] = []
        ours304: list[float] = []
        cpu200: list[float] = []
        cpu304: list[float] = []
        two: tuple[list[float], ...] = ([], [], [], [])  # 200, CPU, 304, CPU: two in flight
        base_cpu200: list[float] = []
        base_cpu304: list[float] = []
        for _ in range(5):
            session = requests.Session()
            session.trust_env = False
            cpu_before = time.process_time()
            base200.append(n / timed(lambda s=session: [s.get(u).content for u in urls]))
            base_cpu200.append((time.process_time() - cpu_before) * 1000 / n)
            cpu_before = time.process_time()
            base304.append(
                n
                / timed(
                    lambda s=session: [
                        s.get(u, headers={"If-None-Match": '"v1"'}).content for u in urls
                    ]
                )
            )
            base_cpu304.append((time.process_time() - cpu_before) * 1000 / n)
            session.close()
            with tempfile.TemporaryDirectory() as folder:
                engine = make_engine(f"sqlite:///{folder}/poll.db")
                upgrade(engine)
                now = datetime.now(UTC)
                with engine.begin() as conn:
                    conn.execute(
                        insert(Source),
                        [
                            {
                                "key": f"s{i}",
                                "kind": "html",
                                "url": u,
                                "settings": {
                                    "allow_private_addresses": True,
                                    "selector": "div.news",
                                },
                                "interval_seconds": 3600,
                                "consecutive_failures": 0,
                                "health": "unknown",
                                "created_at": now,
                                "updated_at": now,
                            }
                            for i, u in enumerate(urls)
                        ],
                    )
                from monitor.catalog import CalendarExtras

                # The target compares like with like: one request in flight, as in the
                # baseline's loop (every source is on one host, whose gate lets one fetch
                # run at a time: one thread fetches, the caller's thread records the polls).
                # The per-host default (two at once) is shown beside it.
                for in_flight, runs in ((1, (ours200, cpu200, ours304, cpu304)), (2, two)):
                    fetcher = Fetcher(HostGate(concurrency=in_flight, gap=0))
                    for figures, cpus, status in (
                        (runs[0], runs[1], "changed"),
                        (runs[2], runs[3], "not_modified"),
                    ):
                        fresh = (
                            {"etag": None, "content_sha256": None} if status == "changed" else {}
                        )
                        with engine.begin() as conn:
                            conn.execute(update(Source).values(next_poll_at=None, **fresh))
                        cpu_before = time.process_time()
                        started = time.perf_counter()
                        outcomes = poll_due(
                            engine, now, fetcher, CalendarExtras(), worker="b", limit=n
                        )
                        figures.append(n / (time.perf_counter() - started))
                        cpus.append((time.process_time() - cpu_before) * 1000 / n)
                        assert all(o.status == status for o in outcomes), {
                            o.status for o in outcomes
                        }
                engine.dispose()
    finally:
        server.terminate()
        server.wait()
    b200 = report.add("polling baseline: bare requests.Session, 200", n, "req/s", base200)
    # No source here serves a watched case, so nothing is extracted: the extraction section
    # gives that cost (about 10 ms for a 30 KB page of court news).
    o200 = report.add("polling: poll + parse + snapshot, 200", n, "req/s", ours200)
    b304 = report.add("polling baseline: bare requests.Session, 304", n, "req/s", base304)
    o304 = report.add("polling: poll, 304 Not Modified", n, "req/s", ours304)
    report.add("polling: CPU per 1,000 polls, 200", n, "s", cpu200)
    report.add("polling: CPU per 1,000 polls, 304", n, "s", cpu304)
    report.add("polling baseline: CPU per 1,000 requests, 200", n, "s", base_cpu200)
    report.add("polling baseline: CPU per 1,000 requests, 304", n, "s", base_cpu304)
    report.add("polling, two requests at once: 200", n, "req/s", two[0])
    report.add("polling, two requests at once: 304", n, "req/s", two[2])
    report.add("polling, two requests at once: CPU per 1,000 polls, 200", n, "s", two[1])
    report.add("polling, two requests at once: CPU per 1,000 polls, 304", n, "s", two[3])
    for label, ours, base, goal in (("200", o200, b200, 0.3), ("304", o304, b304, 0.6)):
        ratio = ours.median / base.median
        report.target(f"polling {label}, ours / bare requests", ratio, f">= {goal}", ratio >= goal)


# ------------------------------------------------------------------------------------ extraction


EN = (
    "On 4 August, 2016, the Kapshagai City Court of Almaty Province ordered the conditional release of opposition "
    "politician Vladimir Kozlov. The court decision will come into force in 15 days. "
)
RU = (
    "4 августа 2016 года Капшагайский городской суд Алматинской области удовлетворил ходатайство об условно-досрочном "
    "освобождении Владимира Козлова. Постановление суда вступит в законную силу через 15 суток. "
)
FILLER = {
    "en": "The hearing gathered journalists and diplomats, who watched the proceedings closely. ",
    "ru": "На заседании присутствовали журналисты и дипломаты, внимательно следившие за процессом. ",
}


def page(language: str) -> str:
    news = EN if language == "en" else RU
    paragraphs = [f"<p>{FILLER[language] * 4}</p>" for _ in range(90 if language == "en" else 50)]
    paragraphs.insert(len(paragraphs) // 2, f"<p>{news}</p>")
    body = "".join(paragraphs)
    return f"<html><head><script>var a = 1;</script></head><body><nav>Menu</nav><div class=news>{body}</div></body></html>"


def extraction(report: Report) -> None:
    pages = 10 if report.quick else 100
    for language in ("en", "ru"):
        html = page(language)
        assert 28_000 <= len(html.encode()) <= 40_000, len(html.encode())

        def run(html: str = html) -> float:
            started = time.perf_counter()
            for _ in range(pages):
                found = extract(html_to_text(html, "div.news").text)
                assert found and found[0].in_force_period == "15d"
            return pages / (time.perf_counter() - started)

        report.measure(
            f"extraction: parse + extract, 30 KB pages, {language}", pages, "pages/s", run
        )


# ------------------------------------------------------------------------------------------ idle


IDLE_CHILD = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from monitor.db import make_engine
    from monitor.settings import load_settings
    from monitor.worker import Worker, configure_logging
    configure_logging(False)
    engine = make_engine(sys.argv[1])
    worker = Worker(engine, load_settings(Path(sys.argv[2]), {"MONITOR_DATABASE_URL": sys.argv[1]}))
    worker.start(datetime.now(UTC), sync=False)
    print("ready", flush=True)
    worker.run_forever()
""")


def idle(report: Report) -> None:
    cases = 10_000
    seconds = 15 if report.quick else 60
    print(f"idle: a worker with {cases:,} cases and nothing due, for {seconds} s", flush=True)
    from bench.naive import empty_config

    with tempfile.TemporaryDirectory() as folder, database("sqlite", None) as engine:
        catalog(engine, cases)
        config = empty_config(Path(folder))
        process = subprocess.Popen(
            [sys.executable, "-c", IDLE_CHILD, str(engine.url), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(2)  # let the first round of jobs (all due at start) finish
        samples, rss = [], []
        slice_seconds = seconds / 5
        for _ in range(5):
            before = cpu_seconds(process.pid)
            time.sleep(slice_seconds)
            samples.append((cpu_seconds(process.pid) - before) / slice_seconds * 100)
            rss.append(rss_kib(process.pid) / 1024)
        process.terminate()
        process.wait(timeout=10)
    cpu = report.add(
        f"idle worker: CPU over {slice_seconds:g} s slices", cases, "% of a core", samples
    )
    report.add("idle worker: resident memory", cases, "MiB", rss)
    report.target("idle CPU", cpu.median, "< 1 % of a core", cpu.median < 1.0)
