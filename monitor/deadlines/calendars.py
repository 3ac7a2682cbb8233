"""Court calendars: which days count as working days in a jurisdiction, and why not.

Public holidays, weekends, transferred days off and working Saturdays come from the
``holidays`` package (``is_working_day`` knows that Kazakhstan moved the day off of Saturday
5 March 2016 to Monday 7 March). Court closures and extra working days come from config.

Caveat, kept in every explanation that depends on it: governments announce transferred days
off by decree, often late in the preceding year, and Islamic holidays are estimated ahead of
the official announcement. A date computed far ahead may move when the package learns of a
decree; the monitor recomputes on every sync, and a moved date is recorded as an event.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import holidays
from holidays.registry import COUNTRIES

from monitor.deadlines.words import Words, weekday_words, where_words
from monitor.errors import RuleError

# The European Court of Human Rights is not a country: it has no entry in ``holidays``. Its
# final dates are not moved for weekends (see the echr preset), so the calendar only has to
# name the weekday; closures of the Registry can be listed in config.
ECHR = "ECHR"

_TAKES_THE = ("United", "Czech", "Dominican", "Netherlands", "Philippines", "Bahamas", "Gambia")
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for class_name, *codes in COUNTRIES.values():
        readable = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)
        for code in codes:
            if isinstance(code, str) and len(code) == 2 and code.isupper():
                names[code] = readable
    return names


@cache
def _names() -> dict[str, str]:
    return _country_names()


def supported_jurisdictions() -> dict[str, list[str]]:
    """Country code -> subdivision codes, plus ``ECHR``."""
    return {code: list(subdivs) for code, subdivs in _supported().items()}


# Asked for every calendar made (one per decision in a sync): building the table from the
# package's registry took longer than computing the decision's deadlines.
@cache
def _supported() -> dict[str, tuple[str, ...]]:
    supported = {
        code: tuple(subdivs) for code, subdivs in holidays.list_supported_countries().items()
    }
    supported[ECHR] = ()
    return supported


def check_jurisdiction(code: str) -> str | None:
    """None when ``code`` is known, else a message saying what would be accepted."""
    country, _, subdiv = code.partition("-")
    if country != ECHR and country not in _country_modules():
        return (
            f"{code!r} is not a jurisdiction the monitor knows: use an ISO 3166 country code"
            " such as KZ, RU, US, PL, optionally with a subdivision (US-NY), or ECHR"
        )
    subdivisions = () if country == ECHR else _country_class(country).subdivisions
    if subdiv and subdiv not in subdivisions:
        return f"{code!r}: {country} has no subdivision {subdiv!r}"
    return None


@cache
def _country_modules() -> dict[str, str]:
    """Country code (alpha-2 or alpha-3, as ``holidays`` accepts them) -> its module's name,
    from the package's registry, which imports no country."""
    return {
        code: module
        for module, (_, *codes) in COUNTRIES.items()
        for code in codes
        if 2 <= len(code) <= 3
    }


@cache
def _country_class(code: str) -> Any:
    """The ``holidays`` class of one country, with that country's module alone.

    ``holidays.countries`` imports all of its 250 modules whichever one is asked for: a tenth
    to a third of a second at every start of a monitor with one case in config. Most country
    modules need only the package's core, so they are loaded by themselves; once loaded, it
    is the module the package uses too (it is registered under its own name). A module that
    builds on another country's (Åland on Finland, Guam on the United States) is imported the
    package's way: loaded alone, it would start the package, which would import it again
    half-made."""
    with _LOADING:  # the import system's own lock does not cover a module loaded by hand
        return _load_country_class(code)


_LOADING = threading.Lock()


def _load_country_class(code: str) -> Any:
    name = f"holidays.countries.{_country_modules()[code]}"
    module = sys.modules.get(name)
    if module is None:
        path = Path(holidays.__file__).parent / "countries" / f"{_country_modules()[code]}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if (
            spec is None
            or spec.loader is None
            or not path.is_file()
            or "holidays.countries" in path.read_text(encoding="utf-8")
        ):
            return getattr(importlib.import_module(name), code)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return getattr(module, code)


@dataclass(frozen=True)
class DayStatus:
    """Whether a day is a working day, and the words that say why (or why not)."""

    day: date
    working: bool
    reason: str
    estimated: bool = False
    # A plain working day: not worth a word when it is counted.
    ordinary: bool = True


@dataclass
class CourtCalendar:
    jurisdiction: str
    closures: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problem = check_jurisdiction(self.jurisdiction)
        if problem:
            raise RuleError(problem)
        country, _, subdiv = self.jurisdiction.partition("-")
        self._country = country
        self._holidays: Any = None
        if country != ECHR:
            self._holidays = _holiday_calendar(country, subdiv or None)

    @property
    def name(self) -> str:
        if self._country == ECHR:
            return "the European Court of Human Rights"
        country = _names().get(self._country, self._country)
        if country.startswith(_TAKES_THE):
            country = "the " + country
        _, _, subdiv = self.jurisdiction.partition("-")
        return f"{country} ({subdiv})" if subdiv else country

    @property
    def where(self) -> str:
        """``in Kazakhstan``, ``at the European Court of Human Rights``."""
        return f"at {self.name}" if self._country == ECHR else f"in {self.name}"

    def where_in(self, language: str) -> str:
        if self._country == ECHR:
            return Words(language)("where.echr")
        return where_words(self._country, self.where, language)

    def status(self, day: date, language: str = "en") -> DayStatus:
        w = Words(language)
        if day in self.extra_working_days:
            return DayStatus(
                day, True, w("day.court_order", why=self.extra_working_days[day]), ordinary=False
            )
        if day in self.closures:
            return DayStatus(day, False, w("day.closed", why=self.closures[day]))
        weekday = weekday_words(day, language)
        if self._holidays is None:
            if day.weekday() >= 5:
                return DayStatus(day, False, w("day.weekend", weekday=weekday))
            return DayStatus(day, True, w("day.working"))
        holidays_here = self._holidays if language == "en" else self._named(language)
        name: str | None = holidays_here.get(day)
        if self._holidays.is_working_day(day):
            if day.weekday() in self._holidays.weekend:
                return DayStatus(
                    day, True, w("day.working_weekend", weekday=weekday), ordinary=False
                )
            return DayStatus(day, True, w("day.working"))
        if not name:
            return DayStatus(day, False, w("day.weekend", weekday=weekday))
        # The English names carry the package's "(estimated)" and "substituted from" marks.
        english: str = self._holidays.get(day) or name
        estimated = "estimated" in english.lower()
        moved = _SUBSTITUTED.search(english)
        if moved:
            month, dom, year = (int(g) for g in moved.groups())
            reason = w("day.transferred", day=date(year, month, dom))
        else:
            reason = w("day.holiday", name=name)
            if day.weekday() in self._holidays.weekend:
                reason = w("day.weekend_holiday", weekday=weekday, name=name)
        if estimated:
            reason += w("day.estimated")
        return DayStatus(day, False, reason, estimated)

    def _named(self, language: str) -> Any:
        """The same holidays with names in ``language`` where ``holidays`` has them."""
        country, _, subdiv = self.jurisdiction.partition("-")
        return _holiday_calendar(country, subdiv or None, language)

    def is_working_day(self, day: date) -> bool:
        return self.status(day).working


@cache
def _holiday_calendar(country: str, subdiv: str | None, wanted: str = "en") -> Any:
    country_class = _country_class(country)
    probe = country_class(subdiv=subdiv)
    supported = getattr(probe, "supported_languages", ())
    # Holiday names go into explanations: ask for the reader's language where the package
    # has it, else English, whatever the machine's locale says.
    if wanted != "en" and wanted in supported:
        language: str | None = wanted
    else:
        language = "en_US" if "en_US" in supported else None
    # Years are filled in lazily (expand=True) as dates are asked about.
    return country_class(subdiv=subdiv, language=language)
