"""Answers from signed email links: what a link shows, and what its button records.

A GET shows (``link_view``); only a POST records (``answer``). Each answer is an event, like
`monitor record`, re-plans the decision's reminders, and is routed to the case's operators as
an alert. A link acts once: its random id is kept in ``LinkUse`` with what it did, and a second
use shows that instead of acting again. A fact already known (someone else recorded the
execution) is shown as such, not recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor import events
from monitor.deadlines.dates import human
from monitor.decisions import record_fact
from monitor.errors import UsageError
from monitor.links import ACK, APPEALED, EXECUTED, STOP_CASE, UNSUBSCRIBE, Claim
from monitor.models import (
    Case,
    Contact,
    Deadline,
    DeadlineAck,
    Decision,
    Event,
    LinkUse,
    Subscription,
)
from monitor.notify.alerts import plan_alerts
from monitor.notify.plan import plan_reminders


class LinkGone(UsageError):
    """The link's contact, case or decision no longer exists (or is archived). ``what`` says
    which, so that each page words it in its reader's language (``error.gone.<what>``)."""

    def __init__(self, message: str, what: str) -> None:
        super().__init__(message)
        self.what = what


class RecordRefused(UsageError):
    """A day the fact cannot have happened on. ``reason`` and ``values`` let each page word
    it in its reader's language (``refused.<reason>``); the message is the English one."""

    def __init__(self, message: str, reason: str, **values: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class Recorded:
    """What a used link recorded, as values each language words its own way. ``day`` is
    the fact's date (executed, appealed); None when it cannot be found any more."""

    action: str
    who: str
    case_title: str | None
    decision_date: date | None
    deadline_kind: str | None
    day: date | None


@dataclass
class LinkView:
    """What a link's page shows before, or after, its button is pressed."""

    action: str
    contact: Contact
    case: Case | None
    decision: Decision | None
    deadline: Deadline | None
    used: LinkUse | None = None
    # A fact already recorded by someone else: shown, and the button is not offered.
    known: str | None = None
    # True on the page that answers the press that recorded it.
    fresh: bool = False
    recorded: Recorded | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _load(session: Session, claim: Claim) -> tuple[Contact, Case | None, Decision | None]:
    contact = session.get(Contact, claim.contact_id)
    if contact is None or contact.archived_at is not None:
        raise LinkGone("this link's contact is no longer in the monitor", "contact")
    case = session.get(Case, claim.case_id) if claim.case_id is not None else None
    decision = session.get(Decision, claim.decision_id) if claim.decision_id is not None else None
    if claim.case_id is not None and (case is None or case.archived_at is not None):
        raise LinkGone("this case is no longer watched", "case")
    if claim.decision_id is not None and (decision is None or decision.archived_at is not None):
        raise LinkGone("this decision is no longer watched", "decision")
    if decision is not None and case is None:
        case = decision.case
    return contact, case, decision


def link_view(session: Session, claim: Claim) -> LinkView:
    contact, case, decision = _load(session, claim)
    deadline = None
    if decision is not None and claim.deadline_kind:
        deadline = next((d for d in decision.deadlines if d.kind == claim.deadline_kind), None)
    view = LinkView(claim.action, contact, case, decision, deadline)
    view.used = session.scalars(select(LinkUse).where(LinkUse.nonce == claim.nonce)).first()
    if view.used is not None:
        view.recorded = _recorded(session, view.used, contact, case, decision)
    if view.used is None and decision is not None:
        if claim.action == EXECUTED and decision.executed_on is not None:
            view.known = f"carried out on {human(decision.executed_on)}"
        elif claim.action == APPEALED and decision.appealed_on is not None:
            view.known = f"appealed on {human(decision.appealed_on)}"
        elif claim.action == ACK:
            # "got it" pressed already, from another email about the same date
            acked = session.scalars(
                select(DeadlineAck).where(
                    DeadlineAck.contact_id == contact.id,
                    DeadlineAck.decision_id == decision.id,
                    DeadlineAck.deadline_kind == claim.deadline_kind,
                )
            ).first()
            if acked is not None:
                view.known = f"no reminders of this date since {human(acked.acked_at.date())}"
    return view


def _recorded(
    session: Session, use: LinkUse, contact: Contact, case: Case | None, decision: Decision | None
) -> Recorded:
    day = None
    if use.action in (EXECUTED, APPEALED) and use.decision_id is not None:
        # The fact's day as it was recorded then (it may have been cleared or changed since).
        event = session.scalars(
            select(Event).where(
                Event.kind == events.RECORDED_FROM_EMAIL,
                Event.decision_id == use.decision_id,
                Event.at == use.used_at,
            )
        ).first()
        if event is not None and event.data.get("date"):
            day = date.fromisoformat(str(event.data["date"]))
    return Recorded(
        action=use.action,
        who=contact.name,
        case_title=case.title if case is not None else None,
        decision_date=decision.decided_on if decision is not None else None,
        deadline_kind=use.deadline_kind,
        day=day,
    )


def check_day(decision: Decision, action: str, day: date, today: date) -> None:
    """Refuse, before anything is written, a day the fact cannot have happened on."""
    if day > today:
        raise RecordRefused(
            f"{day.isoformat()} is in the future: record facts once they happened",
            "future",
            day=day,
        )
    if day < decision.decided_on:
        raise RecordRefused(
            f"{day.isoformat()} is before the decision date {decision.decided_on.isoformat()}",
            "before_decision",
            day=day,
            date=decision.decided_on,
        )
    if action == APPEALED and decision.executed_on is not None and day > decision.executed_on:
        raise RecordRefused(
            f"an appeal on {human(day)} after the execution on {human(decision.executed_on)}"
            " contradicts what is recorded",
            "appeal_after_execution",
            day=day,
            executed=decision.executed_on,
        )
    if action == EXECUTED and decision.appealed_on is not None and decision.appealed_on > day:
        raise RecordRefused(
            f"an execution on {human(day)} before the appeal on {human(decision.appealed_on)}"
            " contradicts what is recorded",
            "execution_before_appeal",
            day=day,
            appealed=decision.appealed_on,
        )


def _unsubscribe(
    session: Session, contact: Contact, case: Case | None, now: datetime
) -> tuple[str, list[int]]:
    query = select(Subscription).where(
        Subscription.contact_id == contact.id,
        Subscription.archived_at.is_(None),
        Subscription.unsubscribed_at.is_(None),
    )
    if case is not None:
        query = query.where(Subscription.case_id == case.id)
    subs = list(session.scalars(query))
    where = f"the case {case.key}" if case is not None else "every case"
    if not subs:
        return f"{contact.name} was already unsubscribed from {where}", []
    for sub in subs:
        sub.unsubscribed_at = now
        sub.updated_at = now
    session.flush()
    decision_ids = list(
        session.scalars(select(Decision.id).where(Decision.case_id.in_({s.case_id for s in subs})))
    )
    plan_reminders(session, now, decision_ids=decision_ids)
    message = f"{contact.name} <{contact.email}> unsubscribed from {where}, from an email link"
    events.record_event(
        session,
        now,
        events.UNSUBSCRIBED,
        message,
        case_id=case.id if case is not None else None,
        contact=contact.key,
        subscriptions=[s.id for s in subs],
    )
    return message, [s.id for s in subs]


def answer(session: Session, claim: Claim, now: datetime, day: date | None = None) -> LinkView:
    """Record what the link says (once) and return the page that shows it."""
    view = link_view(session, claim)
    if view.used is not None or view.known is not None:
        return view
    contact, case, decision = view.contact, view.case, view.decision
    if claim.action in (EXECUTED, APPEALED):
        assert decision is not None
        day = day or now.date()
        check_day(decision, claim.action, day, now.date())
        executed = day if claim.action == EXECUTED else None
        appealed = day if claim.action == APPEALED else None
        outcome, _ = record_fact(
            session, decision, now, appealed_on=appealed, executed_on=executed, by=contact.name
        )
    elif claim.action == ACK:
        assert decision is not None and claim.deadline_kind is not None
        session.add(
            DeadlineAck(
                contact_id=contact.id,
                decision_id=decision.id,
                deadline_kind=claim.deadline_kind,
                acked_at=now,
            )
        )
        session.flush()
        plan = plan_reminders(session, now, decision_ids=[decision.id])
        outcome = (
            f"{contact.name} asked for no more reminders of the {claim.deadline_kind}"
            f" deadline of {decision.case.key}/{decision.key} ({plan.cancelled} cancelled),"
            " from an email link"
        )
        events.record_event(
            session,
            now,
            events.DEADLINE_ACKNOWLEDGED,
            outcome,
            decision=decision,
            contact=contact.key,
            deadline=claim.deadline_kind,
        )
    elif claim.action in (STOP_CASE, UNSUBSCRIBE):
        outcome, _ = _unsubscribe(session, contact, case, now)
    else:
        raise UsageError(f"a {claim.action} link records nothing")
    use = LinkUse(
        nonce=claim.nonce,
        action=claim.action,
        contact_id=contact.id,
        case_id=case.id if case is not None else None,
        decision_id=decision.id if decision is not None else None,
        deadline_kind=claim.deadline_kind,
        used_at=now,
        outcome=outcome,
    )
    try:
        with session.begin_nested():
            session.add(use)
    except IntegrityError:
        # The same link pressed twice at once: the other press won; ours changes nothing.
        raise LinkUsedMeanwhile() from None
    plan_alerts(session, now)
    view.used, view.fresh = use, True
    view.recorded = _recorded(session, use, contact, case, decision)
    return view


class LinkUsedMeanwhile(UsageError):
    def __init__(self) -> None:
        super().__init__("this link was used at the same moment from elsewhere")
