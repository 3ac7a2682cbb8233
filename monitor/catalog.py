"""The catalog: watched cases, contacts and sources as operators write them in ``config/``.

Layout::

    config/monitor.toml         settings (see settings.py)
    config/contacts.toml        [[contacts]]: who can be told anything
    config/cases/*.toml         one watched case per file: decisions, subscriptions, sources

``load_catalog`` reads and validates everything and either returns a whole ``Catalog`` or
raises ``ConfigError`` listing every problem found, each with its file, line and key. Nothing
is half-read: a caller that gets a Catalog can apply all of it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.deadlines.calendars import CourtCalendar, check_jurisdiction
from monitor.deadlines.dates import parse_iso_date
from monitor.deadlines.reminders import DEFAULT_OFFSETS, ROLES
from monitor.deadlines.rules import OPTION_VALUES, preset
from monitor.errors import ConfigError, Problem, RuleError
from monitor.notify.headers import check_address, unsafe_reason
from monitor.sources.parse import check_selector
from monitor.tomlsource import KeyPath, TomlDocument, TomlSyntaxError, load_toml

LANGUAGES = ("en", "ru")
DECISION_KINDS = (
    "release",
    "parole",
    "sentence",
    "judgment",
    "appeal_ruling",
    "acquittal",
    "other",
)
SOURCE_KINDS = ("html", "feed", "json")
DIGESTS = ("none", "daily")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
# Deliberately plain: one @, no spaces or control characters (no header injection), a dot in
# the domain. Deliverability is the SMTP server's business, not a regex's.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_DURATION = re.compile(r"^([1-9][0-9]*)\s*(s|m|h|d|w)$")


@dataclass(frozen=True)
class ContactSpec:
    key: str
    name: str
    email: str
    language: str
    timezone: str
    where: str  # file:line, for messages


@dataclass(frozen=True)
class DecisionSpec:
    key: str
    decided_on: date
    court: str
    kind: str
    rule: str
    rule_options: dict[str, str]
    quote: str = ""
    source_url: str | None = None
    served_on: date | None = None
    in_force_explicit: date | None = None
    execution_grace_days: int | None = None
    appealed_on: date | None = None
    executed_on: date | None = None


@dataclass(frozen=True)
class SubscriptionSpec:
    contact: str
    role: str
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    appeal_offsets: tuple[int, ...] = ()
    digest: str = "none"
    send_time: str = "09:00"


@dataclass(frozen=True)
class SourceSpec:
    key: str
    kind: str
    url: str
    interval_seconds: int
    settings: dict[str, Any]
    case: str


@dataclass(frozen=True)
class CaseSpec:
    key: str
    title: str
    jurisdiction: str
    file: str
    label: str = ""
    people: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    match_terms: tuple[str, ...] = ()
    notes: str = ""
    decisions: tuple[DecisionSpec, ...] = ()
    subscriptions: tuple[SubscriptionSpec, ...] = ()


@dataclass
class CalendarExtras:
    """Court closures and extra working days per jurisdiction, from calendars.toml."""

    closures: dict[str, dict[date, str]] = field(default_factory=dict)
    working_days: dict[str, dict[date, str]] = field(default_factory=dict)

    def calendar(self, jurisdiction: str) -> CourtCalendar:
        return CourtCalendar(
            jurisdiction,
            closures=self.closures.get(jurisdiction, {}),
            extra_working_days=self.working_days.get(jurisdiction, {}),
        )


@dataclass
class Catalog:
    cases: dict[str, CaseSpec] = field(default_factory=dict)
    contacts: dict[str, ContactSpec] = field(default_factory=dict)
    sources: dict[str, SourceSpec] = field(default_factory=dict)
    calendars: CalendarExtras = field(default_factory=CalendarExtras)
    broken_contacts: set[str] = field(default_factory=set)


# ------------------------------------------------------------------------------------------
# Value checkers: each returns the value or raises ValueError with words for an operator.
# ------------------------------------------------------------------------------------------

Check = Callable[[Any], Any]


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    if any(ch in value for ch in "\r\n\x00"):
        raise ValueError("must be one line (no line breaks)")
    return value.strip()


def css_selector(value: Any) -> str:
    return check_selector(text(value))  # SelectorError is a ValueError: file, line and key


def regular_expression(value: Any) -> str:
    pattern = text(value)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
    return pattern


def header_text(value: Any) -> str:
    """Text that goes into an email header (a name, a label, a title): one plain line."""
    line = text(value)
    problem = unsafe_reason(line)
    if problem:
        raise ValueError(f"{problem}, which an email header cannot carry safely")
    return line


def header_strings(value: Any) -> tuple[str, ...]:
    values = strings(value)
    for item in values:
        problem = unsafe_reason(item)
        if problem:
            raise ValueError(f"{item!r} {problem}, which an email header cannot carry safely")
    return values


def long_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value.strip()


def slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid id (lowercase letters, digits, - and _, starting with a"
            " letter or digit)"
        )
    return value


# Legal dates the monitor can count from and to: a period of up to a hundred years from any
# of them still fits in a Python date.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def a_date(value: Any) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        day = value
    elif isinstance(value, str):
        day = parse_iso_date(value)
    else:
        raise ValueError(f"{value!r} is not a date (expected YYYY-MM-DD)")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()} is out of range (years {FIRST_YEAR} to {LAST_YEAR})")
    return day


def email_address(value: Any) -> str:
    # The same test the email headers apply, so that an accepted address can be written.
    if not isinstance(value, str) or not _EMAIL.match(value) or check_address(value):
        raise ValueError(f"{value!r} is not an email address (expected name@example.org)")
    if "=?" in value:
        raise ValueError(f'{value!r} holds "=?", the start of an encoded word')
    return value


def one_of(options: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"{value!r} is not one of: {', '.join(options)}")
        return str(value)

    return check


def strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def offsets(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 366 for v in value
    ):
        raise ValueError("must be a list of whole numbers of days from 0 to 366, like [7, 3, 1, 0]")
    return tuple(sorted(set(value), reverse=True))


def whole_days(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
        raise ValueError(f"{value!r} must be a whole number of days from 0 to 3650")
    return value


def timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a time zone name like Europe/Warsaw")
    try:
        ZoneInfo(value)
    # A folder name ("America") or a name too long for the file system is an OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{value!r} is not a time zone (expected a name like Europe/Warsaw)"
        ) from None
    return value


def clock_time(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, str) and re.match(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", value):
        return value
    raise ValueError(f"{value!r} is not a time of day (expected HH:MM, like 09:00)")


def jurisdiction(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a jurisdiction code like KZ")
    problem = check_jurisdiction(value)
    if problem:
        raise ValueError(problem)
    return value


def rule_name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a rule name like kz-criminal-appeal-15d")
    try:
        preset(value)
    except RuleError as exc:
        raise ValueError(str(exc)) from None
    return value


class KeyProblems(ValueError):
    """Several keys of one inline table are wrong: each is reported on its own."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{key}: {message}" for key, message in problems))


def rule_options(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('must be a table like { roll = "none" }')
    problems: list[tuple[str, str]] = []
    for key, option in value.items():
        if key not in OPTION_VALUES:
            problems.append((key, f"unknown option (known: {', '.join(OPTION_VALUES)})"))
        elif option not in OPTION_VALUES[key]:
            problems.append((key, f"{option!r} is not one of: {', '.join(OPTION_VALUES[key])}"))
    if problems:
        raise KeyProblems(problems)
    return dict(value)


def http_url(value: Any) -> str:
    if (
        not isinstance(value, str)
        or urlsplit(value).scheme not in ("http", "https")
        or not urlsplit(value).netloc
    ):
        raise ValueError(f"{value!r} is not an http:// or https:// address")
    return value


MAX_DURATION = 366 * 86400
MAX_BYTES = 1 << 30


def duration(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        seconds = value
    else:
        match = _DURATION.match(value) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"{value!r} is not a duration (seconds, or like 30m, 6h, 1d, 2w)")
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}[match.group(2)]
        seconds = int(match.group(1)) * unit
    if seconds > MAX_DURATION:
        raise ValueError(f"{value!r} is longer than 366 days")
    return seconds


def positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_BYTES:
        raise ValueError(f"{value!r} must be a whole number from 1 to {MAX_BYTES}")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


# ------------------------------------------------------------------------------------------
# Tables.
# ------------------------------------------------------------------------------------------

# key -> (checker, required)
CONTACT_KEYS: dict[str, tuple[Check, bool]] = {
    "id": (slug, True),
    "name": (header_text, True),
    "email": (email_address, True),
    "language": (one_of(LANGUAGES), False),
    "timezone": (timezone, False),
}
CASE_KEYS: dict[str, tuple[Check, bool]] = {
    "id": (slug, True),
    "title": (header_text, True),
    "label": (header_text, False),
    "jurisdiction": (jurisdiction, True),
    "people": (header_strings, False),
    "aliases": (header_strings, False),
    "case_numbers": (strings, False),
    "match_terms": (strings, False),
    "notes": (long_text, False),
    "rule": (rule_name, False),
    "rule_options": (rule_options, False),
    "execution_grace_days": (whole_days, False),
    "decisions": (lambda v: v, False),
    "subscriptions": (lambda v: v, False),
    "sources": (lambda v: v, False),
}
DECISION_KEYS: dict[str, tuple[Check, bool]] = {
    "id": (slug, True),
    "date": (a_date, True),
    "court": (header_text, True),
    "kind": (one_of(DECISION_KINDS), False),
    "rule": (rule_name, False),
    "rule_options": (rule_options, False),
    "quote": (long_text, False),
    "source_url": (http_url, False),
    "served_on": (a_date, False),
    "in_force": (a_date, False),
    "execution_grace_days": (whole_days, False),
    "appealed_on": (a_date, False),
    "executed_on": (a_date, False),
}
SUBSCRIPTION_KEYS: dict[str, tuple[Check, bool]] = {
    "contact": (slug, True),
    "role": (one_of(ROLES), True),
    "offsets": (offsets, False),
    "appeal_offsets": (offsets, False),
    "digest": (one_of(DIGESTS), False),
    "send_time": (clock_time, False),
}
SOURCE_KEYS: dict[str, tuple[Check, bool]] = {
    "id": (slug, True),
    "kind": (one_of(SOURCE_KINDS), True),
    "url": (http_url, True),
    "interval": (duration, False),
    "timeout": (duration, False),
    "max_bytes": (positive_int, False),
    "selector": (css_selector, False),
    "link_pattern": (regular_expression, False),
    "article_selector": (css_selector, False),
    "json_path": (text, False),
    "allow_private_addresses": (boolean, False),
}


CALENDAR_DAY_KEYS: dict[str, tuple[Check, bool]] = {
    "jurisdiction": (jurisdiction, True),
    "date": (a_date, True),
    "reason": (text, True),
}


class _Reader:
    """Collects problems while reading tables, so that all of them are reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def table(
        self, doc: TomlDocument, path: KeyPath, table: Any, keys: dict[str, tuple[Check, bool]]
    ) -> dict[str, Any] | None:
        if not isinstance(table, dict):
            self.problems.append(doc.problem(path, "must be a table"))
            return None
        values: dict[str, Any] = {}
        ok = True
        for key, value in table.items():
            if key not in keys:
                close = difflib.get_close_matches(key, list(keys), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(keys)})"
                self.problems.append(doc.problem((*path, key), f"unknown key{hint}"))
                ok = False
                continue
            try:
                values[key] = keys[key][0](value)
            except KeyProblems as exc:
                self.problems.extend(
                    doc.problem((*path, key, sub), message) for sub, message in exc.problems
                )
                ok = False
            except ValueError as exc:
                self.problems.append(doc.problem((*path, key), str(exc)))
                ok = False
        for key, (_, required) in keys.items():
            if required and key not in table:
                self.problems.append(doc.problem(path, f"{key} is missing"))
                ok = False
        return values if ok else None

    def array(self, doc: TomlDocument, key: str, data: dict[str, Any]) -> list[tuple[KeyPath, Any]]:
        items = data.get(key, [])
        if not isinstance(items, list):
            self.problems.append(doc.problem((key,), f"must be written as [[{key}]] tables"))
            return []
        return [((key, i), item) for i, item in enumerate(items)]

    def load(self, path: Path, label: str) -> TomlDocument | None:
        try:
            return load_toml(path, label)
        except TomlSyntaxError as exc:
            self.problems.append(exc.problem)
            return None


def _read_contacts(reader: _Reader, config_dir: Path, catalog: Catalog) -> None:
    path = config_dir / "contacts.toml"
    if not path.exists():
        return
    doc = reader.load(path, "contacts.toml")
    if doc is None:
        return
    for key in doc.data:
        if key != "contacts":
            reader.problems.append(
                doc.problem((key,), "unknown key (write contacts as [[contacts]] tables)")
            )
    for keypath, item in reader.array(doc, "contacts", doc.data):
        values = reader.table(doc, keypath, item, CONTACT_KEYS)
        if values is None:
            # Known but broken: subscriptions naming it are not reported a second time.
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                catalog.broken_contacts.add(item["id"])
            continue
        if values["id"] in catalog.contacts:
            first = catalog.contacts[values["id"]].where
            reader.problems.append(
                doc.problem(
                    (*keypath, "id"), f"duplicate contact id {values['id']!r} (first at {first})"
                )
            )
            continue
        catalog.contacts[values["id"]] = ContactSpec(
            key=values["id"],
            name=values["name"],
            email=values["email"],
            language=values.get("language", "en"),
            timezone=values.get("timezone", "UTC"),
            where=f"{doc.label}:{doc.line_of((*keypath, 'id'))}",
        )


def _read_calendars(reader: _Reader, config_dir: Path) -> CalendarExtras:
    extras = CalendarExtras()
    path = config_dir / "calendars.toml"
    if not path.exists():
        return extras
    doc = reader.load(path, "calendars.toml")
    if doc is None:
        return extras
    for key in doc.data:
        if key not in ("closures", "working_days"):
            reader.problems.append(
                doc.problem((key,), "unknown key (use [[closures]] or [[working_days]])")
            )
    for name, target in (("closures", extras.closures), ("working_days", extras.working_days)):
        for keypath, item in reader.array(doc, name, doc.data):
            values = reader.table(doc, keypath, item, CALENDAR_DAY_KEYS)
            if values is not None:
                target.setdefault(values["jurisdiction"], {})[values["date"]] = values["reason"]
    return extras


def load_calendars(config_dir: Path) -> CalendarExtras:
    """Only the calendar extras, for commands that need dates but not the whole catalog."""
    reader = _Reader()
    extras = _read_calendars(reader, config_dir)
    if reader.problems:
        raise ConfigError(reader.problems)
    return extras


def _read_decision(
    reader: _Reader,
    doc: TomlDocument,
    keypath: KeyPath,
    item: Any,
    case: dict[str, Any],
    today: date | None,
) -> DecisionSpec | None:
    values = reader.table(doc, keypath, item, DECISION_KEYS)
    if values is None:
        return None
    rule = values.get("rule") or case.get("rule")
    if rule is None:
        reader.problems.append(
            doc.problem(keypath, "rule is missing (set it on the decision or the case)")
        )
        return None
    options = {**case.get("rule_options", {}), **values.get("rule_options", {})}
    decided = values["date"]
    ok = True
    for fact in ("appealed_on", "executed_on", "served_on", "in_force"):
        if fact in values and values[fact] < decided:
            reader.problems.append(
                doc.problem(
                    (*keypath, fact),
                    f"{values[fact].isoformat()} is before the decision date {decided.isoformat()}",
                )
            )
            ok = False
    if today is not None:
        # A day of margin: "today" in Almaty is already tomorrow in UTC for some hours.
        latest = today + timedelta(days=1)
        for fact in ("appealed_on", "executed_on", "served_on"):
            if fact in values and values[fact] > latest:
                reader.problems.append(
                    doc.problem(
                        (*keypath, fact),
                        f"{values[fact].isoformat()} is in the future (today is"
                        f" {today.isoformat()}): record a fact once it has happened",
                    )
                )
                ok = False
    if options.get("counts_from") == "served" and "served_on" not in values:
        reader.problems.append(
            doc.problem((*keypath, "rule_options"), "counts_from = 'served' needs served_on")
        )
        ok = False
    rule_jurisdiction = preset(rule).jurisdiction
    if rule_jurisdiction and case["jurisdiction"].partition("-")[0] != rule_jurisdiction:
        reader.problems.append(
            doc.problem(
                (*keypath, "rule") if "rule" in values else ("rule",),
                f"rule {rule} is for jurisdiction {rule_jurisdiction}, but the case is in {case['jurisdiction']}",
            )
        )
        ok = False
    if not ok:
        return None
    return DecisionSpec(
        key=values["id"],
        decided_on=decided,
        court=values["court"],
        kind=values.get("kind", "other"),
        rule=rule,
        rule_options=options,
        quote=values.get("quote", ""),
        source_url=values.get("source_url"),
        served_on=values.get("served_on"),
        in_force_explicit=values.get("in_force"),
        execution_grace_days=values.get("execution_grace_days", case.get("execution_grace_days")),
        appealed_on=values.get("appealed_on"),
        executed_on=values.get("executed_on"),
    )


def _read_case(
    reader: _Reader,
    doc: TomlDocument,
    catalog: Catalog,
    seen: dict[str, str],
    today: date | None = None,
) -> None:
    case = reader.table(doc, (), doc.data, CASE_KEYS)
    if case is None:
        # Still read the decisions etc. if the case's own keys are readable enough, so that
        # every problem in the file is reported in one go.
        case = {}
        for key in ("jurisdiction", "rule", "rule_options", "execution_grace_days", "id"):
            try:
                if key in doc.data:
                    case[key] = CASE_KEYS[key][0](doc.data[key])
            except ValueError:
                pass
        case.setdefault("jurisdiction", "")
        complete = False
    else:
        complete = True
    decisions: list[DecisionSpec] = []
    decision_ids: set[str] = set()
    for keypath, item in reader.array(doc, "decisions", doc.data):
        decision = (
            _read_decision(reader, doc, keypath, item, case, today)
            if case["jurisdiction"]
            else None
        )
        if decision is None:
            complete = False
            continue
        if decision.key in decision_ids:
            reader.problems.append(
                doc.problem(
                    (*keypath, "id"), f"duplicate decision id {decision.key!r} in this case"
                )
            )
            complete = False
        decision_ids.add(decision.key)
        decisions.append(decision)
    subscriptions: list[SubscriptionSpec] = []
    pairs: set[tuple[str, str]] = set()
    for keypath, item in reader.array(doc, "subscriptions", doc.data):
        values = reader.table(doc, keypath, item, SUBSCRIPTION_KEYS)
        if values is None:
            complete = False
            continue
        if values["contact"] in catalog.broken_contacts:
            complete = False
            continue
        if values["contact"] not in catalog.contacts:
            known = ", ".join(sorted(catalog.contacts)) or "none defined in contacts.toml"
            reader.problems.append(
                doc.problem(
                    (*keypath, "contact"),
                    f"no contact {values['contact']!r} in contacts.toml (known: {known})",
                )
            )
            complete = False
            continue
        if (values["contact"], values["role"]) in pairs:
            reader.problems.append(
                doc.problem(
                    (*keypath, "contact"), "the same contact is subscribed twice with this role"
                )
            )
            complete = False
            continue
        pairs.add((values["contact"], values["role"]))
        subscriptions.append(
            SubscriptionSpec(
                contact=values["contact"],
                role=values["role"],
                offsets=values.get("offsets", DEFAULT_OFFSETS),
                appeal_offsets=values.get("appeal_offsets", ()),
                digest=values.get("digest", "none"),
                send_time=values.get("send_time", "09:00"),
            )
        )
    for keypath, item in reader.array(doc, "sources", doc.data):
        values = reader.table(doc, keypath, item, SOURCE_KEYS)
        if values is None:
            complete = False
            continue
        if values["id"] in catalog.sources:
            reader.problems.append(
                doc.problem(
                    (*keypath, "id"),
                    f"duplicate source id {values['id']!r} (also in case {catalog.sources[values['id']].case})",
                )
            )
            complete = False
            continue
        settings = {k: v for k, v in values.items() if k not in ("id", "kind", "url", "interval")}
        catalog.sources[values["id"]] = SourceSpec(
            key=values["id"],
            kind=values["kind"],
            url=values["url"],
            interval_seconds=values.get("interval", 3600),
            settings=settings,
            case=case.get("id", ""),
        )
    # A duplicate id is reported even when something else in the file is wrong too.
    case_id = case.get("id")
    if case_id in seen:
        reader.problems.append(
            doc.problem(("id",), f"duplicate case id {case_id!r} (also in {seen[case_id]})")
        )
        return
    if case_id:
        seen[case_id] = doc.label
    if not complete:
        return
    aliases = tuple(case.get("aliases", ()))
    people = tuple(case.get("people", ()))
    catalog.cases[case["id"]] = CaseSpec(
        key=case["id"],
        title=case["title"],
        # Subjects read "[Kozlov] ...": the label, else the first alias, else the id.
        label=case.get("label") or (aliases[0] if aliases else case["id"]),
        jurisdiction=case["jurisdiction"],
        file=doc.label,
        people=people,
        aliases=aliases,
        case_numbers=tuple(case.get("case_numbers", ())),
        # Matching (sources) looks for these; by default every name the case is known by.
        match_terms=tuple(case.get("match_terms", ())) or tuple(dict.fromkeys(people + aliases)),
        notes=case.get("notes", ""),
        decisions=tuple(decisions),
        subscriptions=tuple(subscriptions),
    )


def load_catalog(config_dir: Path, today: date | None = None) -> Catalog:
    """Read and validate the whole catalog. Raises ConfigError listing every problem.

    With ``today``, facts (appealed, executed, served) dated after it are refused too.
    """
    reader = _Reader()
    catalog = Catalog()
    if not config_dir.is_dir():
        raise ConfigError([Problem(str(config_dir), None, "", "configuration folder not found")])
    catalog.calendars = _read_calendars(reader, config_dir)
    _read_contacts(reader, config_dir, catalog)
    seen: dict[str, str] = {}
    cases_dir = config_dir / "cases"
    for path in sorted(cases_dir.iterdir()) if cases_dir.is_dir() else []:
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix != ".toml":
            reader.problems.append(
                Problem(
                    f"cases/{path.name}",
                    None,
                    "",
                    "not read: only .toml files in cases/ are cases (rename it or move it out)",
                )
            )
            continue
        doc = reader.load(path, f"cases/{path.name}")
        if doc is not None:
            _read_case(reader, doc, catalog, seen, today)
    if reader.problems:
        raise ConfigError(reader.problems)
    return catalog
