"""Polling end to end against a real HTTP server: snapshots, decisions found, conflicts, health."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from monitor.catalog import load_catalog
from monitor.db import session_factory, session_scope
from monitor.models import Deadline, Decision, DecisionProvenance, Event, Snapshot, Source
from monitor.sources.fetch import Fetcher, HostGate
from monitor.sources.parse import content_hash, html_to_text, normalise
from monitor.sources.poll import (
    PollPolicy,
    _claim,
    _Fetched,
    _look,
    _Polled,
    _Settler,
    _Settling,
    poll_due,
)
from monitor.sync import sync_catalog
from tests.conftest import Page, Site

NOW = datetime(2016, 8, 5, 8, 0, tzinfo=UTC)

RELEASE = """<html><head><title>ODF</title><script>var tracker = "Kozlov sentenced on 1 January 2016";</script>
<style>.x{}</style></head><body><nav>Home | News | Kozlov archive</nav>
<div class="news"><h1>The court issued decision on early release of Vladimir Kozlov</h1>
<p>On 4 August, 2016, the Kapshagai City Court of Almaty Province ordered the conditional release of opposition
politician Vladimir Kozlov. The court decision will come into force in 15 days.</p></div>
<footer>All rights reserved</footer></body></html>"""


def with_sources(config_dir: Path, site: Site, sources: str) -> None:
    """Replace the example's source with local ones (loopback allowed for the tests)."""
    path = config_dir / "cases" / "kozlov.toml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("[[sources]]")] + sources.replace("{base}", site.base)
    path.write_text(text, encoding="utf-8")


def setup(
    engine: Engine,
    config_dir: Path,
    site: Site,
    sources: str,
    *,
    without_config_decision: bool = True,
) -> None:
    with_sources(config_dir, site, sources)
    if without_config_decision:
        # The monitor should learn of the decision from the web, not from config.
        path = config_dir / "cases" / "kozlov.toml"
        text = path.read_text(encoding="utf-8")
        start = text.index("[[decisions]]")
        path.write_text(text[:start] + text[text.index("[[subscriptions]]") :], encoding="utf-8")
    with session_scope(engine) as session:
        sync_catalog(session, load_catalog(config_dir), NOW - timedelta(hours=1))


def poll(engine: Engine, config_dir: Path, now: datetime = NOW, only: str | None = None):  # type: ignore[no-untyped-def]
    return poll_due(
        engine,
        now,
        Fetcher(HostGate(gap=0)),
        load_catalog(config_dir).calendars,
        worker="t",
        only=only,
        policy=PollPolicy(down_after=2),
        rng=random.Random(3),
    )


ONE_SOURCE = """[[sources]]
id = "odf"
kind = "html"
url = "{base}/news"
interval = "1h"
selector = "div.news"
allow_private_addresses = true
"""


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def kinds(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Event.kind).order_by(Event.id)))


def test_a_new_press_release_becomes_a_decision_with_deadlines(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(RELEASE.encode(), etag='"a"')
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    [outcome] = poll(sqlite_engine, config_dir)
    assert outcome.status == "changed"
    assert [f.outcome for f in outcome.found] == ["new"]
    with session_scope(sqlite_engine) as session:
        decision = session.scalars(select(Decision)).one()
        assert (decision.decided_on, decision.court, decision.kind, decision.origin) == (
            date(2016, 8, 4),
            "Kapshagai City Court of Almaty Province",
            "parole",
            "source",
        )
        # A Kazakh first-instance decision with 15 days: the preset made for it, not a generic rule.
        assert decision.rule == "kz-criminal-appeal-15d"
        deadlines = {d.kind: d.due_on for d in session.scalars(select(Deadline))}
        assert deadlines == {"appeal_until": date(2016, 8, 19), "in_force": date(2016, 8, 20)}
        [provenance] = session.scalars(select(DecisionProvenance))
        snapshot = session.get(Snapshot, provenance.snapshot_id)
        assert snapshot is not None and snapshot.http_status == 200
        assert "come into force in 15 days" in provenance.quote
        # The page's script, style, navigation and footer never reach the evidence text.
        assert (
            "tracker" not in snapshot.text
            and "Home | News" not in snapshot.text
            and "rights" not in snapshot.text
        )
    assert "decision_found" in kinds(sqlite_engine)
    # Polling again, an hour later: 304, nothing changes.
    [again] = poll(sqlite_engine, config_dir, NOW + timedelta(hours=2))
    assert again.status == "not_modified"
    assert (count(sqlite_engine, Snapshot), count(sqlite_engine, Decision)) == (1, 1)


def test_a_changed_page_behind_an_unchanged_etag_is_seen(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(b"<div class='news'><p>Nothing yet about Kozlov.</p></div>")
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    assert poll(sqlite_engine, config_dir)[0].status == "changed"
    # The server keeps no validators of its own (some sites send the same ETag forever).
    site.pages["/news"] = Page(RELEASE.encode())
    [outcome] = poll(sqlite_engine, config_dir, NOW + timedelta(hours=2))
    assert outcome.status == "changed" and outcome.found
    [same] = poll(sqlite_engine, config_dir, NOW + timedelta(hours=4))
    assert same.status == "unchanged"
    assert count(sqlite_engine, Snapshot) == 2


def test_a_second_source_with_another_date_raises_one_conflict(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(RELEASE.encode())
    site.pages["/other"] = Page(RELEASE.replace("4 August, 2016", "5 August, 2016").encode())
    site.pages["/third"] = Page(RELEASE.encode())
    two = (
        ONE_SOURCE
        + ONE_SOURCE.replace('id = "odf"', 'id = "other"').replace("/news", "/other")
        + ONE_SOURCE.replace('id = "odf"', 'id = "third"').replace("/news", "/third")
    )
    setup(sqlite_engine, config_dir, site, two)
    # One at a time: sources polled together are recorded in the order their fetches end.
    outcomes = {
        o.source: o
        for key in ("odf", "other", "third")
        for o in poll(sqlite_engine, config_dir, only=key)
    }
    assert [f.outcome for f in outcomes["odf"].found] == ["new"]
    assert [f.outcome for f in outcomes["other"].found] == ["conflict"]
    assert [f.outcome for f in outcomes["third"].found] == ["same"]
    assert kinds(sqlite_engine).count("conflict") == 1
    with session_scope(sqlite_engine) as session:
        decision = session.scalars(select(Decision)).one()
        assert decision.decided_on == date(2016, 8, 4)  # never silently overwritten
        assert count(sqlite_engine, DecisionProvenance) == 3  # one decision, three reports


def test_a_decision_in_config_outranks_the_web(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(RELEASE.encode())
    setup(sqlite_engine, config_dir, site, ONE_SOURCE, without_config_decision=False)
    [outcome] = poll(sqlite_engine, config_dir)
    assert [f.outcome for f in outcome.found] == ["same"]
    with session_scope(sqlite_engine) as session:
        decision = session.scalars(select(Decision)).one()
        assert (decision.origin, decision.rule) == ("config", "kz-criminal-appeal-15d")
        assert count(sqlite_engine, DecisionProvenance) == 1


def test_a_selector_that_stops_matching_makes_the_source_broken_once(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(RELEASE.encode())
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    poll(sqlite_engine, config_dir)
    site.pages["/news"] = Page(b"<html><body><main>Redesigned site</main></body></html>")
    assert poll(sqlite_engine, config_dir, NOW + timedelta(hours=2))[0].status == "broken"
    assert poll(sqlite_engine, config_dir, NOW + timedelta(hours=4))[0].status == "broken"
    assert kinds(sqlite_engine).count("source_broken") == 1
    site.pages["/news"] = Page(RELEASE.encode())
    assert poll(sqlite_engine, config_dir, NOW + timedelta(hours=6))[0].status in (
        "unchanged",
        "changed",
    )
    assert kinds(sqlite_engine).count("source_recovered") == 1


def test_a_failing_source_is_reported_down_once_and_recovered_once(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(b"oops", status=500)
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    now = NOW
    for _ in range(4):
        [outcome] = poll(sqlite_engine, config_dir, now)
        assert outcome.status == "failed"
        with session_scope(sqlite_engine) as session:
            source = session.scalars(select(Source)).one()
            assert source.next_poll_at is not None and source.next_poll_at > now
            now = source.next_poll_at
    assert kinds(sqlite_engine).count("source_down") == 1
    with session_scope(sqlite_engine) as session:
        source = session.scalars(select(Source)).one()
        assert (source.consecutive_failures, source.health) == (4, "down")
        assert "HTTP 500" in (source.last_error or "")
    site.pages["/news"] = Page(RELEASE.encode())
    poll(sqlite_engine, config_dir, now)
    assert kinds(sqlite_engine).count("source_recovered") == 1


def test_retry_after_is_honoured(sqlite_engine: Engine, config_dir: Path, site: Site) -> None:
    site.pages["/news"] = Page(b"", status=429, headers={"Retry-After": "3600"})
    setup(sqlite_engine, config_dir, site, ONE_SOURCE.replace('interval = "1h"', 'interval = "1d"'))
    poll(sqlite_engine, config_dir)
    with session_scope(sqlite_engine) as session:
        source = session.scalars(select(Source)).one()
        assert source.next_poll_at is not None
        assert source.next_poll_at >= NOW + timedelta(hours=1)


def test_a_feed_source(sqlite_engine: Engine, config_dir: Path, site: Site) -> None:
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Court news</title>
    <item><title>Release of Kozlov</title><link>{site.base}/a/1</link><pubDate>Thu, 04 Aug 2016 18:00:00 GMT</pubDate>
    <description>&lt;p&gt;On 4 August the Kapshagai City Court ordered the release of Vladimir Kozlov.
    The decision comes into force in 15 days.&lt;/p&gt;</description></item>
    <item><title>Other news</title><link>{site.base}/a/2</link><description>Weather is fine.</description></item>
    </channel></rss>"""
    site.pages["/feed"] = Page(feed.encode(), headers={"Content-Type": "application/rss+xml"})
    setup(
        sqlite_engine,
        config_dir,
        site,
        ONE_SOURCE.replace('kind = "html"', 'kind = "feed"')
        .replace("/news", "/feed")
        .replace('selector = "div.news"\n', ""),
    )
    [outcome] = poll(sqlite_engine, config_dir)
    assert [f.outcome for f in outcome.found] == ["new"]
    with session_scope(sqlite_engine) as session:
        decision = session.scalars(select(Decision)).one()
        # "4 August" without a year takes it from the entry's publication date.
        assert decision.decided_on == date(2016, 8, 4)
        assert decision.source_url == f"{site.base}/a/1"


def test_an_empty_feed_is_broken_not_quiet(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/feed"] = Page(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    )
    setup(
        sqlite_engine,
        config_dir,
        site,
        ONE_SOURCE.replace('kind = "html"', 'kind = "feed"')
        .replace("/news", "/feed")
        .replace('selector = "div.news"\n', ""),
    )
    assert poll(sqlite_engine, config_dir)[0].status == "broken"


def test_a_json_source(sqlite_engine: Engine, config_dir: Path, site: Site) -> None:
    payload = {
        "data": {
            "items": [
                {
                    "title": "Козлов",
                    "url": f"{site.base}/n/7",
                    "published": "2016-08-04T15:00:00Z",
                    "text": "4 августа Капшагайский городской суд удовлетворил ходатайство Владимира Козлова об УДО. "
                    "Постановление вступит в законную силу через 15 суток.",
                },
            ]
        }
    }
    site.pages["/api"] = Page(
        json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    sources = (
        ONE_SOURCE.replace('kind = "html"', 'kind = "json"')
        .replace("/news", "/api")
        .replace('selector = "div.news"', 'json_path = "data.items"')
    )
    setup(sqlite_engine, config_dir, site, sources)
    [outcome] = poll(sqlite_engine, config_dir)
    assert [f.outcome for f in outcome.found] == ["new"]
    with session_scope(sqlite_engine) as session:
        decision = session.scalars(select(Decision)).one()
        assert (decision.decided_on, decision.kind, decision.rule) == (
            date(2016, 8, 4),
            "parole",
            "kz-criminal-appeal-15d",
        )


def test_a_json_path_that_leads_nowhere_is_broken(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/api"] = Page(b'{"data": {}}', headers={"Content-Type": "application/json"})
    sources = (
        ONE_SOURCE.replace('kind = "html"', 'kind = "json"')
        .replace("/news", "/api")
        .replace('selector = "div.news"', 'json_path = "data.items"')
    )
    setup(sqlite_engine, config_dir, site, sources)
    [outcome] = poll(sqlite_engine, config_dir)
    assert outcome.status == "broken" and "no 'items'" in outcome.detail


def test_a_news_list_page_leads_to_new_articles_once(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/list"] = Page(
        b'<div class="news"><a href="/article/1">Kozlov released</a> <a href="/about">About</a></div>'
    )
    site.pages["/article/1"] = Page(RELEASE.encode())
    sources = ONE_SOURCE.replace("/news", "/list") + 'link_pattern = "/article/"\n'
    setup(sqlite_engine, config_dir, site, sources)
    [outcome] = poll(sqlite_engine, config_dir)
    assert [f.outcome for f in outcome.found] == ["new"]
    fetched = [path for path, _ in site.requests]
    assert fetched.count("/article/1") == 1 and "/about" not in fetched
    poll(sqlite_engine, config_dir, NOW + timedelta(hours=2))
    assert [path for path, _ in site.requests].count("/article/1") == 1


def test_a_source_that_mentions_no_watched_case_finds_nothing(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    site.pages["/news"] = Page(RELEASE.replace("Vladimir Kozlov", "Ivan Petrov").encode())
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    [outcome] = poll(sqlite_engine, config_dir)
    assert outcome.status == "changed" and outcome.found == []
    assert count(sqlite_engine, Decision) == 0


def test_the_new_decision_alert_carries_a_calendar_entry(
    sqlite_engine: Engine, config_dir: Path, site: Site, tmp_path: Path
) -> None:
    import email
    import email.policy

    from icalendar import Calendar

    from monitor.notify.alerts import plan_alerts
    from monitor.notify.deliver import FileBackend
    from monitor.notify.dispatch import dispatch_due

    site.pages["/news"] = Page(RELEASE.encode())
    setup(sqlite_engine, config_dir, site, ONE_SOURCE)
    poll(sqlite_engine, config_dir)
    with session_scope(sqlite_engine) as session:
        assert plan_alerts(session, NOW) == 2  # the advocate and the operator
    later = NOW + timedelta(minutes=6)
    dispatch_due(
        sqlite_engine,
        FileBackend(tmp_path),
        later,
        worker="t",
        sender="M <m@example.org>",
        clock=lambda: later,
    )
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in tmp_path.glob("*.eml")
    ]
    advocate = next(m for m in messages if "advocate@example.org" in str(m["To"]))
    assert advocate["Subject"] == "[Kozlov] New decision found"
    [attachment] = list(advocate.iter_attachments())
    [event] = list(Calendar.from_ical(attachment.get_content()).walk("VEVENT"))
    assert event.decoded("dtstart") == date(2016, 8, 20)


# ------------------------------------------------------------------ transactions per poll run


def many_sources(site: Site, n: int, body: bytes = RELEASE.encode()) -> str:
    sources = ""
    for i in range(n):
        site.pages[f"/news{i}"] = Page(body, etag=f'"v{i}"')
        sources += ONE_SOURCE.replace('id = "odf"', f'id = "s{i}"').replace("/news", f"/news{i}")
    return sources


def commits(engine: Engine) -> list[int]:
    """Counts the transactions committed through this engine's sessions from now on."""
    seen: list[int] = []
    event.listen(session_factory(engine), "after_commit", lambda session: seen.append(1))
    return seen


def test_a_poll_run_reads_in_its_claim_and_applies_in_at_most_one_transaction_per_source(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    setup(sqlite_engine, config_dir, site, many_sources(site, 6))
    assert {o.status for o in poll(sqlite_engine, config_dir)} == {"changed"}
    seen = commits(sqlite_engine)
    outcomes = poll(sqlite_engine, config_dir, NOW + timedelta(hours=2))
    assert [o.status for o in outcomes] == ["not_modified"] * 6
    # One to claim and read every source and the watched cases; then the polls, applied as
    # they finish, several in one transaction when several are waiting.
    assert 2 <= len(seen) <= 1 + 6
    with session_scope(sqlite_engine) as session:
        rows = list(session.scalars(select(Source)))
        assert {(s.health, s.claimed_by, s.last_checked_at) for s in rows} == {
            ("ok", None, NOW + timedelta(hours=2))
        }


def looked(engine: Engine, config_dir: Path, site: Site, n: int) -> list[_Polled]:
    """n sources claimed and fetched (step 1 and 2), not yet applied."""
    setup(engine, config_dir, site, many_sources(site, n))
    fetcher = Fetcher(HostGate(gap=0))
    views, cases = _claim(engine, NOW, "t", n, PollPolicy())
    return [_look(view, cases, engine, NOW, fetcher, PollPolicy()) for view in views]


def test_finished_polls_are_applied_together_in_one_transaction(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    polled = looked(sqlite_engine, config_dir, site, 3)
    settler = _Settler(sqlite_engine, Fetcher(), PollPolicy(), random.Random(3))
    group = [_Settling(p, NOW, load_catalog(config_dir).calendars) for p in polled]
    seen = commits(sqlite_engine)
    settler.apply_group(group)
    assert len(seen) == 1
    outcomes = [one.outcome for one in group]
    assert [o.status if o else None for o in outcomes] == ["changed"] * 3
    # The first source found the decision; the two others report the same one.
    assert [[f.outcome for f in o.found] for o in outcomes if o] == [["new"], ["same"], ["same"]]
    with session_scope(sqlite_engine) as session:
        snapshots = {s.id: s.source_id for s in session.scalars(select(Snapshot))}
    assert {
        o.snapshot_id: p.source_id for o, p in zip(outcomes, polled, strict=True) if o
    } == snapshots
    assert count(sqlite_engine, DecisionProvenance) == 3


def test_a_poll_that_fails_in_a_group_fails_alone(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    polled = looked(sqlite_engine, config_dir, site, 3)
    polled[1].got = _Fetched()  # neither a result nor an error: applying it raises
    settler = _Settler(sqlite_engine, Fetcher(), PollPolicy(), random.Random(3))
    group = [_Settling(p, NOW, load_catalog(config_dir).calendars) for p in polled]
    settler.apply_group(group)
    statuses = [(one.outcome.status, one.outcome.detail[:15]) for one in group if one.outcome]
    assert statuses == [
        ("changed", "new content"),
        ("failed", "internal error:"),
        ("changed", "new content"),
    ]
    with session_scope(sqlite_engine) as session:
        rows = {s.key: s for s in session.scalars(select(Source))}
        assert rows["s1"].last_error and rows["s1"].last_error.startswith("internal error")
        assert {s.claimed_by for s in rows.values()} == {None}
        assert {s.source_id for s in session.scalars(select(Snapshot))} == {
            rows["s0"].id,
            rows["s2"].id,
        }


@pytest.mark.parametrize("parts", [1, 3])
def test_a_page_text_comes_out_in_the_form_that_is_hashed(parts: int) -> None:
    block = (
        "<div class='news'>\n\n  <p> Kozlov \t released </p>\r\n\n\n<p>\u00a0on 4 August </p></div>"
    )
    html = f"<html><body>{block * parts}<p> outside </p></body></html>"
    text = html_to_text(html, "div.news").text
    assert text == normalise(text)
    assert content_hash(text, normalised=True) == content_hash(text)
    assert text.count("Kozlov released") == parts and "outside" not in text
