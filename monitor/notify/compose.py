"""Composing: outbox rows (and the rows they point to) into email messages.

The dispatcher and ``monitor preview`` both come through here, so a preview shows exactly
what would be sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from monitor import links
from monitor.deadlines.reminders import OPERATOR
from monitor.decisions import explanations_in
from monitor.events import (
    DEADLINE_ACKNOWLEDGED,
    DEADLINE_MOVED,
    DECISION_FOUND,
    FACT_RECORDED,
    RECORDED_FROM_EMAIL,
    UNSUBSCRIBED,
)
from monitor.models import (
    Case,
    Contact,
    Deadline,
    Decision,
    Event,
    Notification,
    Source,
    Subscription,
)
from monitor.notify.i18n import translator, when_words
from monitor.notify.mime import Built
from monitor.notify.render import (
    Rendered,
    build_message,
    build_raw,
    calendar_uid,
    deadline_ics,
    is_web_url,
    render,
)

ALERT = "alert"
DIGEST = "digest"
# A reminder sent more than this after its due time says so in its subject.
LATE_AFTER = timedelta(hours=1)


@dataclass
class Email:
    """One email to send, and the outbox rows it covers (several for alerts and digests)."""

    rows: list[Notification]
    contact: Contact
    built: Built
    rendered: Rendered

    @property
    def message_id(self) -> str:
        return self.rows[0].message_id

    @property
    def message(self) -> EmailMessage:
        """The email parsed back from the bytes that are sent (for previews and tests)."""
        return self.built.message


def _cached(session: Session, key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
    """Per-session memo: a dispatch batch composes many emails for the same cases and contacts,
    and a session is one batch, so what it read once it need not read again."""
    memo: dict[tuple[Any, ...], Any] = session.info.setdefault("compose_memo", {})
    if key not in memo:
        memo[key] = load()
    return memo[key]


def operators_of(session: Session, case_id: int | None) -> list[str]:
    """ "Name <email>" of the operators of a case (or of every case when there is none)."""
    return [f"{name} <{email}>" for name, email in operator_addresses(session, case_id)]


def operator_addresses(session: Session, case_id: int | None) -> list[tuple[str, str]]:
    """(name, email) of the operators of a case (or of every case when there is none)."""
    return list(_cached(session, ("operators", case_id), lambda: _load_operators(session, case_id)))


def _others(addresses: Sequence[tuple[str, str]], contact: Contact) -> list[tuple[str, str]]:
    # An operator reading her own alert is not told to write to herself.
    return [(name, email) for name, email in addresses if email.lower() != contact.email.lower()]


def _load_operators(session: Session, case_id: int | None) -> list[tuple[str, str]]:
    query = (
        select(Contact)
        .join(Subscription, Subscription.contact_id == Contact.id)
        .where(
            Subscription.role == OPERATOR,
            Subscription.archived_at.is_(None),
            Contact.archived_at.is_(None),
        )
        .order_by(Contact.key)
        .distinct()
    )
    if case_id is not None:
        query = query.where(Subscription.case_id == case_id)
    return [(c.name, c.email) for c in session.scalars(query)]


def prime(session: Session, rows: Sequence[Notification]) -> None:
    """Read what composing ``rows`` needs in a few queries for the whole batch (decisions with
    their cases and deadlines, contacts, each case's operators, each reader's roles), instead
    of a few queries per email. Composing reads the same things either way."""
    decision_ids = {r.decision_id for r in rows if r.decision_id is not None}
    contact_ids = {r.contact_id for r in rows}
    case_ids = {r.case_id for r in rows if r.case_id is not None}
    memo: dict[tuple[Any, ...], Any] = session.info.setdefault("compose_memo", {})
    # Held here: the session's identity map keeps objects only while someone refers to them.
    held: list[Any] = memo.setdefault(("primed",), [])
    if decision_ids:
        held.extend(
            session.scalars(
                select(Decision)
                .where(Decision.id.in_(decision_ids))
                .options(joinedload(Decision.case), selectinload(Decision.deadlines))
            ).unique()
        )
    held.extend(session.scalars(select(Contact).where(Contact.id.in_(contact_ids))))
    if not case_ids:
        return
    operators: dict[int, list[tuple[str, str]]] = {case_id: [] for case_id in case_ids}
    found = session.execute(
        select(Subscription.case_id, Contact.key, Contact.name, Contact.email)
        .join(Contact, Subscription.contact_id == Contact.id)
        .where(
            Subscription.case_id.in_(case_ids),
            Subscription.role == OPERATOR,
            Subscription.archived_at.is_(None),
            Contact.archived_at.is_(None),
        )
        .order_by(Contact.key)
        .distinct()
    )
    for case_id, _key, name, email in found:
        operators[case_id].append((name, email))
    for case_id, addresses in operators.items():
        memo.setdefault(("operators", case_id), addresses)
    roles: dict[tuple[int, int], set[str]] = {(c, k): set() for c in contact_ids for k in case_ids}
    for contact_id, case_id, role in session.execute(
        select(Subscription.contact_id, Subscription.case_id, Subscription.role).where(
            Subscription.case_id.in_(case_ids), Subscription.contact_id.in_(contact_ids)
        )
    ):
        roles[(contact_id, case_id)].add(role)
    for (contact_id, case_id), their_roles in roles.items():
        memo.setdefault(("roles", contact_id, case_id), their_roles)


def _role(session: Session, contact: Contact, case_id: int | None, kind: str) -> str:
    if case_id is None:
        return OPERATOR
    roles: set[str] = _cached(
        session,
        ("roles", contact.id, case_id),
        lambda: set(
            session.scalars(
                select(Subscription.role).where(
                    Subscription.contact_id == contact.id, Subscription.case_id == case_id
                )
            )
        ),
    )
    wanted = (
        "escalation" if kind == "execution_escalation" else ("advocate" if kind != ALERT else None)
    )
    if wanted in roles:
        return wanted
    return sorted(roles)[0] if roles else OPERATOR


def _local(instant: datetime, contact: Contact) -> str:
    """``2016-08-13 09:00 Europe/Warsaw``: a time as the reader's own clock shows it."""
    return f"{instant.astimezone(ZoneInfo(contact.timezone)):%Y-%m-%d %H:%M} {contact.timezone}"


def late_reason(row: Notification) -> str:
    """Why an email goes out after its time: planned after it (the decision, the subscription
    or the case came late), delivery was retried, or no worker ran at the time."""
    if row.created_at > row.due_at:
        return "added"
    if row.attempts > 0:
        return "retried"
    return "down"


@dataclass(frozen=True)
class _DeadlineFacts:
    """What every reminder about one deadline says in one language: read and worded once per
    batch, however many contacts and reminders it has."""

    decision: Decision
    deadline: Deadline
    explained: str
    ics: bytes | None


def _deadline_facts(
    session: Session, row: Notification, language: str, has_ics: bool, now: datetime
) -> _DeadlineFacts:
    def load() -> _DeadlineFacts:
        decision = session.get(Decision, row.decision_id)
        assert decision is not None and row.deadline_kind is not None
        deadline = next(d for d in decision.deadlines if d.kind == row.deadline_kind)
        explained = explanations_in(decision, language)[deadline.kind]
        ics = _ics(decision, deadline, explained, language, now) if has_ics else None
        return _DeadlineFacts(decision, deadline, explained, ics)

    key = ("deadline", row.decision_id, row.deadline_kind, language, has_ics, now)
    facts: _DeadlineFacts = _cached(session, key, load)
    return facts


def reminder_context(
    session: Session, row: Notification, contact: Contact, now: datetime
) -> tuple[dict[str, Any], _DeadlineFacts]:
    has_ics = row.kind != "execution_escalation"
    facts = _deadline_facts(session, row, contact.language, has_ics, now)
    decision, deadline, explained = facts.decision, facts.deadline, facts.explained
    case = decision.case
    late = now - row.due_at > LATE_AFTER
    # A late reminder counts its days from the day it is actually sent.
    today = now.astimezone(ZoneInfo(contact.timezone)).date()
    offset = (deadline.due_on - today).days if late else int(row.offset_days or 0)
    others = _others(operator_addresses(session, case.id), contact)
    context = {
        "language": contact.language,
        "contact_name": contact.name,
        "role": _role(session, contact, case.id, row.kind),
        "footer_case": case.title,
        "operators": [f"{n} <{e}>" for n, e in others],
        "reply_to": others,
        "offset": offset,
        "when": when_words(max(offset, 0), contact.language),
        "late_due": _local(row.due_at, contact) if late else None,
        "late_reason": late_reason(row),
        "has_ics": has_ics,
        "case": {"key": case.key, "title": case.title, "label": case.label or case.key},
        "decision": {
            "kind": decision.kind,
            "court": decision.court,
            "decided_on": decision.decided_on,
            "quote": decision.quote,
            "source_url": decision.source_url,
        },
        "deadline": {
            "kind": deadline.kind,
            "date": deadline.due_on,
            "explanation": explained,
            "in_language": contact.language == "en" or explained != deadline.explanation,
            "uncertain": deadline.uncertain,
        },
    }
    return context, facts


def _ics(
    decision: Decision, deadline: Deadline, explained: str, language: str, now: datetime
) -> bytes:
    t = translator(language)
    case = decision.case
    return deadline_ics(
        uid=calendar_uid(case.key, decision.key, deadline.kind),
        day=deadline.due_on,
        summary=t(f"ics.summary.{deadline.kind}", label=case.label or case.key),
        description=f"{case.title}\n{decision.court}\n\n{explained}",
        url=decision.source_url if is_web_url(decision.source_url) else None,
        stamp=now,
        # Recomputed later (a moved date) means a higher sequence: calendars update the entry.
        sequence=int(deadline.computed_at.timestamp()) // 60,
    )


def compose_reminder(
    session: Session, row: Notification, contact: Contact, sender: str, now: datetime
) -> Email:
    context, facts = reminder_context(session, row, contact, now)
    decision, deadline = facts.decision, facts.deadline
    answers = links.for_email(
        contact.id,
        contact.language,
        row.kind,
        now,
        case_id=decision.case_id,
        decision=decision,
        deadline_kind=deadline.kind,
        calendar_generation=contact.calendar_generation,
    )
    if answers:
        context["actions"] = answers.as_context()
    rendered = render(row.kind, context)
    ics = facts.ics
    message = build_raw(
        rendered,
        sender=sender,
        to_name=contact.name,
        to_email=contact.email,
        message_id=row.message_id,
        date_header=now,
        ics=ics,
        ics_name=f"{decision.case.key}-{deadline.kind}.ics",
        extra_headers=answers.headers() if answers else None,
        reply_to=context["reply_to"],
    )
    return Email([row], contact, message, rendered)


def _is_operator(session: Session, contact: Contact, case_id: int | None) -> bool:
    if case_id is None:
        return True
    roles = session.scalars(
        select(Subscription.role).where(
            Subscription.contact_id == contact.id, Subscription.case_id == case_id
        )
    )
    return OPERATOR in set(roles)


def alert_item(
    session: Session, event: Event, contact: Contact, t: Callable[..., str]
) -> dict[str, Any]:
    """One alert in words for its reader: what happened, the decision and every deadline with
    its explanation, the source and quote, what to do. Ids and config keys only for operators."""
    language = contact.language
    case = session.get(Case, event.case_id) if event.case_id else None
    decision = session.get(Decision, event.decision_id) if event.decision_id else None
    source = session.get(Source, event.source_id) if event.source_id else None
    title = case.title if case else ""
    facts: dict[str, Any] = {"title": title, "url": source.url if source else ""}
    if decision is not None:
        facts.update(
            kind=t(f"kind.{decision.kind}"), court=decision.court, date=decision.decided_on
        )
    else:
        facts.update(kind="", court="", date="")
    kind = event.kind
    if kind == DEADLINE_MOVED:
        old, new = event.data.get("old"), event.data.get("new")
        change_key = "what.moved" if old and new else ("what.added" if new else "what.removed")
        facts["deadline"] = t(f"deadline.{event.data.get('deadline', 'in_force')}")
        facts["change"] = t(
            change_key,
            old=date.fromisoformat(old) if old else "",
            new=date.fromisoformat(new) if new else "",
        )
    if kind in (FACT_RECORDED, RECORDED_FROM_EMAIL):
        facts["fact"] = t(f"fact.{event.data.get('fact', 'executed')}")
        day = event.data.get("date")
        facts["day"] = date.fromisoformat(day) if day else ""
    if kind in (RECORDED_FROM_EMAIL, DEADLINE_ACKNOWLEDGED, UNSUBSCRIBED):
        who = event.data.get("by") or event.data.get("contact") or ""
        named = session.scalars(select(Contact.name).where(Contact.key == who)).first()
        facts["who"] = named or who
        deadline = event.data.get("deadline")
        facts["deadline"] = t(f"deadline.{deadline}") if deadline else ""
    known = f"what.{kind}" in _WHAT_KINDS
    deadlines = []
    if decision is not None:
        explained = explanations_in(decision, language)
        deadlines = [
            {
                "kind": d.kind,
                "date": d.due_on,
                "uncertain": d.uncertain,
                "explanation": explained[d.kind],
            }
            for d in sorted(decision.deadlines, key=lambda d: (d.due_on, d.kind))
        ]
    source_url = (decision.source_url if decision else None) or (source.url if source else None)
    return {
        "at": _local(event.at, contact),
        "label": (case.label or case.key) if case else "",
        "title": t(f"alert.{kind}"),
        "what": t(f"what.{kind}" if known else "what.other", **facts),
        "decision": None
        if decision is None
        else {
            "kind": decision.kind,
            "court": decision.court,
            "decided_on": decision.decided_on,
        },
        "deadlines": deadlines,
        "source_url": source_url,
        "quote": decision.quote if decision else "",
        "todo": t(f"do.{kind}" if known else "do.other"),
        # The log line names sources and rows by their ids: for operators only.
        "details": event.message if _is_operator(session, contact, event.case_id) else None,
        # Kept for readers of the old shape (digest-like lists, tests).
        "message": event.message,
    }


_WHAT_KINDS = {
    f"what.{kind}"
    for kind in (
        "decision_found",
        "decision_changed",
        "deadline_moved",
        "conflict",
        "source_down",
        "source_recovered",
        "source_broken",
        "delivery_failed",
        "reminders_skipped",
        "fact_recorded",
        "config_broken",
        "recorded_from_email",
        "deadline_acknowledged",
        "unsubscribed",
    )
}


def compose_alerts(
    session: Session, rows: Sequence[Notification], contact: Contact, sender: str, now: datetime
) -> Email:
    t = translator(contact.language)
    items = []
    calendars: list[tuple[bytes, str]] = []
    case_ids: set[int | None] = set()
    for row in rows:
        event = session.get(Event, row.payload.get("event_id"))
        if event is None:
            continue
        if event.kind == DECISION_FOUND and event.decision_id is not None:
            # A new decision's entry into force goes straight into the reader's calendar.
            found = session.get(Decision, event.decision_id)
            in_force = (
                next((d for d in found.deadlines if d.kind == "in_force"), None) if found else None
            )
            if found is not None and in_force is not None:
                calendars.append(
                    (
                        _ics(
                            found,
                            in_force,
                            explanations_in(found, contact.language)["in_force"],
                            contact.language,
                            now,
                        ),
                        f"{found.case.key}-{found.key}.ics",
                    )
                )
        case_ids.add(event.case_id)
        items.append(alert_item(session, event, contact, t))
    return _grouped(
        session, rows, contact, sender, now, "alerts", ALERT, case_ids, {"items": items}, calendars
    )


def compose_digest(
    session: Session, rows: Sequence[Notification], contact: Contact, sender: str, now: datetime
) -> Email:
    items = []
    case_ids: set[int | None] = set()
    for row in rows:
        context, facts = reminder_context(session, row, contact, now)
        case_ids.add(facts.decision.case_id)
        single = render(row.kind, context)
        headline = single.text.split("\n\n")[1].strip()
        items.append(
            {
                "subject": single.subject,
                "headline": headline,
                "explanation": context["deadline"]["explanation"],
            }
        )
    extra = {"items": items, "day": now.astimezone(ZoneInfo(contact.timezone)).date()}
    return _grouped(
        session, rows, contact, sender, now, DIGEST, "in_force_reminder", case_ids, extra
    )


def _grouped(
    session: Session,
    rows: Sequence[Notification],
    contact: Contact,
    sender: str,
    now: datetime,
    template: str,
    role_kind: str,
    case_ids: set[int | None],
    extra: dict[str, Any],
    calendars: Sequence[tuple[bytes, str]] = (),
) -> Email:
    """One email for several rows: the footer names the case when they share one."""
    only_case = next(iter(case_ids)) if len(case_ids) == 1 else None
    case = session.get(Case, only_case) if only_case else None
    context = {
        "language": contact.language,
        "contact_name": contact.name,
        "role": _role(session, contact, only_case, role_kind),
        "footer_case": case.title if case else "",
        "operators": [
            f"{n} <{e}>" for n, e in _others(operator_addresses(session, only_case), contact)
        ],
        **extra,
    }
    answers = links.for_email(
        contact.id,
        contact.language,
        template,
        now,
        case_id=only_case,
        calendar_generation=contact.calendar_generation,
    )
    if answers:
        context["actions"] = answers.as_context()
    rendered = render(template, context)
    message = build_raw(
        rendered,
        sender=sender,
        to_name=contact.name,
        to_email=contact.email,
        message_id=rows[0].message_id,
        date_header=now,
        calendars=calendars,
        extra_headers=answers.headers() if answers else None,
        reply_to=_others(operator_addresses(session, only_case), contact),
    )
    return Email(list(rows), contact, message, rendered)


def compose_test(
    contact_name: str, email: str, sender: str, message_id: str, now: datetime, language: str = "en"
) -> EmailMessage:
    context = {
        "language": language,
        "contact_name": contact_name,
        "role": OPERATOR,
        "footer_case": "",
        "operators": [],
    }
    return build_message(
        render("test", context),
        sender=sender,
        to_name=contact_name,
        to_email=email,
        message_id=message_id,
        date_header=now,
    )


def compose(session: Session, rows: Sequence[Notification], sender: str, now: datetime) -> Email:
    """One email for rows of one contact: an alert group, a digest, or a single reminder."""
    contact = session.get(Contact, rows[0].contact_id)
    assert contact is not None
    if rows[0].kind == ALERT:
        return compose_alerts(session, rows, contact, sender, now)
    if len(rows) > 1 or rows[0].payload.get("digest"):
        return compose_digest(session, rows, contact, sender, now)
    return compose_reminder(session, rows[0], contact, sender, now)
