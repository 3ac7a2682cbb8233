"""Decisions in the database: recompute their deadlines, record facts about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import events
from monitor.catalog import CalendarExtras
from monitor.deadlines.dates import human
from monitor.deadlines.rules import ComputedDeadline, decision_deadlines
from monitor.errors import RuleError, UsageError
from monitor.models import Case, Deadline, Decision
from monitor.notify.plan import PlanReport, plan_reminders


def explanations_in(
    decision: Decision, language: str, calendars: CalendarExtras | None = None
) -> dict[str, str]:
    """The explanation of each of a decision's deadlines in ``language``, from the same steps.

    The steps are computed again (pure, cheap) and used only where the English words they give
    are the ones stored: a deadline computed with court closures the caller does not know, or
    by an older version, keeps its stored English explanation rather than say other facts.
    """
    stored = {d.kind: (d.due_on, d.explanation) for d in decision.deadlines}
    if language == "en":
        return {kind: text for kind, (_, text) in stored.items()}
    extras = calendars or CalendarExtras()

    def computed(words: str) -> list[ComputedDeadline]:
        return decision_deadlines(
            rule_name=decision.rule,
            rule_options=dict(decision.rule_options),
            decided_on=decision.decided_on,
            served_on=decision.served_on,
            calendar=extras.calendar(decision.case.jurisdiction),
            grace_days=decision.execution_grace_days,
            explicit_in_force=decision.in_force_explicit,
            language=words,
        )

    try:
        english, local = computed("en"), computed(language)
    except RuleError:
        return {kind: text for kind, (_, text) in stored.items()}
    out = {kind: text for kind, (_, text) in stored.items()}
    for en, other in zip(english, local, strict=True):
        if stored.get(en.kind) == (en.date, en.explanation):
            out[en.kind] = other.explanation
    return out


def refresh_deadlines(
    session: Session, decision: Decision, calendars: CalendarExtras, now: datetime
) -> list[str]:
    """Recompute a decision's deadlines; record an event for each new or moved date.

    Returns one line per date that appeared, moved or disappeared.
    """
    computed = decision_deadlines(
        rule_name=decision.rule,
        rule_options=dict(decision.rule_options),
        decided_on=decision.decided_on,
        served_on=decision.served_on,
        calendar=calendars.calendar(decision.case.jurisdiction),
        grace_days=decision.execution_grace_days,
        explicit_in_force=decision.in_force_explicit,
    )
    existing = {row.kind: row for row in decision.deadlines}
    lines: list[str] = []
    label = f"{decision.case.key}/{decision.key}"
    for result in computed:
        row = existing.pop(result.kind, None)
        if row is None:
            decision.deadlines.append(
                Deadline(
                    kind=result.kind,
                    due_on=result.date,
                    rule=result.rule,
                    explanation=result.explanation,
                    uncertain=result.uncertain,
                    computed_at=now,
                )
            )
            events.record_event(
                session,
                now,
                events.DEADLINE_COMPUTED,
                f"{label}: {result.kind} is {human(result.date)}",
                decision=decision,
                deadline=result.kind,
                date=result.date.isoformat(),
            )
            lines.append(f"{label}: {result.kind} {result.date.isoformat()}")
            continue
        if row.due_on != result.date:
            events.record_event(
                session,
                now,
                events.DEADLINE_MOVED,
                f"{label}: {result.kind} moved from {human(row.due_on)} to {human(result.date)}",
                decision=decision,
                deadline=result.kind,
                old=row.due_on.isoformat(),
                new=result.date.isoformat(),
                explanation=result.explanation,
            )
            lines.append(
                f"{label}: {result.kind} moved {row.due_on.isoformat()} -> {result.date.isoformat()}"
            )
        if (row.due_on, row.explanation, row.rule, row.uncertain) != (
            result.date,
            result.explanation,
            result.rule,
            result.uncertain,
        ):
            row.due_on, row.explanation, row.rule = result.date, result.explanation, result.rule
            row.uncertain, row.computed_at = result.uncertain, now
    changed = bool(lines)
    for kind, row in existing.items():
        events.record_event(
            session,
            now,
            events.DEADLINE_MOVED,
            f"{label}: {kind} of {human(row.due_on)} no longer applies",
            decision=decision,
            deadline=kind,
            old=row.due_on.isoformat(),
            new=None,
        )
        lines.append(f"{label}: {kind} removed (was {row.due_on.isoformat()})")
        decision.deadlines.remove(row)
    if changed or existing:
        decision.updated_at = now
    session.flush()
    return lines


def upcoming_deadlines(
    session: Session, start: date, end: date | None = None, limit: int | None = None
) -> list[tuple[Deadline, Decision, Case]]:
    """Deadlines of watched decisions from ``start`` (to ``end``), soonest first."""
    query = (
        select(Deadline, Decision, Case)
        .join(Decision, Deadline.decision_id == Decision.id)
        .join(Case, Decision.case_id == Case.id)
        .where(Case.archived_at.is_(None), Decision.archived_at.is_(None), Deadline.due_on >= start)
        .order_by(Deadline.due_on, Case.key, Deadline.kind)
    )
    if end is not None:
        query = query.where(Deadline.due_on <= end)
    if limit is not None:
        query = query.limit(limit)
    return [(d, dec, c) for d, dec, c in session.execute(query).all()]


def find_decision(session: Session, case_key: str, decision_key: str | None) -> Decision:
    case = session.scalars(select(Case).where(Case.key == case_key)).one_or_none()
    if case is None:
        raise UsageError(f"no case {case_key!r} (see `monitor cases`)")
    active = [d for d in case.decisions if d.archived_at is None]
    if decision_key is not None:
        for decision in active:
            if decision.key == decision_key:
                return decision
        known = ", ".join(d.key for d in active) or "none"
        raise UsageError(f"case {case_key!r} has no decision {decision_key!r} (known: {known})")
    if not active:
        raise UsageError(f"case {case_key!r} has no decisions yet")
    if len(active) > 1:
        known = ", ".join(d.key for d in active)
        raise UsageError(
            f"case {case_key!r} has several decisions: name one with --decision ({known})"
        )
    return active[0]


def record_fact(
    session: Session,
    decision: Decision,
    now: datetime,
    *,
    appealed_on: date | None = None,
    executed_on: date | None = None,
    by: str | None = None,
    force: bool = False,
) -> tuple[str, PlanReport | None]:
    """Record an appeal or an execution, and replan the decision's reminders accordingly.

    ``by`` names a contact who answered from an email link: the event then says so in words
    the operators read in their alert. A fact already recorded on the same day is recorded
    once (the report is None). A fact that contradicts what is known (an appeal after the
    execution, a second date for the same fact) is refused unless ``force``.
    """
    if (appealed_on is None) == (executed_on is None):
        raise UsageError("record exactly one fact: --appealed DATE or --executed DATE")
    fact, day = ("appealed", appealed_on) if appealed_on else ("executed", executed_on)
    assert day is not None
    if day < decision.decided_on:
        raise UsageError(
            f"{day.isoformat()} is before the decision date {decision.decided_on.isoformat()}"
        )
    if day > now.date():
        raise UsageError(f"{day.isoformat()} is in the future: record facts once they happened")
    where = f"{decision.case.key}/{decision.key}"
    known = decision.appealed_on if fact == "appealed" else decision.executed_on
    if known == day:
        return f"{where}: {fact} on {human(day)} was already recorded; nothing changed", None
    if known is not None and not force:
        raise UsageError(
            f"{where}: already recorded as {fact} on {human(known)}; add --force to replace it"
            f" with {human(day)}"
        )
    executed = day if fact == "executed" else decision.executed_on
    appealed = day if fact == "appealed" else decision.appealed_on
    if executed is not None and appealed is not None and appealed > executed and not force:
        raise UsageError(
            f"{where}: an appeal on {human(appealed)} after the execution on {human(executed)}"
            " contradicts what is recorded; check the dates, or add --force if that is so"
        )
    if fact == "appealed":
        decision.appealed_on = day
        consequence = (
            "the in-force reminders, the confirmation request and the escalation are stopped:"
            " the decision does not enter into force while the appeal is pending"
        )
    else:
        decision.executed_on = day
        consequence = "the confirmation request and the escalation are stopped"
    decision.updated_at = now
    session.flush()
    report = plan_reminders(session, now, decision_ids=[decision.id])
    message = f"{decision.case.key}/{decision.key}: {fact} on {human(day)}; {consequence}"
    by_whom: dict[str, Any] = {}
    if by is not None:
        by_whom["by"] = by
        what = "as carried out" if fact == "executed" else "as appealed"
        message = (
            f"{by} recorded the {decision.kind} ({decision.case.key}/{decision.key}) {what}"
            f" on {human(day)}, from an email link; {consequence}"
        )
    events.record_event(
        session,
        now,
        events.RECORDED_FROM_EMAIL if by is not None else events.FACT_RECORDED,
        message,
        decision=decision,
        fact=fact,
        date=day.isoformat(),
        cancelled=report.cancelled,
        **by_whom,
    )
    return message, report


def clear_fact(
    session: Session, decision: Decision, fact: str, now: datetime, *, by: str = "an operator"
) -> tuple[str, PlanReport]:
    """Undo a recorded appeal or execution (a wrong click, a mistaken report) and replan."""
    if fact not in ("appealed", "executed"):
        raise UsageError(f"unknown fact {fact!r}: appealed or executed")
    was = decision.appealed_on if fact == "appealed" else decision.executed_on
    if was is None:
        raise UsageError(f"{decision.case.key}/{decision.key}: no {fact} date is recorded")
    if fact == "appealed":
        decision.appealed_on = None
    else:
        decision.executed_on = None
    decision.updated_at = now
    session.flush()
    # Planning re-opens the reminders the fact had cancelled (same rows, same keys), as
    # long as their deadline is ahead.
    report = plan_reminders(session, now, decision_ids=[decision.id])
    message = (
        f"{decision.case.key}/{decision.key}: {fact} on {human(was)} cleared by {by};"
        f" {report.restored} reminder(s) that it had cancelled are pending again"
    )
    events.record_event(
        session,
        now,
        events.FACT_CLEARED,
        message,
        decision=decision,
        fact=fact,
        was=was.isoformat(),
        by=by,
    )
    return message, report


def safe_refresh(
    session: Session, decision: Decision, calendars: CalendarExtras, now: datetime
) -> list[str]:
    """refresh_deadlines, with a rule problem turned into a message about this decision."""
    try:
        return refresh_deadlines(session, decision, calendars, now)
    except RuleError as exc:
        raise UsageError(f"{decision.case.key}/{decision.key}: {exc}") from exc
