"""Polling: fetch due sources, keep evidence, find decisions, track each source's health.

Several sources at once (``PollPolicy.concurrency`` threads, and at most two requests to one
host), each in steps so that no database transaction is ever held open across the network:
1. claim the due sources (``claimed_until``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a
   source is polled by one worker at a time; a claim left by a dead worker expires), and in
   the same short transaction read what their fetches need and the watched cases' terms;
2. fetch the page, parse it, look up which linked articles are new (one short read), fetch
   those, and extract decisions from every text: all outside any transaction, within the
   source's time budget (half the claim's lease: articles left over are fetched at the next
   poll);
3. apply the outcome in one short transaction: snapshots, decisions, events, health, next poll.
   Polls are applied one after the other in the order they finish; those that finished while
   the previous transaction ran are applied together in the next (``_Settler``), and a fetch
   never waits for a database write.
A worker's stop interrupts the fetches in progress; a source so interrupted is given back
untouched, its failure count unchanged.

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
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from queue import Empty, SimpleQueue
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import (
    Engine,
    Row,
    String,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from monitor import events
from monitor.catalog import CalendarExtras
from monitor.db import in_transaction, is_transient, session_scope
from monitor.errors import FetchError
from monitor.models import Case, Snapshot, Source, SourceLink
from monitor.sources.extract import MAX_TEXT, ExtractedDecision, read
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
# How long ``poll_due`` waits for more polls to finish before recording those it has: a
# transaction's own cost (about half a millisecond of CPU) is then shared by several polls,
# and a poll's record is late by at most this.
GATHER_SECONDS = 0.01


@dataclass
class Document:
    """One text to read for decisions: a page, an article, a feed entry."""

    url: str
    text: str
    published: date
    cut: bool = False  # the readable text was longer than the reading budget: cut there


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
    # Sources polled at once by one worker: one slow host delays nobody else.
    concurrency: int = 4

    @property
    def budget(self) -> float:
        """Seconds one source's poll may spend fetching (page and articles): its claim must
        outlive it."""
        return self.lease.total_seconds() / 2


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
    # A claim that expired belonged to a worker that died or got stuck mid-poll: that source
    # is polled again now, not at its next interval.
    abandoned = Source.claimed_until < now
    query = (
        select(Source.id)
        .where(Source.archived_at.is_(None), free)
        .order_by(Source.next_poll_at)
        .limit(limit)
    )
    query = query.where(Source.key == only) if only else query.where(or_(due, abandoned))
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
    content_sha256: str | None = None


def _fetch(
    fetcher: Fetcher,
    view: _SourceView,
    url: str,
    now: datetime,
    conditional: bool,
    deadline: float | None = None,
) -> FetchResult:
    settings = view.settings
    timeout = float(settings.get("timeout", DEFAULT_TIMEOUT))
    if deadline is not None:
        # Never past the poll's budget: the source's claim must outlive the poll.
        timeout = max(min(timeout, deadline - time.monotonic()), 0.001)
    return fetcher.fetch(
        url,
        now,
        etag=view.etag if conditional else None,
        last_modified=view.last_modified if conditional else None,
        timeout=timeout,
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
    return page.text, [Document(result.final_url, page.text, today, page.truncated)], False, ""


def _fresh_links(session: Session, view: _SourceView, found: list[str]) -> list[str]:
    """Linked articles this source has not seen before, in page order, at most a few."""
    if not found:
        return []
    known = set(
        session.scalars(
            select(SourceLink.url).where(SourceLink.source_id == view.id, SourceLink.url.in_(found))
        )
    )
    return [url for url in found if url not in known][:MAX_ARTICLES_PER_POLL]


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
    session: Session,
    source: Source,
    result: FetchResult,
    text: str,
    digest: str,
    now: datetime,
) -> Snapshot:
    snapshot = Snapshot(
        source_id=source.id,
        fetched_at=now,
        http_status=result.status,
        final_url=result.final_url,
        etag=result.etag,
        last_modified=result.last_modified,
        sha256=digest,
        text=text,
        truncated=result.truncated,
    )
    # Not flushed here: the snapshots of a group are inserted together, when the transaction
    # ends or when a decision needs one's id (``_record``).
    session.add(snapshot)
    return snapshot


@dataclass(frozen=True)
class _CaseTerms:
    id: int
    terms: list[str]
    numbers: list[str]


@dataclass
class _Reading:
    """One text read outside any transaction: what it says and which cases it is about."""

    url: str
    published: date
    decisions: list[ExtractedDecision]
    case_ids: list[int]
    cut: bool = False  # only the beginning of the text was read (it was past the budget)


@dataclass
class _Article:
    url: str
    result: FetchResult | None = None
    text: str = ""
    readings: list[_Reading] = field(default_factory=list)


def _read(docs: list[Document], cases: list[_CaseTerms]) -> list[_Reading]:
    """Pure: which watched cases each document mentions, and the decisions it reports."""
    readings = []
    for doc in docs:
        about = [c.id for c in cases if mentions(doc.text, c.terms, c.numbers)]
        if about:
            found = read(doc.text, doc.published)
            readings.append(
                _Reading(doc.url, doc.published, found.decisions, about, doc.cut or found.truncated)
            )
    return readings


def _record(
    session: Session,
    source: Source,
    snapshot: Snapshot,
    readings: list[_Reading],
    calendars: CalendarExtras,
    now: datetime,
) -> list[Found]:
    found: list[Found] = []
    if any(reading.decisions for reading in readings):
        session.flush()  # the decisions' provenance names the snapshot by its id
    for reading in readings:
        for decision in reading.decisions:
            for case_id in reading.case_ids:
                case = session.get(Case, case_id)
                if case is None or case.archived_at is not None:
                    continue
                found.append(
                    record_found(
                        session,
                        case,
                        decision,
                        snapshot=snapshot,
                        source=source,
                        url=reading.url,
                        published=reading.published,
                        calendars=calendars,
                        now=now,
                    )
                )
    return found


@dataclass
class _Fetched:
    """Everything a poll learned from the network, before it touches the database again."""

    result: FetchResult | None = None
    error: FetchError | None = None
    text: str = ""
    readings: list[_Reading] = field(default_factory=list)
    broken: str = ""
    articles: list[_Article] = field(default_factory=list)
    digest: str = ""  # content_hash(text), computed once: hashing 30 KB costs a millisecond


def _gather(
    engine: Engine,
    view: _SourceView,
    cases: list[_CaseTerms],
    fetcher: Fetcher,
    now: datetime,
    deadline: float,
) -> _Fetched:
    """Step 2: the network and the parsing, outside any transaction."""
    out = _Fetched()
    try:
        out.result = result = _fetch(fetcher, view, view.url, now, True, deadline)
    except FetchError as exc:
        out.error = exc
        return out
    if result.not_modified:
        return out
    text, docs, broken, why = _documents(view, result, now)
    if broken:
        out.broken = why
        return out
    out.text = text
    # A page's or a feed's text comes out normalised, unless it was cut at the reading budget.
    out.digest = content_hash(text, normalised=not any(doc.cut for doc in docs))
    if out.digest != view.content_sha256:
        # An unchanged text was read when it was new: extracting it again would find the same.
        out.readings = _read(docs, cases)
    pattern = view.settings.get("link_pattern")
    if view.kind != "html" or not pattern:
        return out
    found = links(result.text, result.final_url, pattern, view.settings.get("selector"))
    fresh = in_transaction(engine, lambda session: _fresh_links(session, view, found), patience=5)
    for url in fresh:
        if time.monotonic() >= deadline or fetcher.aborted:
            break  # left for the next poll: not recorded as seen
        article = _Article(url)
        out.articles.append(article)
        try:
            article.result = _fetch(fetcher, view, url, now, False, deadline)
        except FetchError as exc:
            log.warning("article %s of source %s: %s", url, view.key, exc)
            continue
        page = html_to_text(article.result.text, view.settings.get("article_selector"))
        article.text = normalise(page.text)
        if article.text:
            article.readings = _read(
                [Document(article.result.final_url, article.text, now.date())], cases
            )
    return out


def _apply(
    session: Session,
    source: Source,
    view: _SourceView,
    got: _Fetched,
    calendars: CalendarExtras,
    now: datetime,
    rng: random.Random,
    policy: PollPolicy,
) -> tuple[PollOutcome, Snapshot | None]:
    """Step 3: one short transaction. The snapshot kept, if any, has its id once flushed."""
    source.claimed_by = source.claimed_until = None
    if got.error is not None:
        return _failure(session, source, got.error, now, rng, policy), None
    result = got.result
    assert result is not None
    source.next_poll_at = _next_poll(source, now, rng, policy)
    source.etag, source.last_modified = (
        result.etag or source.etag,
        result.last_modified or source.last_modified,
    )
    if result.not_modified:
        _healthy(session, source, now)
        return PollOutcome(source.key, "not_modified", "304 Not Modified"), None
    if got.broken:
        source.last_checked_at = now
        source.last_error = got.broken
        if source.health != "broken":
            source.health = "broken"
            events.record_event(
                session,
                now,
                events.SOURCE_BROKEN,
                f"source {source.key} ({source.url}) looks broken: {got.broken}. The site may have been redesigned;"
                " check the source's selector or address.",
                source=source,
                case_id=_case_of(session, source),
            )
        return PollOutcome(source.key, "broken", got.broken), None
    _healthy(session, source, now)
    detail = "truncated at the size limit; " if result.truncated else ""
    if result.truncated:
        source.last_error = f"the body was larger than {view.settings.get('max_bytes', DEFAULT_MAX_BYTES)} bytes and was cut off"
    readings = got.readings + [r for a in got.articles for r in a.readings]
    if any(r.cut for r in readings):
        detail += f"only the first {MAX_TEXT:,} characters of a text were read; "
        source.last_error = f"a text was longer than {MAX_TEXT:,} characters: only its beginning was searched for decisions"
    for article in got.articles:
        session.add(
            SourceLink(
                source_id=source.id,
                url=article.url,
                first_seen_at=now,
                fetched_at=now if article.result is not None else None,
            )
        )
    articles = [a for a in got.articles if a.result is not None and a.text]
    digest = got.digest
    if digest == source.content_sha256 and not got.articles:
        return PollOutcome(source.key, "unchanged", detail + "same content"), None
    snapshot = None
    found: list[Found] = []
    if digest != source.content_sha256:
        source.content_sha256 = digest
        snapshot = _snapshot(session, source, result, got.text, digest, now)
        found.extend(_record(session, source, snapshot, got.readings, calendars, now))
    for article in articles:
        assert article.result is not None
        article_snapshot = _snapshot(
            session, source, article.result, article.text, content_hash(article.text), now
        )
        found.extend(_record(session, source, article_snapshot, article.readings, calendars, now))
    outcome = PollOutcome(
        source.key,
        "changed",
        detail + f"{len(got.articles)} new article(s)" if got.articles else detail + "new content",
        found=found,
    )
    return outcome, snapshot


@dataclass
class _Polled:
    source_id: int
    view: _SourceView
    got: _Fetched


def _views(session: Session, ids: list[int]) -> list[_SourceView]:
    """What the fetch step needs of each source, in the order given."""
    rows = {row.id: row for row in session.connection().execute(_FETCH_NEEDS, {"ids": list(ids)})}
    return [
        _SourceView(
            s.id,
            s.key,
            s.kind,
            s.url,
            dict(s.settings),
            s.etag,
            s.last_modified,
            s.content_sha256,
        )
        for s in (rows[i] for i in ids if i in rows)
    ]


_FETCH_NEEDS = select(
    Source.id,
    Source.key,
    Source.kind,
    Source.url,
    Source.settings,
    Source.etag,
    Source.last_modified,
    Source.content_sha256,
).where(Source.id.in_(bindparam("ids", expanding=True)))


def _case_terms(session: Session) -> list[_CaseTerms]:
    rows = session.execute(
        select(Case.id, Case.match_terms, Case.case_numbers).where(Case.archived_at.is_(None))
    )
    return [_CaseTerms(id, list(terms), list(numbers)) for id, terms, numbers in rows]


def _claim(
    engine: Engine,
    now: datetime,
    worker: str,
    limit: int,
    policy: PollPolicy,
    only: str | None = None,
) -> tuple[list[_SourceView], list[_CaseTerms]]:
    """Step 1, and the reading of step 2 for every source claimed, in one short transaction:
    the sources' settings and validators, and the watched cases' terms."""

    def claim(session: Session) -> tuple[list[_SourceView], list[_CaseTerms]]:
        ids = claim_sources(session, now, worker, limit, policy.lease, only)
        if not ids:
            return [], []
        return _views(session, ids), _case_terms(session)

    return in_transaction(engine, claim, patience=5)


def _look(
    view: _SourceView,
    cases: list[_CaseTerms],
    engine: Engine,
    now: datetime,
    fetcher: Fetcher,
    policy: PollPolicy,
) -> _Polled:
    """Step 2 for one source: safe to run for several sources at once."""
    deadline = time.monotonic() + policy.budget
    return _Polled(view.id, view, _gather(engine, view, cases, fetcher, now, deadline))


@dataclass
class _Settling:
    """One finished poll waiting for step 3."""

    polled: _Polled
    now: datetime
    calendars: CalendarExtras
    outcome: PollOutcome | None = None
    error: Exception | None = None


class _Settler:
    """Step 3, one source at a time and in the order the polls finished: two sources that
    report the same decision are recorded one after the other (one new, one same).

    Group commit: the thread that gets the turn applies every poll finished so far, each after
    the other, in one short transaction, and hands each its outcome; a poll still on the
    network is waited for by nobody. When that transaction fails, each poll of the group is
    applied again on its own, so that one source's failure is recorded on that source only."""

    def __init__(
        self, engine: Engine, fetcher: Fetcher, policy: PollPolicy, rng: random.Random
    ) -> None:
        self.engine = engine
        self.fetcher = fetcher
        self.policy = policy
        self.rng = rng
        self._turn = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_Settling] = []

    def settle(self, polled: _Polled, now: datetime, calendars: CalendarExtras) -> PollOutcome:
        mine = _Settling(polled, now, calendars)
        with self._queue_lock:
            self._queue.append(mine)
        with self._turn:
            if mine.outcome is None and mine.error is None:  # still queued
                with self._queue_lock:
                    group, self._queue = self._queue, []
                self.apply_group(group)
        if mine.error is not None:
            raise mine.error
        assert mine.outcome is not None
        return mine.outcome

    def apply_group(self, group: list[_Settling]) -> None:
        """Gives every poll of the group an outcome, or the error that kept it from one."""
        if not group:
            return
        try:
            outcomes = in_transaction(
                self.engine, lambda session: self._apply(session, group), patience=self.patience
            )
        except Exception as exc:
            if len(group) > 1 and not is_transient(exc):
                for one in group:
                    self._apply_alone(one)
            else:
                for one in group:
                    self._fail(one, exc)
            return
        for one, outcome in zip(group, outcomes, strict=True):
            one.outcome = outcome

    def _apply_alone(self, one: _Settling) -> None:
        try:
            [one.outcome] = in_transaction(
                self.engine, lambda session: self._apply(session, [one]), patience=self.patience
            )
        except Exception as exc:  # the loop boundary: record, release, go on with the next
            self._fail(one, exc)

    def _fail(self, one: _Settling, exc: Exception) -> None:
        try:
            one.outcome = _internal_failure(self.engine, one.polled.source_id, one.now, exc)
        except Exception as error:  # the database itself fails: the poll's caller hears it
            one.error = error

    @property
    def patience(self) -> float:
        # A stopping worker only gives claims back: it does not wait long for the database.
        return 1.0 if self.fetcher.aborted else self.policy.budget / 2

    def _apply(self, session: Session, group: list[_Settling]) -> list[PollOutcome]:
        ids = [one.polled.source_id for one in group]
        # Table statements on the session's connection: the ORM's handling of a statement
        # costs more than the statement itself.
        connection = session.connection()
        states = {row.id: row for row in connection.execute(_STATE, {"ids": ids})}
        # Most polls only move their source's state on (see ``_plain``): those are written with
        # one prebuilt statement for the group. The others (an event, a decision, an article,
        # a text cut short) go through the ORM, one source object each.
        plain = {
            one.polled.source_id
            for one in group
            if _plain(one.polled.got, states[one.polled.source_id].health)
        }
        others = [i for i in ids if i not in plain]
        sources = (
            {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(others)))}
            if others
            else {}
        )
        outcomes = []
        kept: list[tuple[PollOutcome, Snapshot]] = []
        settled: list[dict[str, Any]] = []
        taken: list[tuple[PollOutcome, dict[str, Any]]] = []
        for one in group:
            view = one.polled.view
            if self.fetcher.aborted:
                # A stop cut the fetch short: the source is given back as it was, not counted
                # as failing.
                _unclaim(session, view.id)
                outcomes.append(PollOutcome(view.key, "stopped", "the worker is stopping"))
                continue
            if view.id in plain:
                outcome, values, snapshot_row = _settle_plain(
                    states[view.id], one.polled.got, one.now, self.rng, self.policy
                )
                settled.append(values)
                if snapshot_row is not None:
                    taken.append((outcome, snapshot_row))
                outcomes.append(outcome)
                continue
            outcome, snapshot = _apply(
                session,
                sources[view.id],
                view,
                one.polled.got,
                one.calendars,
                one.now,
                self.rng,
                self.policy,
            )
            outcomes.append(outcome)
            if snapshot is not None:
                kept.append((outcome, snapshot))
        if settled:
            connection.execute(_SETTLE, settled)
            if taken:
                snapshot_ids = connection.execute(_KEEP, [row for _, row in taken]).scalars()
                for (outcome, _), snapshot_id in zip(taken, snapshot_ids, strict=True):
                    outcome.snapshot_id = snapshot_id
        session.flush()  # the group's other snapshots in one batch
        for outcome, snapshot in kept:
            outcome.snapshot_id = snapshot.id
        return outcomes


_SOURCE = cast(Table, Source.__table__)
_SNAPSHOT = cast(Table, Snapshot.__table__)
# What settling a poll needs to know of its source, as it is now (not as it was when claimed).
_STATE = select(
    _SOURCE.c.id,
    _SOURCE.c.key,
    _SOURCE.c.health,
    _SOURCE.c.interval_seconds,
    _SOURCE.c.content_sha256,
).where(_SOURCE.c.id.in_(bindparam("ids", expanding=True)))
_INSTANT = _SOURCE.c.last_checked_at.type

# The record of a plain poll (``_plain``): the source given back, healthy, checked now, its
# validators and content hash moved on when the server sent new ones. One statement for the
# group, run once per source with its own values.
_SETTLE = (
    update(_SOURCE)
    .where(_SOURCE.c.id == bindparam("b_id"))
    .values(
        claimed_by=None,
        claimed_until=None,
        next_poll_at=bindparam("b_next", type_=_INSTANT),
        etag=func.coalesce(bindparam("b_etag", type_=String), _SOURCE.c.etag),
        last_modified=func.coalesce(
            bindparam("b_last_modified", type_=String), _SOURCE.c.last_modified
        ),
        content_sha256=func.coalesce(bindparam("b_sha", type_=String), _SOURCE.c.content_sha256),
        health="ok",
        consecutive_failures=0,
        last_error=None,
        last_success_at=bindparam("b_now", type_=_INSTANT),
        last_checked_at=bindparam("b_now", type_=_INSTANT),
    )
)
# The snapshot of a plain poll whose text changed; ids come back in the order of the rows.
_KEEP = insert(_SNAPSHOT).returning(_SNAPSHOT.c.id, sort_by_parameter_order=True)


def _plain(got: _Fetched, health: str) -> bool:
    """A poll whose record is only its source's state: it fetched, the source was not down or
    broken (no event to record), and it found no decision, no article, no text cut short."""
    result = got.result
    return (
        result is not None
        and got.error is None
        and not got.broken
        and not result.truncated
        and not got.articles
        and health not in ("down", "broken")
        and not any(reading.decisions or reading.cut for reading in got.readings)
    )


def _settle_plain(
    state: Row[int, str, str, int, str | None],
    got: _Fetched,
    now: datetime,
    rng: random.Random,
    policy: PollPolicy,
) -> tuple[PollOutcome, dict[str, Any], dict[str, Any] | None]:
    """What ``_apply`` records for a plain poll, as the values of ``_SETTLE`` (and of ``_KEEP``
    when the text changed)."""
    result = got.result
    assert result is not None
    values: dict[str, Any] = {
        "b_id": state.id,
        "b_next": now
        + timedelta(seconds=state.interval_seconds * (1 + policy.jitter * rng.random())),
        "b_etag": result.etag or None,
        "b_last_modified": result.last_modified or None,
        "b_sha": None,
        "b_now": now,
    }
    if result.not_modified:
        return PollOutcome(state.key, "not_modified", "304 Not Modified"), values, None
    if got.digest == state.content_sha256:
        return PollOutcome(state.key, "unchanged", "same content"), values, None
    values["b_sha"] = got.digest
    snapshot = {
        "source_id": state.id,
        "fetched_at": now,
        "http_status": result.status,
        "final_url": result.final_url,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "sha256": got.digest,
        "text": got.text,
        "truncated": False,
    }
    return PollOutcome(state.key, "changed", "new content"), values, snapshot


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
    """Poll one source this worker has claimed."""
    policy = policy or PollPolicy()

    def read(session: Session) -> tuple[_SourceView, list[_CaseTerms]]:
        [view] = _views(session, [source_id])
        return view, _case_terms(session)

    view, cases = in_transaction(engine, read, patience=5)
    return _poll_claimed(
        view,
        cases,
        engine,
        now,
        fetcher,
        calendars,
        _Settler(engine, fetcher, policy, rng or random.Random()),
    )


def _unclaim(session: Session, source_id: int) -> None:
    session.execute(
        update(Source)
        .where(Source.id == source_id)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def _look_safely(
    view: _SourceView,
    cases: list[_CaseTerms],
    engine: Engine,
    now: datetime,
    fetcher: Fetcher,
    policy: PollPolicy,
) -> _Polled | PollOutcome:
    """A poll's step 2, or the outcome of its failing in our own code."""
    try:
        return _look(view, cases, engine, now, fetcher, policy)
    except Exception as exc:  # the loop boundary: record, release, go on with the next
        return _internal_failure(engine, view.id, now, exc)


def _poll_claimed(
    view: _SourceView,
    cases: list[_CaseTerms],
    engine: Engine,
    now: datetime,
    fetcher: Fetcher,
    calendars: CalendarExtras,
    settler: _Settler,
) -> PollOutcome:
    """Look (in parallel with others), then settle (one source at a time, see ``_Settler``)."""
    polled = _look_safely(view, cases, engine, now, fetcher, settler.policy)
    if isinstance(polled, PollOutcome):
        return polled
    return settler.settle(polled, now, calendars)


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
    """Poll the sources that are due (or the one named), several at once, and wait for them
    all (``monitor poll``, ``worker --once``; the running worker uses ``Poller``). A failing
    source never stops the others; a slow one delays nobody else's outcome.

    The pool's threads only fetch and read; this thread applies the polls as they finish, all
    those finished since its last transaction (and in the ``GATHER_SECONDS`` after the first of
    them) in one, so no fetch waits on a database write."""
    policy = policy or PollPolicy()
    rng = rng or random.Random()
    if fetcher.aborted:
        return []
    views, cases = _claim(engine, now, worker, limit, policy, only)
    settler = _Settler(engine, fetcher, policy, rng)
    outcomes: list[PollOutcome | None] = [None] * len(views)
    # A host's sources are handed to the pool no faster than its gate lets them be fetched:
    # one lane per fetch the gate allows at once, each looking at the host's sources one after
    # the other, and giving its thread up after each while another host's lane waits for one
    # (so that many sources of one host delay no other host's). A thread that would only wait
    # for the host's turn would hold a slot another host's sources could use, and would add
    # one more thread taking turns at the GIL.
    queued: dict[str, deque[int]] = {}
    for index, view in enumerate(views):
        queued.setdefault(_host(view.url), deque()).append(index)
    looked: SimpleQueue[tuple[int, _Polled | PollOutcome | BaseException]] = SimpleQueue()
    lanes = [w for w in queued.values() for _ in range(min(fetcher.gate.concurrency, len(w)))]
    lanes_lock = threading.Lock()
    lanes_waiting = len(lanes)  # submitted to the pool, not yet running

    def submit(waiting: deque[int]) -> None:
        nonlocal lanes_waiting
        with lanes_lock:
            lanes_waiting += 1
        pool.submit(lane, waiting)

    def lane(waiting: deque[int]) -> None:
        nonlocal lanes_waiting
        with lanes_lock:
            lanes_waiting -= 1
        while True:
            try:
                index = waiting.popleft()
            except IndexError:  # done, or another lane of the same host took the last one
                return
            try:
                looked.put((index, _look_safely(views[index], cases, engine, now, fetcher, policy)))
            except BaseException as exc:  # raised in the caller's thread, as it arrives
                looked.put((index, exc))
            if waiting and lanes_waiting:
                submit(waiting)
                return

    with ThreadPoolExecutor(max_workers=policy.concurrency, thread_name_prefix="poll") as pool:
        for waiting in lanes:
            pool.submit(lane, waiting)
        left = len(views)
        while left:
            finished = [looked.get()]
            # What else finishes in a moment is recorded in the same transaction: one for
            # several polls costs little more than one for a single poll.
            until = time.monotonic() + GATHER_SECONDS
            while len(finished) < left:
                try:
                    finished.append(looked.get(timeout=max(until - time.monotonic(), 0)))
                except Empty:
                    break
            left -= len(finished)
            group: list[tuple[int, _Settling]] = []
            for index, polled in sorted(finished, key=lambda item: item[0]):
                if isinstance(polled, BaseException):
                    raise polled
                if isinstance(polled, PollOutcome):
                    outcomes[index] = polled
                else:
                    group.append((index, _Settling(polled, now, calendars)))
            settler.apply_group([one for _, one in group])
            for index, one in group:
                if one.error is not None:
                    raise one.error
                outcomes[index] = one.outcome
    assert all(o is not None for o in outcomes)
    return [o for o in outcomes if o is not None]


def _host(url: str) -> str:
    """The host whose gate a source's page is fetched through."""
    return (urlsplit(url).hostname or "").lower()


class Poller:
    """The running worker's polling: at most ``policy.concurrency`` sources in flight, each in
    a thread of its own; a poll run claims only as many due sources as there are free slots,
    so no claim waits in a queue while its lease runs, and returns at once. One slow source
    holds one slot for at most its budget, and delays no other source."""

    def __init__(
        self,
        engine: Engine,
        fetcher: Fetcher,
        *,
        worker: str,
        policy: PollPolicy,
        on_done: Callable[[PollOutcome], None] = lambda outcome: None,
    ) -> None:
        self.engine = engine
        self.fetcher = fetcher
        self.worker = worker
        self.policy = policy
        self.on_done = on_done
        self.pool = ThreadPoolExecutor(policy.concurrency, thread_name_prefix="poll")
        self._busy = 0
        self._lock = threading.Lock()
        self._settler = _Settler(engine, fetcher, policy, random.Random())

    def start_due(self, now: datetime, calendars: CalendarExtras) -> int:
        """Claim due sources for the free slots and start polling them; returns how many."""
        with self._lock:
            free = self.policy.concurrency - self._busy
        if free <= 0 or self.fetcher.aborted:
            return 0
        views, cases = _claim(self.engine, now, self.worker, free, self.policy)
        for view in views:
            with self._lock:
                self._busy += 1
            self.pool.submit(self._run, view, cases, now, calendars)
        return len(views)

    def _run(
        self, view: _SourceView, cases: list[_CaseTerms], now: datetime, calendars: CalendarExtras
    ) -> None:
        try:
            outcome = _poll_claimed(
                view, cases, self.engine, now, self.fetcher, calendars, self._settler
            )
            log.info(
                "polled %s: %s %s",
                outcome.source,
                outcome.status,
                outcome.detail,
                extra={
                    "fields": {
                        "source": outcome.source,
                        "status": outcome.status,
                        "found": len(outcome.found),
                    }
                },
            )
            self.on_done(outcome)
        finally:
            with self._lock:
                self._busy -= 1

    @property
    def busy(self) -> int:
        with self._lock:
            return self._busy


def _internal_failure(engine: Engine, source_id: int, now: datetime, exc: Exception) -> PollOutcome:
    log.exception("polling source %s failed", source_id, exc_info=exc)
    with session_scope(engine) as session:
        source = session.get(Source, source_id)
        assert source is not None
        source.claimed_by = source.claimed_until = None
        source.last_error = f"internal error: {exc}"
        source.next_poll_at = now + timedelta(seconds=source.interval_seconds)
        return PollOutcome(source.key, "failed", f"internal error: {exc}")
