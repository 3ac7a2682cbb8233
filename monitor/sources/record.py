"""Decisions found in sources, recorded against the cases they mention.

- The same decision (same case, same date, same or unknown kind) seen again, in this or
  another source, gets one more provenance: it stays one decision.
- A report that gives a different date (within two weeks) for a decision of the same kind is a
  **conflict**: one event for the operators, and nothing overwritten.
- So is a report of a known decision that states another period than the one its rule counts,
  or another entry into force than the computed one.
- A decision typed in config outranks one extracted from the web: config decisions only ever
  gain provenances.
- Decisions reported as background (dated more than 60 days before the publication) are not
  recorded: a press release about a release mentions the sentence of years ago.
- A found decision is counted with the most specific rule that fits its jurisdiction and the
  period the text states (``choose_rule``): a judgment of the European Court of Human Rights
  that becomes final under Article 44 § 2 uses ``echr-chamber-final``; a Kazakh criminal
  decision with 15 days to appeal or to enter into force uses ``kz-criminal-appeal-15d``;
  otherwise a generic rule built from the in-force period, else from the appeal period
  (``15d`` -> ``calendar-days:15``). The event says which rule and why; the operator can type
  the decision into config with another preset, which then wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import events
from monitor.catalog import CalendarExtras
from monitor.deadlines.calendars import ECHR
from monitor.deadlines.dates import human
from monitor.deadlines.rules import IN_FORCE, Unit, preset
from monitor.decisions import refresh_deadlines
from monitor.errors import RuleError
from monitor.models import Case, Decision, DecisionProvenance, Snapshot, Source
from monitor.sources.extract import ExtractedDecision

BACKGROUND_AFTER = timedelta(days=60)
CONFLICT_WINDOW = timedelta(days=14)
_RULE_FOR_UNIT = {
    "d": "calendar-days",
    "wd": "working-days",
    "w": "weeks",
    "m": "months",
    "y": "years",
}


@dataclass(frozen=True)
class Found:
    case_key: str
    decision_key: str
    outcome: str  # "new", "same", "conflict", "background", "undated"
    message: str


# Words for the same decision: a report may call a conditional early release just a release.
_SAME_KIND = ({"release", "parole"},)


def _compatible(recorded: str, reported: str | None) -> bool:
    if reported is None or recorded in ("other", reported):
        return True
    return any({recorded, reported} <= group for group in _SAME_KIND)


def choose_rule(found: ExtractedDecision, jurisdiction: str) -> tuple[str, str]:
    """The rule a found decision is counted with, and why, in words for the operators."""
    period = found.in_force_period or found.appeal_period
    which = "in-force" if found.in_force_period else "appeal"
    court = found.court or ""
    if (
        jurisdiction == ECHR
        and found.kind in (None, "judgment")
        and "3m" in (found.in_force_period, found.appeal_period)
        and re.search(r"European Court of Human Rights|ECHR|ЕСПЧ|Европейск", court)
    ):
        return (
            "echr-chamber-final",
            "echr-chamber-final: a Chamber judgment of the European Court of Human Rights,"
            " final three months after its date under Article 44 § 2",
        )
    if (
        jurisdiction.partition("-")[0] == "KZ"
        and period == "15d"
        and found.kind not in ("appeal_ruling", "arrest", "judgment")
    ):
        return (
            "kz-criminal-appeal-15d",
            f"kz-criminal-appeal-15d: a Kazakh first-instance decision with a 15-day {which}"
            " period (CrPC arts. 415, 470)",
        )
    if not period:
        return "", "no rule: the source states no period"
    rule = rule_for_period(period)
    return rule, f"{rule}: the generic rule for the {which} period {period} the source states"


_UNIT_FOR_CODE = {
    "d": Unit.DAYS,
    "wd": Unit.WORKING_DAYS,
    "w": Unit.WEEKS,
    "m": Unit.MONTHS,
    "y": Unit.YEARS,
}


def _disagreement(decision: Decision, found: ExtractedDecision) -> str | None:
    """What a source states about a known decision that its deadlines do not say, if anything:
    another entry into force, or another period than the one its rule counts."""
    in_force = next((d.due_on for d in decision.deadlines if d.kind == IN_FORCE), None)
    if found.in_force_date and in_force and found.in_force_date != in_force:
        return (
            f"entry into force on {human(found.in_force_date)}, but it is computed as"
            f" {human(in_force)} ({decision.rule})"
        )
    period = found.in_force_period or found.appeal_period
    if not period or not decision.rule:
        return None
    try:
        rule = preset(decision.rule)
    except RuleError:
        return None
    number = int("".join(ch for ch in period if ch.isdigit()))
    unit = _UNIT_FOR_CODE[period[len(str(number)) :]]
    if (rule.period, rule.unit) != (number, unit):
        which = "an in-force" if found.in_force_period else "an appeal"
        return f"{which} period of {period}, but the rule {decision.rule} counts {rule.period} {rule.unit.value}"
    return None


def rule_for_period(period: str | None) -> str:
    if not period:
        return ""
    number = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(number) :]
    return f"{_RULE_FOR_UNIT[unit]}:{number}"


def _provenance(
    session: Session,
    decision: Decision,
    snapshot: Snapshot,
    source: Source,
    url: str,
    found: ExtractedDecision,
    now: datetime,
) -> bool:
    exists = session.scalars(
        select(DecisionProvenance).where(
            DecisionProvenance.decision_id == decision.id,
            DecisionProvenance.snapshot_id == snapshot.id,
        )
    ).first()
    if exists is not None:
        return False
    session.add(
        DecisionProvenance(
            decision_id=decision.id,
            snapshot_id=snapshot.id,
            source_id=source.id,
            url=url,
            quote=found.quote,
            reported_date=found.decision_date,
            reported_period=found.in_force_period or found.appeal_period,
            seen_at=now,
        )
    )
    return True


def record_found(
    session: Session,
    case: Case,
    found: ExtractedDecision,
    *,
    snapshot: Snapshot,
    source: Source,
    url: str,
    published: date,
    calendars: CalendarExtras,
    now: datetime,
) -> Found:
    if found.decision_date is None:
        return Found(
            case.key, "", "undated", "a decision without a date was left for the operators to read"
        )
    if found.decision_date < published - BACKGROUND_AFTER:
        return Found(
            case.key,
            "",
            "background",
            f"a decision of {human(found.decision_date)} is background, not news",
        )
    active = [d for d in case.decisions if d.archived_at is None]
    same = next(
        (
            d
            for d in active
            if d.decided_on == found.decision_date and _compatible(d.kind, found.kind)
        ),
        None,
    )
    if same is not None:
        added = _provenance(session, same, snapshot, source, url, found, now)
        rule, why = choose_rule(found, case.jurisdiction)
        if same.origin == "source" and not same.rule and rule:
            same.rule = rule
            same.updated_at = now
            session.flush()
            refresh_deadlines(session, same, calendars, now)
            events.record_event(
                session,
                now,
                events.DECISION_CHANGED,
                f"{case.key}/{same.key}: {source.key} gives the period"
                f" {found.in_force_period or found.appeal_period}: deadlines computed with {why}",
                decision=same,
                source=source,
            )
        disagreement = _disagreement(same, found) if added else None
        if disagreement:
            events.record_event(
                session,
                now,
                events.CONFLICT,
                f"{case.key}/{same.key}: {source.key} states {disagreement}; nothing was changed:"
                f" check the sources and correct the config if needed. Quote: {found.quote[:300]}",
                decision=same,
                source=source,
                url=url,
            )
            return Found(
                case.key,
                same.key,
                "conflict",
                f"{case.key}/{same.key}: {source.key} states {disagreement}",
            )
        message = (
            f"{case.key}/{same.key}: also reported by {source.key}"
            if added
            else f"{case.key}/{same.key}: already known"
        )
        return Found(case.key, same.key, "same", message)
    rival = next(
        (
            d
            for d in active
            if found.kind is not None
            and _compatible(d.kind, found.kind)
            and abs((d.decided_on - found.decision_date).days) <= CONFLICT_WINDOW.days
        ),
        None,
    )
    if rival is not None:
        if _provenance(session, rival, snapshot, source, url, found, now):
            events.record_event(
                session,
                now,
                events.CONFLICT,
                f"{case.key}/{rival.key}: {source.key} dates the {found.kind} decision {human(found.decision_date)},"
                f" but it is recorded as {human(rival.decided_on)} ({rival.origin}); nothing was changed:"
                f" check the sources and correct the config if needed. Quote: {found.quote[:300]}",
                decision=rival,
                source=source,
                reported=found.decision_date.isoformat(),
                recorded=rival.decided_on.isoformat(),
                url=url,
            )
        return Found(
            case.key,
            rival.key,
            "conflict",
            f"{case.key}/{rival.key}: conflicting date from {source.key}",
        )
    key = f"found-{found.decision_date.isoformat()}-{found.kind or 'decision'}"
    rule, why = choose_rule(found, case.jurisdiction)
    decision = Decision(
        key=key,
        decided_on=found.decision_date,
        court=found.court or "court not named in the source",
        kind=found.kind or "other",
        quote=found.quote,
        rule=rule,
        rule_options={},
        in_force_explicit=found.in_force_date,
        origin="source",
        snapshot_id=snapshot.id,
        source_url=url,
        created_at=now,
        updated_at=now,
    )
    case.decisions.append(decision)
    session.flush()
    _provenance(session, decision, snapshot, source, url, found, now)
    lines = refresh_deadlines(session, decision, calendars, now)
    period = f", period {found.in_force_period}" if found.in_force_period else ""
    period += f", appeal period {found.appeal_period}" if found.appeal_period else ""
    period += f"; rule {why}" if rule else ""
    events.record_event(
        session,
        now,
        events.DECISION_FOUND,
        f"{case.key}: {source.key} reports a {decision.kind} decision of {human(found.decision_date)} by"
        f" {decision.court}{period} ({url}). Quote: {found.quote[:300]}",
        decision=decision,
        source=source,
        url=url,
        deadlines=lines,
    )
    return Found(case.key, key, "new", f"{case.key}/{key}: new decision from {source.key}")
