"""Decisions found in sources against what is known: a stated period or entry into force that
the computed deadlines do not match is a conflict for the operators."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from monitor.db import session_scope
from monitor.models import Decision, Event
from monitor.sources.poll import PollOutcome
from tests.conftest import Page, Site
from tests.test_poll import ONE_SOURCE, RELEASE, kinds, poll, setup


def _two_sources(site: Site, other: str) -> str:
    site.pages["/news"] = Page(RELEASE.encode())
    site.pages["/other"] = Page(other.encode())
    return ONE_SOURCE + ONE_SOURCE.replace('id = "odf"', 'id = "other"').replace("/news", "/other")


def poll_in_order(engine: Engine, config_dir: Path) -> dict[str, PollOutcome]:
    """odf, then other: sources polled together are recorded in the order their fetches end."""
    return {o.source: o for key in ("odf", "other") for o in poll(engine, config_dir, only=key)}


def test_a_source_stating_another_period_for_a_known_decision_raises_one_conflict(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    other = RELEASE.replace("come into force in 15 days", "come into force in 10 days")
    setup(sqlite_engine, config_dir, site, _two_sources(site, other))
    outcomes = poll_in_order(sqlite_engine, config_dir)
    assert [f.outcome for f in outcomes["odf"].found] == ["new"]
    assert [f.outcome for f in outcomes["other"].found] == ["conflict"]
    assert kinds(sqlite_engine).count("conflict") == 1
    with session_scope(sqlite_engine) as session:
        decision = session.scalars(select(Decision)).one()
        assert decision.rule == "kz-criminal-appeal-15d"  # nothing overwritten
        message = session.scalars(select(Event.message).where(Event.kind == "conflict")).one()
        assert "an in-force period of 10d" in message and "counts 15 days" in message


def test_a_source_stating_another_entry_into_force_raises_a_conflict(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    other = RELEASE.replace(
        "The court decision will come into force in 15 days.",
        "The court decision came into force on 25 August 2016.",
    )
    setup(sqlite_engine, config_dir, site, _two_sources(site, other))
    outcomes = poll_in_order(sqlite_engine, config_dir)
    assert [f.outcome for f in outcomes["other"].found] == ["conflict"]
    with session_scope(sqlite_engine) as session:
        message = session.scalars(select(Event.message).where(Event.kind == "conflict")).one()
        assert "entry into force on" in message and "computed as" in message


def test_a_source_stating_the_same_period_is_the_same_decision(
    sqlite_engine: Engine, config_dir: Path, site: Site
) -> None:
    other = RELEASE.replace("ordered the conditional release", "granted the conditional release")
    setup(sqlite_engine, config_dir, site, _two_sources(site, other))
    outcomes = poll_in_order(sqlite_engine, config_dir)
    assert [f.outcome for f in outcomes["other"].found] == ["same"]
    assert "conflict" not in kinds(sqlite_engine)
