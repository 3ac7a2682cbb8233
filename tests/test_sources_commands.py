"""sources, poll, snapshots and snapshot as an operator uses them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Page, Site
from tests.test_poll import ONE_SOURCE, RELEASE, with_sources


def test_poll_then_inspect_the_evidence(run, config_dir: Path, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.pages["/news"] = Page(RELEASE.encode())
    with_sources(config_dir, site, ONE_SOURCE)
    run("db", "upgrade")
    run("sync")
    listed = json.loads(run("sources", "--json").out)["sources"]
    assert [(s["id"], s["health"], s["next_poll_at"]) for s in listed] == [("odf", "unknown", None)]
    polled = run("poll")
    assert polled.code == 0, polled.err
    assert polled.out.startswith("odf: changed")
    assert (
        "kozlov/release-2016-08-04: also reported by odf" in polled.out
    )  # config decision, now with evidence
    again = run("poll", "odf")
    assert again.out.startswith("odf: unchanged")
    nothing_due = run("poll")
    assert nothing_due.out.strip() == "no source is due (name one to poll it now)"
    snapshots = json.loads(run("snapshots", "odf", "--json").out)["snapshots"]
    assert len(snapshots) == 1 and snapshots[0]["cited"] is True
    shown = run("snapshot", str(snapshots[0]["id"]))
    assert "source: odf" in shown.out
    assert "The court decision will come into force in 15 days." in shown.out
    state = json.loads(run("sources", "--json").out)["sources"][0]
    assert state["health"] == "ok" and state["last_success_at"].startswith("2016-08-05")


def test_unknown_source_and_snapshot_are_one_line_errors(run) -> None:  # type: ignore[no-untyped-def]
    run("db", "upgrade")
    for args, message in (
        (("poll", "nope"), "no source 'nope'"),
        (("snapshots", "nope"), "no source 'nope'"),
        (("snapshot", "99"), "no snapshot 99"),
    ):
        result = run(*args)
        assert result.code == 1 and message in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_extract_from_a_local_url(run, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.pages["/r"] = Page(RELEASE.encode())
    refused = run("extract", site.url("/r"))
    assert refused.code == 1 and "private or local address" in refused.err
    result = run("extract", site.url("/r"), "--allow-private", "--json")
    assert json.loads(result.out)["decisions"][0]["in_force_period"] == "15d"
    assert (
        run("extract", "/no/such/file").err.strip().startswith("error: /no/such/file: no such file")
    )


def test_explain_lists_every_source_that_reported_a_decision(
    run, config_dir: Path, site: Site
) -> None:  # type: ignore[no-untyped-def]
    site.pages["/news"] = Page(RELEASE.encode())
    with_sources(config_dir, site, ONE_SOURCE)
    run("db", "upgrade")
    run("sync")
    assert run("poll").code == 0
    explained = json.loads(run("explain", "kozlov", "--json").out)
    [reported] = [s for d in explained["decisions"] for s in d["reported_by"]]
    assert (reported["source"], reported["url"], reported["reported_date"]) == (
        "odf",
        site.url("/news"),
        "2016-08-04",
    )
    assert reported["reported_period"] == "15d" and reported["snapshot"]
    assert "come into force in 15 days" in reported["quote"]
    text = run("explain", "kozlov").out
    assert f"reported by odf ({site.url('/news')}, snapshot" in text and "period 15d" in text


def test_sources_test_shows_what_a_source_would_read_before_it_is_added(run, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.pages["/news"] = Page(RELEASE.encode())
    url = site.url("/news")
    result = run("sources", "test", url, "--selector", "div.news", "--allow-private", "--json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["selector_matched"] is True and payload["title"] == "ODF"
    assert "come into force in 15 days" in payload["text"] and "All rights" not in payload["text"]
    assert payload["decisions"][0]["decision_date"] == "2016-08-04"
    missing = run("sources", "test", url, "--selector", "div.gone", "--allow-private")
    assert "matched nothing (the source would be broken)" in missing.out


def test_sources_test_follows_a_link_pattern(run, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.pages["/list"] = Page(
        b'<html><body><a href="/news/1">one</a> <a href="/about">about</a></body></html>'
    )
    result = run(
        "sources", "test", site.url("/list"), "--link-pattern", r"/news/\d+", "--allow-private"
    )
    assert result.code == 0, result.err
    assert "links matching" in result.out and site.url("/news/1") in result.out
    assert site.url("/about") not in result.out


def test_sources_test_names_a_bad_selector_or_pattern_in_one_line(run, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.pages["/news"] = Page(RELEASE.encode())
    for option, value in (("--selector", "div["), ("--link-pattern", "(")):
        result = run("sources", "test", site.url("/news"), option, value, "--allow-private")
        assert result.code == 1 and option in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_a_failed_poll_exits_1_with_one_readable_line(run, config_dir: Path, site: Site) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import free_port

    port = free_port()  # nothing listens there
    with_sources(config_dir, site, ONE_SOURCE.replace("{base}", f"http://127.0.0.1:{port}"))
    run("db", "upgrade")
    run("sync")
    polled = run("poll")
    assert polled.code == 1
    [line] = polled.out.strip().splitlines()
    assert line == (
        f"odf: failed (http://127.0.0.1:{port}/news: 127.0.0.1:{port} refused the connection)"
    )
