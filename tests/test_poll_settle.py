"""How polls are recorded: every kind of outcome, settled together, lands on its own source
(SQLite and PostgreSQL); and the sources of one host take no more threads than its gate lets
fetch."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from monitor.catalog import load_catalog
from monitor.db import session_scope
from monitor.models import Snapshot, Source
from monitor.sources.fetch import Fetcher, HostGate
from monitor.sources.parse import content_hash
from monitor.sources.poll import PollPolicy, _claim, _look, _Settler, _Settling, poll_due
from tests.conftest import Page, Site
from tests.test_poll import NOW, ONE_SOURCE, poll, setup


def page(text: str) -> bytes:
    return f"<html><body><div class='news'><p>{text}</p></div></body></html>".encode()


def sources(keys: list[str]) -> str:
    return "".join(
        ONE_SOURCE.replace('id = "odf"', f'id = "{key}"').replace("/news", f"/{key}")
        for key in keys
    )


def test_every_kind_of_poll_settled_together_is_recorded_on_its_own_source(
    engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/same304"] = Page(page("The court sat."), etag='"a"')
    site.pages["/same200"] = Page(page("The court rested."))
    site.pages["/new"] = Page(page("The court adjourned."))
    site.pages["/down"] = Page(page("The court closed."))
    setup(engine, config_dir, site, sources(["same304", "same200", "new", "down"]))
    assert {o.status for o in poll(engine, config_dir)} == {"changed"}
    site.pages["/same200"] = Page(page("The court rested."), etag='"b"')
    site.pages["/new"] = Page(page("The court adjourned until Monday."))
    site.pages["/down"] = Page(b"oops", status=500)
    later = NOW + timedelta(hours=2)
    fetcher = Fetcher(HostGate(gap=0))
    views, cases = _claim(engine, later, "t", 10, PollPolicy())
    calendars = load_catalog(config_dir).calendars
    group = [
        _Settling(_look(view, cases, engine, later, fetcher, PollPolicy()), later, calendars)
        for view in views
    ]
    _Settler(engine, fetcher, PollPolicy(), random.Random(3)).apply_group(group)
    outcomes = {one.outcome.source: one.outcome for one in group if one.outcome}
    assert {key: o.status for key, o in outcomes.items()} == {
        "same304": "not_modified",
        "same200": "unchanged",
        "new": "changed",
        "down": "failed",
    }
    with session_scope(engine) as session:
        rows = {s.key: s for s in session.scalars(select(Source))}
        snapshot = session.get(Snapshot, outcomes["new"].snapshot_id)
        assert snapshot is not None and snapshot.source_id == rows["new"].id
        assert snapshot.text == "The court adjourned until Monday."
        assert rows["new"].content_sha256 == snapshot.sha256 == content_hash(snapshot.text)
        assert rows["same200"].content_sha256 == content_hash("The court rested.")
        assert (rows["same304"].etag, rows["same200"].etag) == ('"a"', '"b"')
        for row in rows.values():
            assert (row.claimed_by, row.claimed_until, row.last_checked_at) == (None, None, later)
            assert row.next_poll_at is not None and row.next_poll_at > later
        for key in ("same304", "same200", "new"):
            assert (rows[key].health, rows[key].consecutive_failures) == ("ok", 0)
            assert (rows[key].last_success_at, rows[key].last_error) == (later, None)
        assert rows["down"].consecutive_failures == 1
        assert rows["down"].last_success_at == NOW
        assert "HTTP 500" in (rows["down"].last_error or "")


def test_the_sources_of_a_busy_host_delay_no_source_of_another(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    keys = [f"busy{i}" for i in range(4)]
    for key in [*keys, "quiet"]:
        site.pages[f"/{key}"] = Page(page(f"News of {key}."))
    port = site.base.rsplit(":", 1)[1]
    quiet = sources(["quiet"]).replace("{base}", f"http://localhost:{port}")
    setup(sqlite_engine, config_dir, site, sources(keys) + quiet)
    # One thread, one fetch at a time per host: the four sources of the busy host are not all
    # fetched before the other host's one.
    outcomes = poll_due(
        sqlite_engine,
        NOW,
        Fetcher(HostGate(concurrency=1, gap=0)),
        load_catalog(config_dir).calendars,
        worker="t",
        policy=PollPolicy(concurrency=1),
        rng=random.Random(3),
    )
    assert {o.status for o in outcomes} == {"changed"}
    paths = [path for path, _ in site.requests]
    assert sorted(paths) == sorted(f"/{key}" for key in [*keys, "quiet"])
    assert paths.index("/quiet") <= 1
