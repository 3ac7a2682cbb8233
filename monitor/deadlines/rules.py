"""Rules: how a decision's deadlines follow from its trigger date.

A rule counts a period from a trigger (the decision pronounced, or served on a party) in the
calendar of a jurisdiction, and says how the three deadlines follow from the period's end:

- ``appeal_until``: the last day on which the decision can be appealed (or a referral asked);
- ``in_force``: the day it enters into force or becomes final if nobody appeals;
- ``execution_due``: in force + an operator-set grace; after it the escalation contacts are told.

Every computed date carries the steps that produced it, in words a lawyer can check.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from dateutil.relativedelta import relativedelta

from monitor.deadlines.calendars import ECHR, CourtCalendar
from monitor.deadlines.words import Words
from monitor.errors import RuleError


class Unit(StrEnum):
    DAYS = "days"
    WORKING_DAYS = "working_days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


APPEAL_UNTIL = "appeal_until"
IN_FORCE = "in_force"
EXECUTION_DUE = "execution_due"
DEADLINE_KINDS = (APPEAL_UNTIL, IN_FORCE, EXECUTION_DUE)

Roll = Literal["forward", "none"]
InForce = Literal["day_after_end", "end"]
AppealUntil = Literal["end", "day_before_end"]
MonthEnd = Literal["clip", "next_day"]
CountsFrom = Literal["pronounced", "served"]

# What an operator may override per case or per decision (``rule_options`` in config).
OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "roll": ("forward", "none"),
    "in_force": ("day_after_end", "end"),
    "appeal_until": ("end", "day_before_end"),
    "month_end": ("clip", "next_day"),
    "counts_from": ("pronounced", "served"),
}


@dataclass(frozen=True)
class Rule:
    name: str
    period: int
    unit: Unit
    citation: str
    roll: Roll = "forward"
    in_force: InForce = "day_after_end"
    appeal_until: AppealUntil = "end"
    month_end: MonthEnd = "clip"
    counts_from: CountsFrom = "pronounced"
    # A preset made for one jurisdiction's law refuses to run in another's calendar.
    jurisdiction: str | None = None
    # Keys of monitor.deadlines.words: what the appeal deadline is called, and where the law
    # or our reading of it is uncertain (repeated in every explanation).
    appeal_words: str = "appeal.last_day_to_appeal"
    caveats: tuple[str, ...] = ()
    appeal_caveat: str | None = None
    in_force_caveat: str | None = None
    # The citation as a Russian-speaking lawyer writes it, where we have it.
    citation_ru: str | None = None

    def cited(self, language: str) -> str:
        citation = self.citation_ru if language == "ru" and self.citation_ru else self.citation
        return f"({self.name}: {citation})"

    def with_options(self, options: dict[str, str]) -> Rule:
        """The same rule with operator overrides (already validated against OPTION_VALUES)."""
        if not options:
            return self
        changed = ", ".join(f"{k}={v}" for k, v in sorted(options.items()))
        return dataclasses.replace(self, name=f"{self.name} [{changed}]", **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ComputedDeadline:
    kind: str
    date: date
    explanation: str
    rule: str
    uncertain: bool = False


def _unit_words(period: int, unit: Unit, w: Words) -> str:
    return w(f"unit.{unit.value}", n=period)


# ---------------------------------------------------------------------------------------
# Presets. Each docstring-like ``citation`` says what it encodes; ``caveats`` how sure we are.
# ---------------------------------------------------------------------------------------

KZ_CRIMINAL_APPEAL_15D = Rule(
    # Criminal Procedure Code of the Republic of Kazakhstan of 4 July 2014 (K1400000231), as
    # in force:
    # - art. 418 part 1: an appeal "в течение пятнадцати суток со дня провозглашения
    #   приговора, постановления" (for a convicted person in custody: from the day a copy is
    #   delivered; use counts_from = "served" and the decision's served_on for that). Art. 415
    #   only lists what can be appealed. Rulings on conditional release follow the same 15
    #   days (art. 483 part 1, through arts. 418 and 422), counted from the day the ruling was
    #   issued (art. 422 part 2);
    # - art. 48: the day the period starts from is not counted (part 2); non-working days
    #   inside the period are counted (part 3); a period in days ends at 24:00 of its last
    #   day, and a last day that is a non-working day moves to the next working day (part 4;
    #   custody and detention periods are the exception, and no preset of ours counts them).
    #   Art. 49 is about filings posted or handed to a prison administration before the end;
    # - art. 470 part 1: a decision not appealed enters into force "по истечении срока на
    #   апелляционное обжалование". We show the day after the last day; that reading is ours,
    #   and every in-force date says so.
    # Holidays: the first day of Kurban Ait is a day off (Labour Code art. 84) and is not
    # moved when it falls on a weekend; its date is estimated ahead of the decree, and a date
    # that depends on it is marked uncertain.
    name="kz-criminal-appeal-15d",
    period=15,
    unit=Unit.DAYS,
    citation="CrPC of Kazakhstan art. 418 part 1, art. 48 parts 2-4, art. 470 part 1",
    jurisdiction="KZ",
    citation_ru="УПК РК, ч. 1 ст. 418, ч. 2–4 ст. 48, ч. 1 ст. 470",
    in_force_caveat="caveat.kz_in_force",
)

ECHR_CHAMBER_FINAL = Rule(
    # European Convention on Human Rights, Article 44 § 2 (b): a Chamber judgment becomes final
    # three months after its date if no referral to the Grand Chamber has been requested
    # (Article 43). The Court's records give the same day of the month three months later, with
    # no roll for weekends: 26 Feb 2002 final on Sun 26 May 2002; 1 Jul 2004 final on
    # 1 Oct 2004. For a day missing in the target month, the records we have seen give the
    # next day (31 Mar 2005 final on 1 Jul 2005): a single data point, said in the explanation.
    name="echr-chamber-final",
    period=3,
    unit=Unit.MONTHS,
    citation="ECHR Article 44 § 2 (b), Article 43",
    roll="none",
    in_force="end",
    appeal_until="day_before_end",
    month_end="next_day",
    jurisdiction=ECHR,
    appeal_words="appeal.last_day_referral",
    appeal_caveat="caveat.echr_referral",
)


def _us_frcp(days: int) -> Rule:
    # Federal Rule of Civil Procedure 6(a)(1): (A) exclude the day of the event that triggers
    # the period; (B) count every day, including intermediate Saturdays, Sundays and legal
    # holidays; (C) include the last day, but if it is a Saturday, Sunday or legal holiday,
    # the period continues to run until the end of the next day that is none of these.
    # Legal holidays (6(a)(6)) are the federal ones, observed days included.
    return Rule(
        name=f"us-frcp-days:{days}",
        period=days,
        unit=Unit.DAYS,
        citation="Fed. R. Civ. P. 6(a)(1)",
        jurisdiction="US",
        appeal_words="appeal.last_day_of_period",
        in_force_caveat="caveat.frcp_in_force",
    )


def _generic(unit: Unit, n: int, name: str) -> Rule:
    return Rule(
        name=name,
        period=n,
        unit=unit,
        citation="a generic count, no article of a code",
        citation_ru="общий подсчёт, без статьи кодекса",
        caveats=("caveat.generic",),
    )


NAMED_PRESETS: dict[str, Rule] = {
    KZ_CRIMINAL_APPEAL_15D.name: KZ_CRIMINAL_APPEAL_15D,
    ECHR_CHAMBER_FINAL.name: ECHR_CHAMBER_FINAL,
}

_PARAMETRIC = re.compile(
    r"^(us-frcp-days|calendar-days|working-days|weeks|months|years):([1-9][0-9]{0,3})$"
)

_LONGEST = {
    "us-frcp-days": 9999,
    "calendar-days": 9999,
    "working-days": 9999,
    "weeks": 9999,
    "months": 1200,
    "years": 100,
}

PRESET_HELP = (
    "kz-criminal-appeal-15d, echr-chamber-final, us-frcp-days:N, calendar-days:N,"
    " working-days:N, weeks:N, months:N, years:N"
)


def preset(name: str) -> Rule:
    """The rule a config or command line names, or RuleError saying which ones exist."""
    if name in NAMED_PRESETS:
        return NAMED_PRESETS[name]
    match = _PARAMETRIC.match(name)
    if not match:
        raise RuleError(f"unknown rule {name!r} (known: {PRESET_HELP})")
    family, n = match.group(1), int(match.group(2))
    # Longer periods than these are not in any code of procedure, and would run past the
    # dates a calendar (and Python) knows.
    longest = _LONGEST[family]
    if n > longest:
        raise RuleError(f"{name!r}: {family} takes at most {longest}")
    if family == "us-frcp-days":
        return _us_frcp(n)
    unit = {
        "calendar-days": Unit.DAYS,
        "working-days": Unit.WORKING_DAYS,
        "weeks": Unit.WEEKS,
        "months": Unit.MONTHS,
        "years": Unit.YEARS,
    }[family]
    return _generic(unit, n, name)


# ---------------------------------------------------------------------------------------
# Counting.
# ---------------------------------------------------------------------------------------


def _count_working_days(
    start_after: date, n: int, calendar: CourtCalendar, steps: list[str], w: Words
) -> tuple[date, bool]:
    day = start_after
    counted = 0
    skipped: list[str] = []
    unusual: list[str] = []
    estimated = False
    while counted < n:
        day += timedelta(days=1)
        status = calendar.status(day, w.language)
        estimated = estimated or status.estimated
        if status.working:
            counted += 1
            if not status.ordinary:
                unusual.append(w("count.counted", day=day, reason=status.reason))
        else:
            skipped.append(w("count.skipped", day=day, reason=status.reason))
    if skipped:
        steps.append(w("count.not_counted", days=", ".join(skipped)))
    steps.extend(unusual)
    steps.append(w("count.working_day_n", n=n, day=day))
    return day, estimated


def _add_months(trigger: date, months: int, rule: Rule, steps: list[str], w: Words) -> date:
    exact = trigger + relativedelta(months=months)
    period = _unit_words(rule.period, rule.unit, w)
    if exact.day == trigger.day:
        steps.append(w("months.exact", period=period, trigger=trigger, day=exact))
        return exact
    # The target month is shorter than the trigger's day of the month.
    if rule.month_end == "clip":
        steps.append(w("months.clip", period=period, trigger=trigger, dom=trigger.day, day=exact))
        return exact
    end = exact + timedelta(days=1)
    steps.append(w("months.next_day", period=period, trigger=trigger, dom=trigger.day, day=end))
    return end


def _period_end(
    trigger: date, rule: Rule, calendar: CourtCalendar, steps: list[str], w: Words
) -> tuple[date, bool]:
    """The period's last day before any roll, and whether a holiday it counted is estimated."""
    n = rule.period
    first = trigger + timedelta(days=1)
    if rule.unit == Unit.WORKING_DAYS:
        steps.append(
            w(
                "count.working_from",
                period=_unit_words(n, rule.unit, w),
                day=first,
                where=calendar.where_in(w.language),
            )
        )
        return _count_working_days(trigger, n, calendar, steps, w)
    if rule.unit in (Unit.DAYS, Unit.WEEKS):
        days = n if rule.unit == Unit.DAYS else 7 * n
        end = trigger + timedelta(days=days)
        if rule.unit == Unit.DAYS:
            steps.append(w("count.from", period=w("days", n=days), day=first))
        else:
            weeks = _unit_words(n, rule.unit, w)
            steps.append(w("count.from_weeks", period=w("days", n=days), weeks=weeks, day=first))
        steps.append(w("count.day_n", n=days, day=end))
        return end, False
    months = n if rule.unit == Unit.MONTHS else 12 * n
    return _add_months(trigger, months, rule, steps, w), False


def _roll(
    end: date, rule: Rule, calendar: CourtCalendar, steps: list[str], w: Words
) -> tuple[date, bool]:
    """Apply the rule's roll; returns the last day and whether a holiday date was estimated."""
    where = calendar.where_in(w.language)
    status = calendar.status(end, w.language)
    if status.working:
        steps.append(w("roll.working", day=end, reason=status.reason, where=where))
        return end, False
    if rule.roll == "none":
        steps.append(w("roll.none", day=end, reason=status.reason))
        return end, status.estimated
    moved = [w("roll.day", day=end, reason=status.reason)]
    estimated = status.estimated
    day = end
    while True:
        day += timedelta(days=1)
        status = calendar.status(day, w.language)
        estimated = estimated or status.estimated
        if status.working:
            break
        moved.append(w("roll.day", day=day, reason=status.reason))
    key = "roll.moved_one" if len(moved) == 1 else "roll.moved_many"
    steps.append(w(key, days="; ".join(moved), where=where, day=day))
    return day, estimated


def _next_to_estimated_holiday(day: date, calendar: CourtCalendar) -> bool:
    # Islamic holidays (Kurban Ait in Kazakhstan) are estimated a year or more ahead and the
    # decree may put them a day off the estimate: a last day beside one may still move.
    return any(calendar.status(day + timedelta(days=offset)).estimated for offset in (-1, 1))


def compute(
    rule: Rule,
    trigger: date,
    calendar: CourtCalendar,
    *,
    served_after: date | None = None,
    grace_days: int | None = None,
    explicit_in_force: date | None = None,
    language: str = "en",
) -> list[ComputedDeadline]:
    """The deadlines of one decision. Pure: same inputs, same dates, same words.

    ``served_after`` is the decision's date when the count runs from its service (``trigger``
    is then the day it was served). ``language`` picks the words (en, ru), never the dates.
    """
    if rule.jurisdiction and calendar.jurisdiction.partition("-")[0] != rule.jurisdiction:
        raise RuleError(
            f"rule {rule.name} is for jurisdiction {rule.jurisdiction}, not {calendar.jurisdiction}"
        )
    if grace_days is not None and grace_days < 0:
        raise RuleError("the execution grace cannot be negative")
    w = Words(language)
    cite = rule.cited(w.language)
    if served_after is None:
        steps = [w("trigger.pronounced", day=trigger)]
    else:
        steps = [w("trigger.served", decided=served_after, day=trigger)]
    end, counted_estimated = _period_end(trigger, rule, calendar, steps, w)
    end, rolled_estimated = _roll(end, rule, calendar, steps, w)
    caveats = list(rule.caveats)
    if counted_estimated or rolled_estimated:
        caveats.append("caveat.estimated")
    elif _next_to_estimated_holiday(end, calendar):
        caveats.append("caveat.estimated_beside")
    chain = "; ".join(steps)
    note = "".join(w("uncertain", caveat=w(c)) for c in caveats)

    appeal_day = end if rule.appeal_until == "end" else end - timedelta(days=1)
    appeal_how = "" if rule.appeal_until == "end" else w("appeal.day_before")
    appeal_note = note + (
        w("uncertain", caveat=w(rule.appeal_caveat)) if rule.appeal_caveat else ""
    )
    deadlines = [
        ComputedDeadline(
            APPEAL_UNTIL,
            appeal_day,
            f"{chain}: {w(rule.appeal_words, day=appeal_day)}{appeal_how} {cite}.{appeal_note}",
            rule.name,
            uncertain=bool(caveats or rule.appeal_caveat),
        )
    ]

    computed_in_force = end + timedelta(days=1) if rule.in_force == "day_after_end" else end
    in_force_how = w(f"in_force.{rule.in_force}")
    in_force_note = note + (
        w("uncertain", caveat=w(rule.in_force_caveat)) if rule.in_force_caveat else ""
    )
    if explicit_in_force is not None:
        in_force = explicit_in_force
        differs = (
            w("in_force.same")
            if explicit_in_force == computed_in_force
            else w("in_force.differs", day=computed_in_force)
        )
        in_force_text = w(
            "in_force.given",
            day=in_force,
            differs=differs,
            chain=chain,
            how=in_force_how,
            cite=cite,
        )
        in_force_uncertain = False
    else:
        in_force = computed_in_force
        outcome = w("in_force.computed", day=in_force, how=in_force_how)
        in_force_text = f"{chain}: {outcome} {cite}.{in_force_note}"
        in_force_uncertain = bool(caveats or rule.in_force_caveat)
    deadlines.append(
        ComputedDeadline(IN_FORCE, in_force, in_force_text, rule.name, in_force_uncertain)
    )

    if grace_days is not None:
        due = in_force + timedelta(days=grace_days)
        deadlines.append(
            ComputedDeadline(
                EXECUTION_DUE,
                due,
                w("execution.due", in_force=in_force, grace=w("days", n=grace_days), day=due),
                rule.name,
                in_force_uncertain,
            )
        )
    return deadlines


def decision_deadlines(
    *,
    rule_name: str,
    rule_options: dict[str, str],
    decided_on: date,
    served_on: date | None,
    calendar: CourtCalendar,
    grace_days: int | None,
    explicit_in_force: date | None,
    language: str = "en",
) -> list[ComputedDeadline]:
    """The deadlines of a decision as config describes it: rule by name, options, facts.

    A decision without a rule (found in a source that gave no period) has only what was
    stated: an in-force date, if the source gave one, and the execution due after it.
    """
    if not rule_name:
        return _stated_only(decided_on, explicit_in_force, grace_days, Words(language))
    rule = preset(rule_name).with_options(rule_options)
    served_after: date | None = None
    if rule.counts_from == "served":
        if served_on is None:
            raise RuleError(f"rule {rule.name} counts from service, but no served_on date is known")
        trigger, served_after = served_on, decided_on
    else:
        trigger = decided_on
    return compute(
        rule,
        trigger,
        calendar,
        served_after=served_after,
        grace_days=grace_days,
        explicit_in_force=explicit_in_force,
        language=language,
    )


def _stated_only(
    decided_on: date, in_force: date | None, grace_days: int | None, w: Words
) -> list[ComputedDeadline]:
    if in_force is None:
        return []
    out = [
        ComputedDeadline(
            IN_FORCE, in_force, w("stated.in_force", decided=decided_on, day=in_force), "stated"
        )
    ]
    if grace_days is not None:
        due = in_force + timedelta(days=grace_days)
        out.append(
            ComputedDeadline(
                EXECUTION_DUE,
                due,
                w("stated.execution", in_force=in_force, grace=w("days", n=grace_days), day=due),
                "stated",
            )
        )
    return out
