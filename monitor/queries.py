"""The views both faces show: the command line prints them, the web view renders them.

Each view is a dataclass with ``as_dict()``; each function takes the caller's session (and
``today`` or ``now`` where time matters) and never commits.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from monitor.errors import ConfigError, MonitorError, NotFound, UsageError
from monitor.models import (
    NOTIFICATION_STATUSES,
    Case,
    Contact,
    Decision,
    DecisionProvenance,
    Event,
    Notification,
    Snapshot,
    Source,
    Subscription,
)

if TYPE_CHECKING:
    from monitor.catalog import CalendarExtras
    from monitor.settings import Settings
    from monitor.status import HealthReport

# The modules that compose emails and read the config import this one (the calendar feed's
# view); the functions below that need them import them when called.


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------------------------------
# Health.
# ---------------------------------------------------------------------------------------


def status_report(
    engine: Engine, settings: Settings, now: datetime, config_dir: Path | None = None
) -> HealthReport:
    """What `monitor status` prints and exits with, `/healthz` answers and the overview shows.

    It takes the engine, not a session: the health report reads in its own transaction.
    ``config_dir`` is the folder as the user named it (problems cite files under it)."""
    from monitor.catalog import load_catalog
    from monitor.status import health_report

    report = health_report(engine, settings, now)
    # A process that stopped without running a single job is noise, not a worker.
    report.workers = [w for w in report.workers if w["jobs_run"] > 0 or w["state"] == "alive"]
    try:
        load_catalog(config_dir or settings.config_dir, now.date())
    except ConfigError as exc:
        # The worker keeps the last good config; the one on disk will not apply until fixed.
        count = len(exc.problems)
        report.problems.append(
            f"the config on disk is broken ({count} problem{'s' if count != 1 else ''}, the"
            f" first: {exc.problems[0]}): run `monitor config check`"
        )
    return report


# ---------------------------------------------------------------------------------------
# Contacts.
# ---------------------------------------------------------------------------------------


def find_contact(session: Session, key_or_email: str) -> Contact:
    contact = session.scalars(
        select(Contact).where(
            (Contact.key == key_or_email) | (func.lower(Contact.email) == key_or_email.lower())
        )
    ).first()
    if contact is None or contact.archived_at is not None:
        raise NotFound(f"no contact {key_or_email!r} (an id or address from config/contacts.toml)")
    return contact


def is_operator(session: Session, contact_id: int) -> bool:
    """Whether the contact is an operator of some case (and so may log in to the web view)."""
    return (
        session.scalars(
            select(Subscription.id).where(
                Subscription.contact_id == contact_id,
                Subscription.role == "operator",
                Subscription.archived_at.is_(None),
            )
        ).first()
        is not None
    )


def operator_by_email(session: Session, email_address: str) -> Contact | None:
    return session.scalars(
        select(Contact)
        .join(Subscription, Subscription.contact_id == Contact.id)
        .where(
            func.lower(Contact.email) == email_address.strip().lower(),
            Contact.archived_at.is_(None),
            Subscription.role == "operator",
            Subscription.archived_at.is_(None),
        )
    ).first()


# ---------------------------------------------------------------------------------------
# Cases.
# ---------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    key: str
    title: str
    jurisdiction: str
    decisions: int
    archived: bool
    next_kind: str | None
    next_date: date | None
    unsubscribed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "title": self.title,
            "jurisdiction": self.jurisdiction,
            "decisions": self.decisions,
            "archived": self.archived,
            "next_deadline": {"kind": self.next_kind, "date": _iso(self.next_date)}
            if self.next_date
            else None,
            "unsubscribed": self.unsubscribed,
        }


def unsubscribed_by_case(session: Session) -> dict[int, list[str]]:
    """Contact keys that left each case from an email link; config cannot bring them back."""
    found: dict[int, list[str]] = {}
    for case_id, key in session.execute(
        select(Subscription.case_id, Contact.key)
        .join(Contact, Subscription.contact_id == Contact.id)
        .where(Subscription.unsubscribed_at.is_not(None))
        .order_by(Contact.key)
    ):
        if key not in found.setdefault(case_id, []):
            found[case_id].append(key)
    return found


def unsubscribed_notes(session: Session) -> list[str]:
    return [
        f"{contact} unsubscribed from {case} on {at.date().isoformat() if at else '?'} from an email link;"
        " config cannot subscribe them again (ask them to use a new link, or remove the"
        " subscription from config)"
        for contact, case, at in session.execute(
            select(Contact.key, Case.key, Subscription.unsubscribed_at)
            .join(Contact, Subscription.contact_id == Contact.id)
            .join(Case, Subscription.case_id == Case.id)
            .where(Subscription.unsubscribed_at.is_not(None))
            .order_by(Case.key, Contact.key)
        ).all()
    ]


def case_rows(session: Session, today: date, include_archived: bool = False) -> list[CaseRow]:
    query = (
        select(Case)
        .options(selectinload(Case.decisions).selectinload(Decision.deadlines))
        .order_by(Case.key)
    )
    if not include_archived:
        query = query.where(Case.archived_at.is_(None))
    left = unsubscribed_by_case(session)
    rows = []
    for case in session.scalars(query):
        active = [d for d in case.decisions if d.archived_at is None]
        upcoming = [dl for d in active for dl in d.deadlines if dl.due_on >= today]
        nxt = min(upcoming, key=lambda d: d.due_on, default=None)
        rows.append(
            CaseRow(
                key=case.key,
                title=case.title,
                jurisdiction=case.jurisdiction,
                decisions=len(active),
                archived=case.archived_at is not None,
                next_kind=nxt.kind if nxt else None,
                next_date=nxt.due_on if nxt else None,
                unsubscribed=left.get(case.id, []),
            )
        )
    return rows


@dataclass
class DeadlineRow:
    """A deadline across cases, as `deadlines` lists them and the overview shows the next."""

    case: str
    decision: str
    kind: str
    due_on: date
    days_left: int
    uncertain: bool
    appealed_on: date | None
    executed_on: date | None
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "decision": self.decision,
            "kind": self.kind,
            "date": self.due_on.isoformat(),
            "days_left": self.days_left,
            "uncertain": self.uncertain,
            "appealed_on": _iso(self.appealed_on),
            "executed_on": _iso(self.executed_on),
            "explanation": self.explanation,
        }


def deadline_rows(
    session: Session, today: date, start: date, end: date | None = None, limit: int | None = None
) -> list[DeadlineRow]:
    """Deadlines of watched decisions from ``start`` (to ``end``), soonest first."""
    from monitor.decisions import upcoming_deadlines

    return [
        DeadlineRow(
            case=c.key,
            decision=dec.key,
            kind=d.kind,
            due_on=d.due_on,
            days_left=(d.due_on - today).days,
            uncertain=d.uncertain,
            appealed_on=dec.appealed_on,
            executed_on=dec.executed_on,
            explanation=d.explanation,
        )
        for d, dec, c in upcoming_deadlines(session, start, end, limit)
    ]


@dataclass
class DeadlineItem:
    kind: str
    date: date
    explanation: str
    uncertain: bool
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "date": self.date.isoformat()}


@dataclass
class DecisionItem:
    id: int
    key: str
    kind: str
    court: str
    decided_on: date
    rule: str
    origin: str
    quote: str
    source_url: str | None
    appealed_on: date | None
    executed_on: date | None
    deadlines: list[DeadlineItem]
    reported_by: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "kind": self.kind,
            "court": self.court,
            "date": self.decided_on.isoformat(),
            "rule": self.rule,
            "origin": self.origin,
            "quote": self.quote,
            "source_url": self.source_url,
            "appealed_on": _iso(self.appealed_on),
            "executed_on": _iso(self.executed_on),
            "deadlines": [d.as_dict() for d in self.deadlines],
            "reported_by": self.reported_by,
        }


@dataclass
class CaseView:
    key: str
    title: str
    jurisdiction: str
    archived: bool
    decisions: list[DecisionItem]
    subscriptions: list[dict[str, Any]]
    outbox: list[OutboxRow]
    events: list[EventRow]

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.key,
            "title": self.title,
            "jurisdiction": self.jurisdiction,
            "archived": self.archived,
            "decisions": [d.as_dict() for d in self.decisions],
            "subscriptions": self.subscriptions,
            "outbox": [o.as_dict() for o in self.outbox],
            "events": [e.as_dict() for e in self.events],
        }


def find_case(session: Session, key: str) -> Case:
    case = session.scalars(select(Case).where(Case.key == key)).one_or_none()
    if case is None:
        raise NotFound(
            f"no case {key!r} (see `monitor cases`; run `monitor sync` after editing config)"
        )
    return case


def case_view(
    session: Session,
    key: str,
    *,
    limit: int = 50,
    with_activity: bool = True,
    language: str = "en",
    calendars: CalendarExtras | None = None,
    sender: str | None = None,
    now: datetime | None = None,
) -> CaseView:
    """A case as the operators read it; ``with_activity`` adds its outbox rows and events.

    Explanations are in ``language``; ``calendars`` (the config's court closures) let them be
    said again in another language for deadlines computed with closures; ``sender`` and
    ``now`` give its outbox rows their subjects."""
    from monitor.decisions import explanations_in

    case = find_case(session, key)
    decisions = []
    for decision in case.decisions:
        if decision.archived_at is not None:
            continue
        explained = explanations_in(decision, language, calendars)
        reported = [
            {
                "source": source_key,
                "url": p.url,
                "snapshot": p.snapshot_id,
                "seen_at": _iso(p.seen_at),
                "quote": p.quote,
                "reported_date": p.reported_date.isoformat() if p.reported_date else None,
                "reported_period": p.reported_period,
            }
            for p, source_key in session.execute(
                select(DecisionProvenance, Source.key)
                .join(Source, DecisionProvenance.source_id == Source.id)
                .where(DecisionProvenance.decision_id == decision.id)
                .order_by(DecisionProvenance.seen_at)
            )
        ]
        decisions.append(
            DecisionItem(
                id=decision.id,
                key=decision.key,
                kind=decision.kind,
                court=decision.court,
                decided_on=decision.decided_on,
                rule=decision.rule,
                origin=decision.origin,
                quote=decision.quote,
                source_url=decision.source_url,
                appealed_on=decision.appealed_on,
                executed_on=decision.executed_on,
                deadlines=[
                    DeadlineItem(d.kind, d.due_on, explained[d.kind], d.uncertain, d.rule)
                    for d in sorted(decision.deadlines, key=lambda d: (d.due_on, d.kind))
                ],
                reported_by=reported,
            )
        )
    subscriptions = [
        {
            "contact": s.contact.key,
            "name": s.contact.name,
            "role": s.role,
            "archived": s.archived_at is not None,
            "unsubscribed_at": _iso(s.unsubscribed_at),
        }
        for s in sorted(case.subscriptions, key=lambda s: (s.contact.key, s.role))
    ]
    return CaseView(
        key=case.key,
        title=case.title,
        jurisdiction=case.jurisdiction,
        archived=case.archived_at is not None,
        decisions=decisions,
        subscriptions=subscriptions,
        outbox=outbox_view(session, case_key=case.key, limit=limit, sender=sender, now=now).rows
        if with_activity
        else [],
        events=event_rows(session, case_key=case.key, limit=limit) if with_activity else [],
    )


# ---------------------------------------------------------------------------------------
# Outbox and events.
# ---------------------------------------------------------------------------------------


@dataclass
class OutboxRow:
    id: int
    kind: str
    status: str
    to: str
    contact: str
    case: str | None
    due_at: Any
    attempts: int
    next_attempt_at: Any
    last_error: str | None
    message_id: str
    dedup_key: str
    case_label: str | None = None
    subject: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "case": self.case,
            "to": self.to,
            "contact": self.contact,
            "subject": self.subject,
            "due_at": self.due_at.isoformat(),
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "last_error": self.last_error,
            "message_id": self.message_id,
            "dedup_key": self.dedup_key,
        }


@dataclass
class OutboxView:
    rows: list[OutboxRow]
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"notifications": [r.as_dict() for r in self.rows], "counts": self.counts}


def outbox_view(
    session: Session,
    *,
    status: str | None = None,
    case_key: str | None = None,
    contact: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    sender: str | None = None,
    now: datetime | None = None,
) -> OutboxView:
    """The outbox, newest last, with counts by status over the whole outbox.

    ``contact`` is a contact's id or address. With ``sender`` and ``now`` each row carries the
    subject of its email, composed as it went (or will go) out."""
    query = (
        select(Notification, Contact, Case)
        .join(Contact, Notification.contact_id == Contact.id)
        .outerjoin(Case, Notification.case_id == Case.id)
        .order_by(Notification.due_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(Notification.status == status)
    if case_key:
        query = query.where(Case.key == case_key)
    if contact:
        query = query.where(
            (Contact.key == contact) | (func.lower(Contact.email) == contact.lower())
        )
    if kind:
        query = query.where(Notification.kind == kind)
    found = list(reversed(session.execute(query).all()))
    counts = dict(
        session.execute(
            select(Notification.status, func.count()).group_by(Notification.status)
        ).all()
    )
    subjects: dict[int, str] = {}
    if sender is not None and now is not None:
        from monitor.notify.preview import outbox_subject

        subjects = {n.id: outbox_subject(session, n, sender, now) for n, _, _ in found}
    rows = [
        OutboxRow(
            id=n.id,
            kind=n.kind,
            status=n.status,
            to=c.email,
            contact=c.key,
            case=case.key if case else None,
            due_at=n.due_at,
            attempts=n.attempts,
            next_attempt_at=n.next_attempt_at,
            last_error=n.last_error,
            message_id=n.message_id,
            dedup_key=n.dedup_key,
            case_label=(case.label or case.key) if case else None,
            subject=subjects.get(n.id, ""),
        )
        for n, c, case in found
    ]
    return OutboxView(rows, {s: int(counts.get(s, 0)) for s in NOTIFICATION_STATUSES})


@dataclass
class OutboxEmail:
    """One email of the outbox: the file the files backend wrote (``origin`` "file"), or the
    email composed again as it went (or will go) out (``origin`` "composed")."""

    id: int
    status: str
    sent_at: datetime | None
    as_of: datetime
    covers: list[int]
    message: EmailMessage
    origin: str
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        from monitor.notify.preview import readable_email

        return {
            "id": self.id,
            "status": self.status,
            "sent_at": _iso(self.sent_at),
            "as_of": self.as_of.isoformat(),
            "covers": self.covers,
            "origin": self.origin,
            "path": self.path,
            "email": readable_email(self.message),
        }


def outbox_email_view(
    session: Session, row_id: int, sender: str, now: datetime, written_to: Path | None = None
) -> OutboxEmail:
    """A notification's email: the file the files backend wrote to ``written_to``, when it
    is there; else the email composed again, with the rows it groups, for the moment it went
    (or will go) out."""
    from monitor.notify.preview import outbox_email

    row = session.get(Notification, row_id)
    if row is None:
        raise NotFound(f"no notification {row_id} (see `monitor outbox`)")
    as_of = row.sent_at or max(row.due_at, now)
    if written_to is not None:
        digest = hashlib.sha256(row.message_id.encode()).hexdigest()[:16]
        path = written_to / f"{digest}.eml"
        if path.exists():
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            return OutboxEmail(
                row.id, row.status, row.sent_at, as_of, [row.id], message, "file", str(path)
            )
    try:
        composed = outbox_email(session, row, sender, now)
    except MonitorError as exc:
        raise UsageError(f"notification {row_id} cannot be composed again: {exc}") from exc
    return OutboxEmail(
        row.id,
        row.status,
        row.sent_at,
        as_of,
        [r.id for r in composed.rows],
        composed.message,
        "composed",
    )


@dataclass
class EventRow:
    id: int
    at: Any
    kind: str
    case: str | None
    message: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "case": self.case,
            "message": self.message,
            "data": self.data,
        }


def event_rows(session: Session, *, case_key: str | None = None, limit: int = 50) -> list[EventRow]:
    """The audit log, newest last."""
    query = (
        select(Event, Case.key)
        .outerjoin(Case, Event.case_id == Case.id)
        .order_by(Event.id.desc())
        .limit(limit)
    )
    if case_key:
        query = query.where(Case.key == case_key)
    found = list(reversed(session.execute(query).all()))
    return [EventRow(e.id, e.at, e.kind, key, e.message, e.data) for e, key in found]


# ---------------------------------------------------------------------------------------
# Sources and snapshots.
# ---------------------------------------------------------------------------------------


@dataclass
class SourceRow:
    key: str
    kind: str
    url: str
    health: str
    last_success_at: Any
    next_poll_at: Any
    consecutive_failures: int
    last_error: str | None
    snapshots: int
    archived: bool = False
    last_checked_at: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "kind": self.kind,
            "url": self.url,
            "health": self.health,
            "archived": self.archived,
            "last_success_at": _iso(self.last_success_at),
            "last_checked_at": _iso(self.last_checked_at),
            "next_poll_at": _iso(self.next_poll_at),
            "consecutive_failures": self.consecutive_failures,
            "last_error": self.last_error,
            "snapshots": self.snapshots,
        }


def find_source(session: Session, key: str) -> Source:
    source = session.scalars(select(Source).where(Source.key == key)).first()
    if source is None:
        raise NotFound(f"no source {key!r} (see `monitor sources`)")
    return source


def source_rows(session: Session, include_archived: bool = False) -> list[SourceRow]:
    counts = dict(
        session.execute(select(Snapshot.source_id, func.count()).group_by(Snapshot.source_id)).all()
    )
    return [
        SourceRow(
            s.key,
            s.kind,
            s.url,
            s.health,
            s.last_success_at,
            s.next_poll_at,
            s.consecutive_failures,
            s.last_error,
            int(counts.get(s.id, 0)),
            s.archived_at is not None,
            s.last_checked_at,
        )
        for s in session.scalars(
            select(Source).order_by(Source.key)
            if include_archived
            else select(Source).where(Source.archived_at.is_(None)).order_by(Source.key)
        )
    ]


@dataclass
class SnapshotRow:
    id: int
    source: str
    fetched_at: Any
    status: int
    url: str
    sha256: str
    chars: int
    truncated: bool
    cited: bool
    text: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {**asdict(self), "fetched_at": self.fetched_at.isoformat()}
        if self.text is None:
            for detail in ("text", "etag", "last_modified"):
                out.pop(detail)
        return out


def snapshot_rows(session: Session, source_key: str, limit: int = 50) -> list[SnapshotRow]:
    source = find_source(session, source_key)
    snapshots = list(
        session.scalars(
            select(Snapshot)
            .where(Snapshot.source_id == source.id)
            .order_by(Snapshot.fetched_at.desc())
            .limit(limit)
        )
    )
    cited = set(
        session.scalars(
            select(DecisionProvenance.snapshot_id).where(
                DecisionProvenance.snapshot_id.in_([s.id for s in snapshots])
            )
        )
    )
    return [
        SnapshotRow(
            s.id,
            source.key,
            s.fetched_at,
            s.http_status,
            s.final_url,
            s.sha256,
            len(s.text),
            s.truncated,
            s.id in cited,
        )
        for s in snapshots
    ]


def snapshot_view(session: Session, snapshot_id: int) -> SnapshotRow:
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFound(f"no snapshot {snapshot_id} (see `monitor snapshots SOURCE`)")
    source = session.get(Source, snapshot.source_id)
    assert source is not None
    cited = session.scalars(
        select(DecisionProvenance.id).where(DecisionProvenance.snapshot_id == snapshot.id)
    ).first()
    return SnapshotRow(
        snapshot.id,
        source.key,
        snapshot.fetched_at,
        snapshot.http_status,
        snapshot.final_url,
        snapshot.sha256,
        len(snapshot.text),
        snapshot.truncated,
        cited is not None,
        snapshot.text,
        snapshot.etag,
        snapshot.last_modified,
    )


# ---------------------------------------------------------------------------------------
# A contact's own deadlines (the "My deadlines" page and the calendar feed).
# ---------------------------------------------------------------------------------------


@dataclass
class ContactDeadline:
    case_key: str
    case_title: str
    case_label: str
    decision_key: str
    decision_kind: str
    court: str
    kind: str
    due_on: date
    explanation: str
    source_url: str | None
    sequence: int
    cancelled: bool
    appealed_on: date | None
    executed_on: date | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("due_on")
        return {
            **out,
            "date": self.due_on.isoformat(),
            "appealed_on": _iso(self.appealed_on),
            "executed_on": _iso(self.executed_on),
        }


@dataclass
class ContactDeadlines:
    contact_key: str
    name: str
    language: str
    deadlines: list[ContactDeadline]

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact": self.contact_key,
            "deadlines": [d.as_dict() for d in self.deadlines],
        }


def contact_deadlines(session: Session, contact_id: int) -> ContactDeadlines:
    """Every deadline of the contact's subscribed cases; those that will not happen (decision
    appealed, or no longer watched) are marked cancelled rather than left out, so that a
    calendar removes them."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise UsageError(f"no contact {contact_id}")
    subs = session.scalars(
        select(Subscription).where(
            Subscription.contact_id == contact.id, Subscription.unsubscribed_at.is_(None)
        )
    )
    cases: dict[int, tuple[Case, bool]] = {}
    for sub in subs:
        active = sub.archived_at is None and sub.case.archived_at is None
        previous = cases.get(sub.case_id)
        cases[sub.case_id] = (sub.case, active or (previous[1] if previous else False))
    items = []
    for case, active in sorted(cases.values(), key=lambda pair: pair[0].key):
        for decision in case.decisions:
            for deadline in decision.deadlines:
                gone = not active or decision.archived_at is not None
                appealed = decision.appealed_on is not None and deadline.kind != "appeal_until"
                items.append(
                    ContactDeadline(
                        case_key=case.key,
                        case_title=case.title,
                        case_label=case.label or case.key,
                        decision_key=decision.key,
                        decision_kind=decision.kind,
                        court=decision.court,
                        kind=deadline.kind,
                        due_on=deadline.due_on,
                        explanation=deadline.explanation,
                        source_url=decision.source_url,
                        # As in the email attachments, a recomputed date raises the sequence;
                        # so does any change of the decision (an appeal cancels its dates).
                        sequence=int(max(deadline.computed_at, decision.updated_at).timestamp())
                        // 60,
                        cancelled=gone or appealed,
                        appealed_on=decision.appealed_on,
                        executed_on=decision.executed_on,
                    )
                )
    items.sort(key=lambda d: (d.due_on, d.case_key, d.kind))
    return ContactDeadlines(contact.key, contact.name, contact.language, items)
