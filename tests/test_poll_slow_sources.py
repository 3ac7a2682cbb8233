"""No source can stall polling: a slow article holds no transaction, a slow source delays no
other, a fetch never outlasts its deadline."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from monitor.db import session_factory, session_scope
from monitor.models import Snapshot
from monitor.sources.parse import content_hash
from monitor.sources.poll import PollOutcome
from tests.conftest import DripServer, Page, Site
from tests.test_poll import ONE_SOURCE, RELEASE, many_sources, poll, setup
from tests.worker_helpers import wait_until


def test_a_slow_linked_article_holds_no_write_lock_on_the_database(
    sqlite_engine: Engine, config_dir: Path, site: Site, drip_server: DripServer
) -> None:
    """The dispatcher must be able to mark emails sent while a poll waits on the network."""
    article = f"http://127.0.0.1:{drip_server.port}/article/1"
    site.pages["/list"] = Page(
        f'<div class="news"><a href="{article}">Kozlov released</a></div>'.encode()
    )
    sources = (
        ONE_SOURCE.replace("/news", "/list").replace(
            'interval = "1h"', 'interval = "1h"\ntimeout = "3s"'
        )
        + 'link_pattern = "/article/"\n'
    )
    setup(sqlite_engine, config_dir, site, sources)
    outcomes: list[PollOutcome] = []
    polling = threading.Thread(target=lambda: outcomes.extend(poll(sqlite_engine, config_dir)))
    polling.start()
    wait_until(lambda: drip_server.connections >= 1, what="the article fetch under way")
    database = sqlite_engine.url.database
    assert database
    other = sqlite3.connect(database, timeout=0.5, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # fails with "database is locked" if a writer waits
        other.execute("UPDATE source SET last_error = last_error")
        other.execute("COMMIT")
    finally:
        other.close()
    assert polling.is_alive()  # the article was still being read meanwhile
    polling.join(timeout=30)
    [outcome] = outcomes
    assert outcome.status == "changed"


def test_one_slow_source_delays_no_other_and_is_cut_at_its_deadline(
    sqlite_engine: Engine, config_dir: Path, site: Site, drip_server: DripServer
) -> None:
    site.pages["/news"] = Page(RELEASE.encode())
    site.pages["/other"] = Page(RELEASE.encode())
    slow = (
        ONE_SOURCE.replace('id = "odf"', 'id = "slow"')
        .replace("{base}/news", f"http://127.0.0.1:{drip_server.port}/news")
        .replace('interval = "1h"', 'interval = "1h"\ntimeout = "4s"')
    )
    sources = (
        slow
        + ONE_SOURCE
        + ONE_SOURCE.replace('id = "odf"', 'id = "other"').replace("/news", "/other")
    )
    setup(sqlite_engine, config_dir, site, sources)
    outcomes: list[PollOutcome] = []
    polling = threading.Thread(target=lambda: outcomes.extend(poll(sqlite_engine, config_dir)))
    polling.start()

    def recorded() -> int:
        with session_scope(sqlite_engine) as session:
            return len(list(session.scalars(select(Snapshot.id))))

    wait_until(lambda: recorded() == 2, what="the healthy sources recorded")
    assert polling.is_alive()  # while the slow one still drips
    polling.join(timeout=30)
    by_source = {o.source: o for o in outcomes}
    assert by_source["slow"].status == "failed"
    assert "took longer than 4 s" in by_source["slow"].detail
    assert by_source["odf"].status == by_source["other"].status == "changed"


def test_a_page_past_the_reading_budget_is_cut_and_reported(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    from monitor.sources.extract import MAX_TEXT

    filler = "<p>" + "Court news of the day. " * (MAX_TEXT // 20) + "</p>"
    site.pages["/news"] = Page(RELEASE.replace("</div>", filler + "</div>").encode())
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    [outcome] = poll(sqlite_engine, config_dir)
    assert outcome.status == "changed"
    assert [f.outcome for f in outcome.found] == ["new"]  # the decision came first
    assert f"only the first {MAX_TEXT:,} characters of a text were read" in outcome.detail
    with session_scope(sqlite_engine) as session:
        [snapshot] = session.scalars(select(Snapshot))
        assert snapshot.sha256 == content_hash(snapshot.text)  # the cut text hashed as any other


def test_fetching_goes_on_while_the_database_is_locked(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    """A poll run's threads only fetch and read: none waits behind a database write, so a
    locked database (a long write elsewhere) holds up the recording, not the polling."""
    sources = many_sources(site, 8)
    setup(sqlite_engine, config_dir, site, sources)
    database = sqlite_engine.url.database
    assert database
    other = sqlite3.connect(database, timeout=5, isolation_level=None, check_same_thread=False)
    locked = threading.Event()

    def lock_after_the_claim(session: Session) -> None:
        if not locked.is_set():
            other.execute("BEGIN IMMEDIATE")
            locked.set()

    event.listen(session_factory(sqlite_engine), "after_commit", lock_after_the_claim)
    outcomes: list[PollOutcome] = []
    polling = threading.Thread(target=lambda: outcomes.extend(poll(sqlite_engine, config_dir)))
    polling.start()
    try:
        wait_until(lambda: len(site.requests) == 8, timeout=20, what="every source fetched")
        assert not outcomes  # nothing could be recorded yet
    finally:
        other.execute("COMMIT")
        other.close()
        polling.join(timeout=30)
    assert [o.status for o in outcomes] == ["changed"] * 8
