"""The words of date explanations, in English and Russian.

The deadline engine says the same facts in either language: which day triggered the count,
the period, each day skipped and why, the article. Each phrase is a format string; dates are
written the way the language writes them, numbers of days agree in number (1 день, 2 дня,
5 дней). Pure: no database, no clock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.deadlines.dates import human

LANGUAGES = ("en", "ru")

_RU_DAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_RU_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
_RU_WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Country names after "in" / "в" for the jurisdictions people watch most; others by code.
_RU_WHERE = {
    "KZ": "в Казахстане",
    "RU": "в России",
    "BY": "в Беларуси",
    "UA": "в Украине",
    "KG": "в Кыргызстане",
    "UZ": "в Узбекистане",
    "TJ": "в Таджикистане",
    "AZ": "в Азербайджане",
    "AM": "в Армении",
    "GE": "в Грузии",
    "PL": "в Польше",
    "US": "в США",
}

PHRASES: dict[str, dict[str, str | tuple[str, ...]]] = {
    "days": {"en": ("{n} day", "{n} days"), "ru": ("{n} день", "{n} дня", "{n} дней")},
    "unit.days": {"en": ("{n} day", "{n} days"), "ru": ("{n} день", "{n} дня", "{n} дней")},
    "unit.working_days": {
        "en": ("{n} working day", "{n} working days"),
        "ru": ("{n} рабочий день", "{n} рабочих дня", "{n} рабочих дней"),
    },
    "unit.weeks": {
        "en": ("{n} week", "{n} weeks"),
        "ru": ("{n} неделя", "{n} недели", "{n} недель"),
    },
    "unit.months": {
        "en": ("{n} month", "{n} months"),
        "ru": ("{n} месяц", "{n} месяца", "{n} месяцев"),
    },
    "unit.years": {"en": ("{n} year", "{n} years"), "ru": ("{n} год", "{n} года", "{n} лет")},
    # Triggers.
    "trigger.pronounced": {"en": "decision pronounced {day}", "ru": "решение оглашено {day}"},
    "trigger.served": {
        "en": "decision of {decided} served {day}",
        "ru": "решение от {decided} вручено {day}",
    },
    # Counting.
    "count.from": {"en": "{period} counted from {day}", "ru": "{period} отсчитываются с {day}"},
    "count.from_weeks": {
        "en": "{period} ({weeks}) counted from {day}",
        "ru": "{period} ({weeks}) отсчитываются с {day}",
    },
    "count.working_from": {
        "en": "{period} counted from {day} {where}",
        "ru": "{period} отсчитываются с {day} {where}",
    },
    "count.day_n": {"en": "day {n} is {day}", "ru": "{n}-й день: {day}"},
    "count.working_day_n": {"en": "working day {n} is {day}", "ru": "{n}-й рабочий день: {day}"},
    "count.not_counted": {"en": "not counted: {days}", "ru": "не считаются: {days}"},
    "count.skipped": {"en": "{day} ({reason})", "ru": "{day} ({reason})"},
    "count.counted": {"en": "{day} counted: {reason}", "ru": "{day} считается: {reason}"},
    "months.exact": {
        "en": "{period} after {trigger} is {day}",
        "ru": "{period} после {trigger}: {day}",
    },
    "months.clip": {
        "en": "{period} after {trigger}: the target month has no day {dom}, so the period ends"
        " on its last day, {day}",
        "ru": "{period} после {trigger}: в последнем месяце нет {dom}-го числа, поэтому срок"
        " истекает в его последний день, {day}",
    },
    "months.next_day": {
        "en": "{period} after {trigger}: the target month has no day {dom}, so the period ends"
        " on the next day, {day} (the practice seen in the court's records; a single data point)",
        "ru": "{period} после {trigger}: в последнем месяце нет {dom}-го числа, поэтому срок"
        " истекает на следующий день, {day} (так в известных нам решениях суда; это единичный"
        " пример)",
    },
    # The last day.
    "roll.working": {"en": "{day} is {reason} {where}", "ru": "{day}: {reason} {where}"},
    "roll.none": {
        "en": "{day} is {reason}; this rule does not move the date for that",
        "ru": "{day}: {reason}; по этому правилу дата из-за этого не переносится",
    },
    "roll.day": {"en": "{day} is {reason}", "ru": "{day}: {reason}"},
    "roll.moved_one": {
        "en": "{days}: not a working day {where}, so the last day moves to {day}, the next"
        " working day",
        "ru": "{days}: нерабочий день {where}, поэтому последний день переносится на {day},"
        " следующий рабочий день",
    },
    "roll.moved_many": {
        "en": "{days}: none of them a working day {where}, so the last day moves to {day}, the"
        " next working day",
        "ru": "{days}: все нерабочие дни {where}, поэтому последний день переносится на {day},"
        " следующий рабочий день",
    },
    # Outcomes.
    "appeal.last_day_to_appeal": {
        "en": "last day to appeal is {day}",
        "ru": "последний день обжалования: {day}",
    },
    "appeal.last_day_referral": {
        "en": "last day to request a referral to the Grand Chamber is {day}",
        "ru": "последний день для просьбы о передаче дела в Большую палату: {day}",
    },
    "appeal.last_day_of_period": {
        "en": "last day of the period is {day}",
        "ru": "последний день срока: {day}",
    },
    "appeal.day_before": {
        "en": ", the day before the final date",
        "ru": ", накануне даты окончательности",
    },
    "in_force.day_after_end": {
        "en": "the day after the period runs out",
        "ru": "на следующий день после истечения срока",
    },
    "in_force.end": {"en": "the day the period ends", "ru": "в день окончания срока"},
    "in_force.computed": {
        "en": "in force on {day}, {how}",
        "ru": "вступает в силу {day}, {how}",
    },
    "in_force.given": {
        "en": "in force on {day}: given in config, not computed ({differs}: {chain}; {how} {cite}).",
        "ru": "вступает в силу {day}: дата задана в настройках, а не вычислена ({differs}:"
        " {chain}; {how} {cite}).",
    },
    "in_force.same": {"en": "the same as the rule computes", "ru": "правило даёт ту же дату"},
    "in_force.differs": {"en": "the rule would give {day}", "ru": "по правилу было бы {day}"},
    "execution.due": {
        "en": "in force on {in_force} + {grace} of grace set by the operator: execution due by"
        " {day} (calendar days, not moved for weekends: this is when the escalation goes out,"
        " not a legal date).",
        "ru": "в силе с {in_force} + {grace} запаса, заданного оператором: исполнить до {day}"
        " (календарные дни, без переноса на выходные: это срок эскалации, а не юридическая"
        " дата).",
    },
    "stated.in_force": {
        "en": "decision of {decided}; in force on {day}: stated in the source, not computed"
        " (no rule is set for this decision).",
        "ru": "решение от {decided}; вступает в силу {day}: так сказано в источнике, дата не"
        " вычислена (для этого решения не задано правило).",
    },
    "stated.execution": {
        "en": "in force on {in_force} + {grace} of grace set by the operator: execution due by"
        " {day}.",
        "ru": "в силе с {in_force} + {grace} запаса, заданного оператором: исполнить до {day}.",
    },
    "uncertain": {"en": " Uncertain: {caveat}.", "ru": " Не бесспорно: {caveat}."},
    # Caveats.
    "caveat.generic": {
        "en": "a generic rule, not tied to a code of procedure: check that it matches the law"
        " of the decision",
        "ru": "общее правило, не привязанное к процессуальному кодексу: проверьте, что оно"
        " соответствует закону, по которому вынесено решение",
    },
    "caveat.estimated": {
        "en": "a holiday on the way is estimated by the calendar, not yet decreed",
        "ru": "праздник на этом отрезке календарь лишь предполагает, он ещё не объявлен",
    },
    "caveat.estimated_beside": {
        "en": "a holiday next to the last day is estimated by the calendar, not yet decreed;"
        " if it falls a day later or earlier the last day may move",
        "ru": "праздник рядом с последним днём календарь лишь предполагает, он ещё не объявлен;"
        " если он придётся на день раньше или позже, последний день может сдвинуться",
    },
    "caveat.kz_in_force": {
        "en": "art. 470 part 1 says a decision enters into force when the appeal period has run"
        ' out ("по истечении срока"); the day after the last day is our reading of it',
        "ru": "ч. 1 ст. 470 говорит, что решение вступает в силу «по истечении срока на"
        " апелляционное обжалование»; следующий день после последнего дня срока — наше"
        " толкование этих слов",
    },
    "caveat.echr_referral": {
        "en": "an estimate: Article 43 gives three months from the judgment; the day before the"
        " final date is the last safe day",
        "ru": "оценка: статья 43 даёт три месяца со дня постановления; день накануне даты"
        " окончательности — последний надёжный день",
    },
    "caveat.frcp_in_force": {
        "en": "Rule 6(a) counts the period only: the day after it is shown as the day the"
        " decision stands if nobody acts, an assumption to check for the motion at hand",
        "ru": "правило 6(a) лишь считает срок: следующий за ним день показан как день, когда"
        " решение остаётся в силе, если никто не действует, и это допущение нужно проверить",
    },
    # Why a day is or is not a working day.
    "day.working": {"en": "a working day", "ru": "рабочий день"},
    "day.court_order": {
        "en": "a working day by court order ({why})",
        "ru": "рабочий день по решению суда ({why})",
    },
    "day.closed": {"en": "the court is closed ({why})", "ru": "суд закрыт ({why})"},
    "day.weekend": {"en": "a {weekday}", "ru": "выходной ({weekday})"},
    "day.working_weekend": {
        "en": "a working {weekday} (its day off was transferred)",
        "ru": "рабочий день ({weekday}: выходной перенесён)",
    },
    "day.transferred": {
        "en": "a transferred day off, moved from {day}",
        "ru": "перенесённый выходной, перенесён с {day}",
    },
    "day.holiday": {"en": "{name}, a public holiday", "ru": "праздник: {name}"},
    "day.weekend_holiday": {"en": "a {weekday} and {name}", "ru": "выходной ({weekday}) и {name}"},
    "day.estimated": {
        "en": " (the holiday's date is estimated: check the official decree)",
        "ru": " (дата праздника предполагаемая: сверьтесь с официальным постановлением)",
    },
    "where.echr": {
        "en": "at the European Court of Human Rights",
        "ru": "в Европейском суде по правам человека",
    },
}


def plural_index(language: str, n: int) -> int:
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


def day_words(day: date, language: str) -> str:
    """``Fri 19 Aug 2016`` / ``пт, 19 августа 2016``."""
    if language == "ru":
        return f"{_RU_DAYS[day.weekday()]}, {day.day} {_RU_MONTHS[day.month - 1]} {day.year}"
    return human(day)


def weekday_words(day: date, language: str) -> str:
    return (_RU_WEEKDAYS if language == "ru" else _EN_WEEKDAYS)[day.weekday()]


def where_words(country: str, english: str, language: str) -> str:
    """``in Kazakhstan`` / ``в Казахстане``; ``english`` is what English says."""
    if language != "ru":
        return english
    return _RU_WHERE.get(country, f"в юрисдикции {country}")


class Words:
    """``w("count.day_n", n=15, day=date(...))`` in one language; dates written for it."""

    def __init__(self, language: str = "en") -> None:
        self.language = language if language in LANGUAGES else "en"

    def __call__(self, key: str, **values: Any) -> str:
        entry = PHRASES[key]
        phrase = entry.get(self.language) or entry["en"]
        if isinstance(phrase, tuple):
            n = int(values.get("n", 0))
            phrase = phrase[min(plural_index(self.language, n), len(phrase) - 1)]
        shown = {
            k: day_words(v, self.language) if isinstance(v, date) else v for k, v in values.items()
        }
        return phrase.format(**shown)

    def day(self, day: date) -> str:
        return day_words(day, self.language)
