"""Polling: fetch due sources, keep evidence, find decisions, track each source's health.

One source at a time, in three steps so that no database transaction is held open while the
network is slow:
1. claim the due sources (``claimed_until``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a
   source is polled by one worker at a time; a claim left by a dead worker expires);
2. fetch, outside any transaction;
3. apply the outcome in one transaction: snapshot, decisions, events, health, next poll.

Change is decided by a hash of the normalised text, not by HTTP validators (many sites send
wrong ones); an unchanged fetch only moves the source's last-checked time.

Health: consecutive failures are counted; after ``down_after`` of them one "source down"
event, and one "source recovered" when a poll succeeds again; nothing in between. A selector
that suddenly matches nothing, or a feed that is suddenly empty, makes the source "broken" (one
event): a redesigned court site must not look like a quiet one.

Catch-up: a source overdue because no worker ran is polled once on start, not once per
missed interval.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from monitor import events
from monitor.catalog import CalendarExtras
from monitor.db import session_scope
from monitor.errors import FetchError
from monitor.models import Case, Snapshot, Source, SourceLink
from monitor.sources.extract import extract
from monitor.sources.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Fetcher, FetchResult
from monitor.sources.match import mentions
from monitor.sources.parse import (
    JsonPathError,
    content_hash,
    entries_text,
    html_to_text,
    links,
    normalise,
    parse_feed,
    parse_json,
)
from monitor.sources.record import Found, record_found

log = logging.getLogger(__name__)

MAX_ARTICLES_PER_POLL = 10
FAILURE_BACKOFF_BASE = timedelta(minutes=1)


@dataclass
class Document:
    """One text to read for decisions: a page, an article, a feed entry."""

    url: str
    text: str
    published: date


@dataclass
class PollOutcome:
    source: str
    status: str  # changed, unchanged, not_modified, failed, broken
    detail: str = ""
    snapshot_id: int | None = None
    found: list[Found] = field(default_factory=list)


@dataclass(frozen=True)
class PollPolicy:
    down_after: int = 3
    lease: timedelta = timedelta(minutes=10)
    jitter: float = 0.1


def claim_sources(
    session: Session,
    now: datetime,
    worker: str,
    limit: int,
    lease: timedelta,
    only: str | None = None,
) -> list[int]:
    due = or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now)
    free = or_(Source.claimed_until.is_(None), Source.claimed_until < now)
    query = (
        select(Source.id)
        .where(Source.archived_at.is_(None), free)
        .order_by(Source.next_poll_at)
        .limit(limit)
    )
    query = query.where(Source.key == only) if only else query.where(due)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(Source)
            .where(Source.id.in_(ids), free)
            .values(claimed_by=worker, claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return list(
        session.scalars(select(Source.id).where(Source.id.in_(ids), Source.claimed_by == worker))
    )


@dataclass(frozen=True)
class _SourceView:
    """What the fetch step needs, read before the network is touched."""

    id: int
    key: str
    kind: str
    url: str
    settings: dict[str, Any]
    etag: str | None
    last_modified: str | None


def _fetch(
    fetcher: Fetcher, view: _SourceView, url: str, now: datetime, conditional: bool
) -> FetchResult:
    settings = view.settings
    return fetcher.fetch(
        url,
        now,
        etag=view.etag if conditional else None,
        last_modified=view.last_modified if conditional else None,
        timeout=float(settings.get("timeout", DEFAULT_TIMEOUT)),
        max_bytes=int(settings.get("max_bytes", DEFAULT_MAX_BYTES)),
        allow_private=bool(settings.get("allow_private_addresses", False)),
    )


def _documents(
    view: _SourceView, result: FetchResult, now: datetime
) -> tuple[str, list[Document], bool, str]:
    """(text to hash and keep, documents to read, broken?, why broken)."""
    settings = view.settings
    today = now.date()
    if view.kind == "feed":
        entries = parse_feed(result.body)
        docs = [
            Document(
                e.link or result.final_url, e.text, e.published.date() if e.published else today
            )
            for e in entries
        ]
        return entries_text(entries), docs, not entries, "the feed has no entries"
    if view.kind == "json":
        try:
            entries = parse_json(result.body, settings.get("json_path"))
        except JsonPathError as exc:
            return "", [], True, str(exc)
        docs = [
            Document(
                e.link or result.final_url, e.text, e.published.date() if e.published else today
            )
            for e in entries
        ]
        return entries_text(entries), docs, not entries, "the JSON path leads to no items"
    page = html_to_text(result.text, settings.get("selector"))
    if not page.matched:
        return (
            "",
            [],
            True,
            f"the selector {settings.get('selector')!r} matches nothing on the page",
        )
    if not page.text:
        return "", [], True, "the page has no readable text"
    return page.text, [Document(result.final_url, page.text, today)], False, ""


def _new_links(
    session: Session, view: _SourceView, result: FetchResult, now: datetime
) -> list[str]:
    pattern = view.settings.get("link_pattern")
    if view.kind != "html" or not pattern:
        return []
    found = links(result.text, result.final_url, pattern, view.settings.get("selector"))
    known = set(
        session.scalars(
            select(SourceLink.url).where(SourceLink.source_id == view.id, SourceLink.url.in_(found))
        )
    )
    fresh = [url for url in found if url not in known][:MAX_ARTICLES_PER_POLL]
    for url in fresh:
        session.add(SourceLink(source_id=view.id, url=url, first_seen_at=now))
    return fresh


def _next_poll(source: Source, now: datetime, rng: random.Random, policy: PollPolicy) -> datetime:
    return now + timedelta(seconds=source.interval_seconds * (1 + policy.jitter * rng.random()))


def _failure(
    session: Session,
    source: Source,
    error: FetchError,
    now: datetime,
    rng: random.Random,
    policy: PollPolicy,
) -> PollOutcome:
    source.consecutive_failures += 1
    source.last_error = str(error)
    source.last_checked_at = now
    backoff = min(
        FAILURE_BACKOFF_BASE * 2 ** (source.consecutive_failures - 1),
        timedelta(seconds=source.interval_seconds),
    )
    wait = max(backoff, timedelta(seconds=error.retry_after or 0))
    source.next_poll_at = now + wait * (1 + policy.jitter * rng.random())
    if source.consecutive_failures >= policy.down_after and source.health != "down":
        source.health = "down"
        events.record_event(
            session,
            now,
            events.SOURCE_DOWN,
            f"source {source.key} ({source.url}) failed {source.consecutive_failures} times in a row; last error: {error}",
            source=source,
            case_id=_case_of(session, source),
        )
    return PollOutcome(source.key, "failed", str(error))


def _case_of(session: Session, source: Source) -> int | None:
    case_key = source.settings.get("case")
    if not case_key:
        return None
    return session.scalars(select(Case.id).where(Case.key == case_key)).first()


def _healthy(session: Session, source: Source, now: datetime) -> None:
    if source.health in ("down", "broken"):
        events.record_event(
            session,
            now,
            events.SOURCE_RECOVERED,
            f"source {source.key} ({source.url}) works again after {source.health}",
            source=source,
            case_id=_case_of(session, source),
        )
    source.health = "ok"
    source.consecutive_failures = 0
    source.last_error = None
    source.last_success_at = now
    source.last_checked_at = now


def _snapshot(
    session: Session, source: Source, result: FetchResult, text: str, now: datetime
) -> Snapshot:
    snapshot = Snapshot(
        source_id=source.id,
        fetched_at=now,
        http_status=result.status,
        final_url=result.final_url,
        etag=result.etag,
        last_modified=result.last_modified,
        sha256=content_hash(text),
        text=text,
        truncated=result.truncated,
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def _read_documents(
    session: Session,
    source: Source,
    snapshot: Snapshot,
    docs: list[Document],
    calendars: CalendarExtras,
    now: datetime,
) -> list[Found]:
    cases = list(session.scalars(select(Case).where(Case.archived_at.is_(None))))
    found: list[Found] = []
    for doc in docs:
        about = [c for c in cases if mentions(doc.text, list(c.match_terms), list(c.case_numbers))]
        if not about:
            continue
        for decision in extract(doc.text, doc.published):
            for case in about:
                found.append(
                    record_found(
                        session,
                        case,
                        decision,
                        snapshot=snapshot,
                        source=source,
                        url=doc.url,
                        published=doc.published,
                        calendars=calendars,
                        now=now,
                    )
                )
    return found


def poll_one(
    engine: Engine,
    source_id: int,
    now: datetime,
    fetcher: Fetcher,
    calendars: CalendarExtras,
    *,
    policy: PollPolicy | None = None,
    rng: random.Random | None = None,
) -> PollOutcome:
    policy = policy or PollPolicy()
    rng = rng or random.Random()
    with session_scope(engine) as session:
        source = session.get(Source, source_id)
        assert source is not None
        view = _SourceView(
            source.id,
            source.key,
            source.kind,
            source.url,
            dict(source.settings),
            source.etag,
            source.last_modified,
        )
    try:
        result = _fetch(fetcher, view, view.url, now, conditional=True)
        error: FetchError | None = None
    except FetchError as exc:
        error = exc
    with session_scope(engine) as session:
        source = session.get(Source, source_id)
        assert source is not None
        source.claimed_by = source.claimed_until = None
        if error is not None:
            return _failure(session, source, error, now, rng, policy)
        source.next_poll_at = _next_poll(source, now, rng, policy)
        source.etag, source.last_modified = (
            result.etag or source.etag,
            result.last_modified or source.last_modified,
        )
        if result.not_modified:
            _healthy(session, source, now)
            return PollOutcome(source.key, "not_modified", "304 Not Modified")
        text, docs, broken, why = _documents(view, result, now)
        if broken:
            source.last_checked_at = now
            source.last_error = why
            if source.health != "broken":
                source.health = "broken"
                events.record_event(
                    session,
                    now,
                    events.SOURCE_BROKEN,
                    f"source {source.key} ({source.url}) looks broken: {why}. The site may have been redesigned;"
                    " check the source's selector or address.",
                    source=source,
                    case_id=_case_of(session, source),
                )
            return PollOutcome(source.key, "broken", why)
        _healthy(session, source, now)
        detail = "truncated at the size limit; " if result.truncated else ""
        if result.truncated:
            source.last_error = f"the body was larger than {view.settings.get('max_bytes', DEFAULT_MAX_BYTES)} bytes and was cut off"
        articles = _new_links(session, view, result, now)
        digest = content_hash(text)
        if digest == source.content_sha256 and not articles:
            return PollOutcome(source.key, "unchanged", detail + "same content")
        snapshot = None
        found: list[Found] = []
        if digest != source.content_sha256:
            source.content_sha256 = digest
            snapshot = _snapshot(session, source, result, text, now)
            found.extend(_read_documents(session, source, snapshot, docs, calendars, now))
        for url in articles:
            found.extend(_article(session, fetcher, view, source, url, calendars, now))
        return PollOutcome(
            source.key,
            "changed",
            detail + f"{len(articles)} new article(s)" if articles else detail + "new content",
            snapshot.id if snapshot else None,
            found,
        )


def _article(
    session: Session,
    fetcher: Fetcher,
    view: _SourceView,
    source: Source,
    url: str,
    calendars: CalendarExtras,
    now: datetime,
) -> list[Found]:
    """An article linked from a news list: fetched once, kept as its own snapshot, read."""
    try:
        result = _fetch(fetcher, view, url, now, conditional=False)
    except FetchError as exc:
        log.warning("article %s of source %s: %s", url, source.key, exc)
        return []
    page = html_to_text(result.text, view.settings.get("article_selector"))
    text = normalise(page.text)
    if not text:
        return []
    snapshot = _snapshot(session, source, result, text, now)
    link = session.scalars(
        select(SourceLink).where(SourceLink.source_id == source.id, SourceLink.url == url)
    ).first()
    if link is not None:
        link.fetched_at = now
    return _read_documents(
        session, source, snapshot, [Document(result.final_url, text, now.date())], calendars, now
    )


def poll_due(
    engine: Engine,
    now: datetime,
    fetcher: Fetcher,
    calendars: CalendarExtras,
    *,
    worker: str,
    limit: int = 20,
    only: str | None = None,
    policy: PollPolicy | None = None,
    rng: random.Random | None = None,
) -> list[PollOutcome]:
    """Poll the sources that are due (or the one named). A failing source never stops the others."""
    policy = policy or PollPolicy()
    with session_scope(engine) as session:
        ids = claim_sources(session, now, worker, limit, policy.lease, only)
    outcomes = []
    for source_id in ids:
        try:
            outcomes.append(
                poll_one(engine, source_id, now, fetcher, calendars, policy=policy, rng=rng)
            )
        except Exception as exc:  # the loop boundary: record, release, go on with the next source
            log.exception("polling source %s failed", source_id)
            with session_scope(engine) as session:
                source = session.get(Source, source_id)
                if source is not None:
                    source.claimed_by = source.claimed_until = None
                    source.last_error = f"internal error: {exc}"
                    source.next_poll_at = now + timedelta(seconds=source.interval_seconds)
                    outcomes.append(PollOutcome(source.key, "failed", f"internal error: {exc}"))
    return outcomes
