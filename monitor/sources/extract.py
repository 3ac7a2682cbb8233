"""Extraction: court decisions reported in a text, in English and Russian. Pure: text in, values out.

For each decision: its date, the court, the kind (release, parole, sentence, judgment, appeal
ruling, acquittal) when stated, the period after which it enters into force / becomes final /
can be appealed, an in-force date when the text states one, and the sentence quoted.

The extractor reports what the text says; the deadline engine does the legal counting. It is
written as rules rather than a statistical model so that every answer can be traced to a
pattern, and every miss fixed by one. Precision matters more than recall: a decision that is
not there would send advocates a wrong date, while a missed one is still caught by the
operators who read the source.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

# --------------------------------------------------------------------------------------------
# Words.
# --------------------------------------------------------------------------------------------

EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
RU_MONTHS = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip
EN_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
RU_WEEKDAYS = {
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4, "пятница": 4,
    "субботу": 5, "суббота": 5, "воскресенье": 6,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "sixty": 60, "ninety": 90,
    "один": 1, "одного": 1, "одной": 1, "одну": 1, "два": 2, "двух": 2, "две": 2, "три": 3, "трех": 3,
    "трёх": 3, "четыре": 4, "четырех": 4, "четырёх": 4, "пять": 5, "пяти": 5, "шесть": 6, "шести": 6,
    "семь": 7, "семи": 7, "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9, "десять": 10,
    "десяти": 10, "пятнадцать": 15, "пятнадцати": 15, "двадцать": 20, "двадцати": 20,
    "тридцать": 30, "тридцати": 30,
}  # fmt: skip

_MONTH_EN = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_MONTH_RU = "|".join(RU_MONTHS)
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_UNIT = (
    r"(?:calendar\s+)?days?|(?:working|business)\s+days?|weeks?|months?|years?"
    r"|(?:календарных\s+)?сут(?:ки|ок)|(?:календарных\s+)?(?:дн(?:ей|я)|день)|рабочих\s+дн(?:ей|я)"
    r"|недел[ьиюя]|месяц(?:а|ев)?|год(?:а)?|лет"
)
_PERIOD = rf"(?P<num>{_NUM})(?:-|\s+)(?P<unit>{_UNIT})"

# --------------------------------------------------------------------------------------------
# Dates.
# --------------------------------------------------------------------------------------------

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("dotted", re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b")),
    (
        "en_dmy",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_EN})\.?(?:,?\s+(?P<y>\d{{4}}))?\b",
            re.I,
        ),
    ),
    (
        "en_mdy",
        re.compile(
            rf"\b(?P<mon>{_MONTH_EN})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}}))?",
            re.I,
        ),
    ),
    (
        "ru",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})\s+(?P<mon>{_MONTH_RU})(?:\s+(?P<y>\d{{4}})(?:\s*(?:года|г\.|г\b))?)?",
            re.I,
        ),
    ),
    (
        "en_weekday",
        re.compile(
            r"\bon\s+(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
        ),
    ),
    (
        "ru_weekday",
        re.compile(
            r"(?:^|\s)в\s+(?P<wd>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b",
            re.I,
        ),
    ),
    ("relative", re.compile(r"\b(?P<rel>today|yesterday|сегодня|вчера)\b", re.I)),
]


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    value: date | None  # None: a date without a year and no publication date to take it from


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return EN_MONTHS.get(key) or RU_MONTHS[key]


def _with_year(day: int, month: int, as_of: date | None) -> date | None:
    """A date written without its year takes it from the publication date (never a future one)."""
    if as_of is None:
        return None
    try:
        candidate = date(as_of.year, month, day)
    except ValueError:
        return None
    if candidate > as_of:
        try:
            candidate = date(as_of.year - 1, month, day)
        except ValueError:
            return None
    return candidate


def find_dates(text: str, as_of: date | None) -> list[FoundDate]:
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            value: date | None
            groups = match.groupdict()
            try:
                if kind in ("iso", "dotted"):
                    value = date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
                elif kind in ("en_dmy", "en_mdy", "ru"):
                    day, month = int(groups["d"]), _month(groups["mon"])
                    value = (
                        date(int(groups["y"]), month, day)
                        if groups.get("y")
                        else _with_year(day, month, as_of)
                    )
                elif kind in ("en_weekday", "ru_weekday"):
                    weekday = {**EN_WEEKDAYS, **RU_WEEKDAYS}[groups["wd"].lower()]
                    value = (
                        as_of - timedelta(days=(as_of.weekday() - weekday) % 7) if as_of else None
                    )
                else:
                    rel = groups["rel"].lower()
                    back = 1 if rel in ("yesterday", "вчера") else 0
                    value = as_of - timedelta(days=back) if as_of else None
            except ValueError:
                continue  # 31 February and the like: not a date
            taken.append((match.start(), match.end()))
            found.append(FoundDate(match.start(), match.end(), value))
    return sorted(found, key=lambda d: d.start)


# --------------------------------------------------------------------------------------------
# Sentences.
# --------------------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "art",
    "arts",
    "no",
    "nos",
    "st",
    "mr",
    "mrs",
    "ms",
    "dr",
    "vs",
    "v",
    "p",
    "para",
    "ст",
    "г",
    "гг",
    "им",
    "т",
    "ч",
    "п",
    "см",
    "jan",
    "feb",
    "mar",
    "apr",
    "aug",
    "sept",
    "sep",
    "oct",
    "nov",
    "dec",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'»”)]*\s+(?=[\"'«“(]?[A-ZА-ЯЁ0-9])")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n|\n(?=[^\S\n]*[-•*]\s)")

# Bounds that keep the work linear in the size of the text, whatever the page: a sentence is
# at most MAX_SENTENCE characters (a longer run of words without a full stop, such as a page
# flattened into one line, is cut into pieces of that size at spaces), and a text is read up to
# MAX_TEXT characters (past that it is cut, and the result says so). Every pattern then runs
# over one bounded sentence at a time, so no pattern can backtrack over a whole line.
MAX_SENTENCE = 2_000
MAX_TEXT = 2_000_000


def bounded_pieces(text: str, limit: int = MAX_SENTENCE) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters, at spaces where there are any."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit + 1)
        end = cut if cut > start else start + limit
        pieces.append(text[start:end].strip())
        start = end
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            # The word before the full stop: looked up in a short window, never the whole run.
            before = paragraph[max(start, match.start() - 40) : match.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            out.extend(bounded_pieces(paragraph[start : match.end()]))
            start = match.end()
        out.extend(bounded_pieces(paragraph[start:]))
    return out


# --------------------------------------------------------------------------------------------
# What makes a sentence report a decision, and what does not.
# --------------------------------------------------------------------------------------------

_DECISION = re.compile(
    r"\b(?:ordered|granted|sentenced|ruled|decided|acquitted|convicted|found\s+(?:him|her|them|\w+)\s+guilty"
    r"|upheld|overturned|quashed|dismissed|rejected|refused|satisfied|annulled|released"
    r"|delivered\s+(?:its\s+|a\s+|the\s+)?(?:judgment|ruling|decision)|handed\s+down|issued\s+(?:a|its|the)\s+(?:decision|ruling|judgment|verdict)"
    r"|found\s+(?:a\s+)?violations?)\b"
    r"|\b(?:постановил[аио]?|вынес(?:ла|ло)?|приговорил[аио]?|удовлетворил[аио]?|отказал[аио]?|оправдал[аио]?"
    r"|освободил[аио]?|отменил[аио]?|оставил[аио]?\s+без\s+изменения|признал[аио]?\s+\w*\s*виновн\w*|решил[аио]?"
    r"|назначил[аио]?\s+наказание|заменил[аио]?|осужд[её]н\w*|приговор[её]н\w*|оправдан\w*)",
    re.I,
)
_COURT_ONLY = re.compile(
    r"\b(?:was|were|been|is)\s+(?:sentenced|convicted|acquitted)\b|\bосужд[её]н\w*|\bприговор[её]н\w*|\bоправдан\w*",
    re.I,
)
_COURT_WORD = re.compile(
    r"\b(?:court|judge|tribunal|justices?|chamber)\b|суд|судь[яи]|коллеги[яи]", re.I
)
# Events around a decision that are not one: a hearing put off, an appeal lodged, a hearing ahead.
_NOT_DECISION = re.compile(
    r"\b(?:postponed|adjourned|rescheduled|deferred|will\s+(?:hear|consider|examine)|is\s+(?:scheduled|expected)|was\s+scheduled"
    r"|(?:filed|lodged|submitted|sent)\s+(?:an?\s+|the\s+|his\s+|her\s+|their\s+)?(?:appeal|complaint|petition|motion|cassation))\b"
    r"|отлож\w*|перенес\w*|перенёс\w*|назначен\w*\s+на|рассмотрит|состоится"
    r"|(?:подал[аио]?|направил[аио]?|подана|подано)\s+(?:\w+\s+)?(?:жалоб\w*|апелляци\w*|ходатайств\w*)",
    re.I,
)

_IN_FORCE_PERIOD = [
    re.compile(
        rf"\b(?:come|comes|coming|came|enter|enters|entering|entered|go|goes)\s+(?:in)?to\s+(?:legal\s+)?(?:force|effect)\s+(?:in|within|after)\s+{_PERIOD}",
        re.I,
    ),
    re.compile(
        rf"\b(?:become|becomes|becoming|will\s+become)\s+final\s+(?:in|within|after)\s+{_PERIOD}",
        re.I,
    ),
    re.compile(
        rf"\b{_PERIOD}\s+(?:later|after\s+(?:its|the)\s+(?:pronouncement|delivery|announcement))?,?\s*(?:if\s+no\s+\w+[^,.]*,\s*)?(?:it|the\s+\w+)?\s*(?:will\s+)?(?:become|becomes)\s+final",
        re.I,
    ),
    re.compile(
        rf"вступ\w*\s+в\s+(?:законную\s+)?силу\s+(?:через|по\s+истечении|спустя)\s+{_PERIOD}", re.I
    ),
    re.compile(rf"через\s+{_PERIOD}\s+(?:\w+\s+)?вступ\w*\s+в\s+(?:законную\s+)?силу", re.I),
]
_APPEAL_PERIOD = [
    re.compile(
        rf"\b(?:has|have|had|with|given|there\s+(?:are|is))\s+{_PERIOD}\s+(?:in\s+which\s+)?to\s+(?:appeal|lodge\s+an?\s+appeal|file\s+an?\s+appeal|challenge|request\s+(?:a\s+)?referral)",
        re.I,
    ),
    re.compile(
        rf"\b(?:can|may|could)\s+be\s+(?:appealed|challenged)\s+(?:with)?in\s+{_PERIOD}", re.I
    ),
    re.compile(rf"\bappeal(?:ed)?\s+(?:\w+\s+){{0,3}}within\s+{_PERIOD}", re.I),
    re.compile(
        rf"\bwithin\s+{_PERIOD}\s+(?:\w+\s+){{0,4}}(?:to\s+)?(?:appeal|request\s+(?:a\s+)?referral)",
        re.I,
    ),
    re.compile(
        rf"(?:может|могут|можно)\s+быть\s+обжалован\w*\s+(?:\w+\s+){{0,3}}(?:в\s+течение|в\s+срок\s+(?:до\s+)?|через)?\s*{_PERIOD}",
        re.I,
    ),
    re.compile(
        rf"(?:обжалова\w*|подать\s+(?:апелляционную\s+)?жалобу)\s+(?:\w+\s+){{0,3}}в\s+течение\s+{_PERIOD}",
        re.I,
    ),
    re.compile(rf"в\s+течение\s+{_PERIOD}\s+(?:\w+\s+){{0,5}}обжал\w*", re.I),
]
# "в течение месяца" / "within a month": a month with no number.
_ONE_MONTH = [
    re.compile(
        r"(?:обжалова\w*|обжалован\w*)\s+(?:\w+\s+){0,3}в\s+течение\s+(?:одного\s+)?месяца", re.I
    ),
    re.compile(r"в\s+течение\s+(?:одного\s+)?месяца\s+(?:\w+\s+){0,5}обжал\w*", re.I),
    re.compile(r"вступ\w*\s+в\s+(?:законную\s+)?силу\s+через\s+месяц\b", re.I),
]
_IN_FORCE_DATE = [
    re.compile(
        r"\b(?:come|comes|came|enter|enters|entered|will\s+(?:come|enter)|go|goes|went)\s+(?:in)?to\s+(?:legal\s+)?(?:force|effect)\s+on\s+",
        re.I,
    ),
    re.compile(r"\b(?:became|becomes|become|will\s+become)\s+final\s+on\s+", re.I),
    re.compile(r"вступ\w*\s+в\s+(?:законную\s+)?силу\s+(?:с\s+)?", re.I),
]

_COURT_EN = re.compile(
    r"(?:[A-Z][\w’'.-]*\s+){1,4}Court\b"
    r"(?:\s+of\s+(?:Appeals?\s+(?:of|for)\s+)?(?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:of\s+)?[A-Z][\w’'-]*){0,3})?"
    r"|\bCourt\s+of\s+(?:Appeals?|Cassation)(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2})?"
)
# Capitalised words that can stand before a court's name without being part of it.
_NOT_COURT_NAME = {
    "on",
    "in",
    "at",
    "by",
    "the",
    "a",
    "an",
    "judgment",
    "news",
    "yesterday",
    "today",
    "last",
    "this",
    *EN_MONTHS,
    *EN_WEEKDAYS,
}
_COURT_RU = re.compile(
    r"(?:[А-ЯЁ][а-яё-]+(?:ий|ой|ый|ого|ому|ым|ом)\s+)(?:[а-яё-]+(?:ий|ой|ый|ого|ому|ым|ом)\s+){0,2}"
    r"суд(?:а|у|ом|е)?\b(?:\s+по\s+правам\s+человека)?(?:\s+(?:[А-ЯЁ][а-яё-]+(?:ой|ого|ий|ая|ского)\s+)?(?:области|края|района|республики|округа))?"
    r"|\bМосгорсуд\w*|\bЕСПЧ\b",
)

_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "parole",
        re.compile(
            r"\bparole\b|conditional(?:ly)?\s+(?:early\s+)?release|early\s+release|released\s+(?:early|conditionally)|условно[-\s]досрочн\w*|\bУДО\b",
            re.I,
        ),
    ),
    ("acquittal", re.compile(r"\bacquit\w*|оправда\w*", re.I)),
    (
        "appeal_ruling",
        re.compile(
            r"appeals?\s+court|court\s+of\s+appeals?|appellate|cassation|upheld|overturned|quashed|(?:rejected|dismissed|granted)\s+(?:the|an|his|her|their)\s+appeal|апелляци\w*|кассаци\w*|оставил\w*\s+без\s+изменения|отменил\w*\s+(?:\w+\s+)?приговор\w*",
            re.I,
        ),
    ),
    ("release", re.compile(r"\brelease\w*|освобод\w*|освобожд\w*", re.I)),
    (
        "sentence",
        re.compile(
            r"\bsentenc\w*|convicted|found\s+\w+\s+guilty|приговор\w*|признал\w*\s+\w*\s*виновн\w*|осужд[её]н\w*",
            re.I,
        ),
    ),
    # Only words that name a judgment: "decision" / "решение" alone says nothing of the kind.
    ("judgment", re.compile(r"\bjudgment\b|\bruled\b|violation|нарушени\w*", re.I)),
]


@dataclass(frozen=True)
class ExtractedDecision:
    decision_date: date | None
    court: str | None
    kind: str | None
    in_force_period: str | None
    in_force_date: date | None
    quote: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("decision_date", "in_force_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class _Draft:
    index: int
    decision_date: date | None = None
    court: str | None = None
    kind: str | None = None
    in_force_period: str | None = None
    in_force_date: date | None = None
    quotes: list[str] = field(default_factory=list)


def _unit_code(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith(("working", "business", "рабоч")):
        return "wd"
    if unit.startswith(("week", "недел")):
        return "w"
    if unit.startswith(("month", "месяц")):
        return "m"
    if unit.startswith(("year", "год", "лет")):
        return "y"
    return "d"


def _period(match: re.Match[str]) -> str | None:
    num = match.group("num").lower()
    n = int(num) if num.isdigit() else NUMBERS.get(num)
    if not n:
        return None
    return f"{n}{_unit_code(match.group('unit'))}"


_OTHER_CLAUSE = re.compile(
    r"\b(?:who|which|that|where|when|after|before|since|until|котор\w*|когда|после|до|с\s+тех)\b",
    re.I,
)


def _date_of_verb(sentence: str, dates: list[FoundDate], position: int) -> date | None:
    """The date that goes with the verb: the last one written before it, else one right after
    it in the same clause ("ordered on 4 August"), never one in a relative clause ("who were
    shot on 16 December")."""
    before = [d for d in dates if d.start < position]
    if before:
        return before[-1].value
    for found in dates:
        between = sentence[position : found.start]
        if len(between) <= 60 and not _OTHER_CLAUSE.search(between):
            return found.value
    return None


def find_period(sentence: str) -> str | None:
    for pattern in _IN_FORCE_PERIOD + _APPEAL_PERIOD:
        match = pattern.search(sentence)
        if match:
            return _period(match)
    if any(p.search(sentence) for p in _ONE_MONTH):
        return "1m"
    return None


def _in_force_date(sentence: str, dates: list[FoundDate]) -> tuple[date | None, FoundDate | None]:
    for pattern in _IN_FORCE_DATE:
        for match in pattern.finditer(sentence):
            for found in dates:
                if 0 <= found.start - match.end() <= 3:
                    return found.value, found
    return None, None


def find_court(sentence: str) -> str | None:
    for match in _COURT_EN.finditer(sentence):
        words = match.group(0).split()
        while words and words[0].lower().strip(".,") in _NOT_COURT_NAME:
            words.pop(0)
        named = len(words) > 1 and words[0] != "Court"
        if named or words[:3] in (["Court", "of", "Appeal"], ["Court", "of", "Appeals"]):
            return " ".join(words).rstrip(".,")
    russian = _COURT_RU.search(sentence)
    return russian.group(0).strip() if russian else None


def find_kind(sentence: str) -> str | None:
    for kind, pattern in _KINDS:
        if pattern.search(sentence):
            return kind
    return None


@dataclass(frozen=True)
class Extraction:
    decisions: list[ExtractedDecision]
    truncated: bool  # the text was longer than the budget: only its beginning was read


def read(text: str, as_of: date | None = None, budget: int = MAX_TEXT) -> Extraction:
    """The decisions a text reports, read up to ``budget`` characters, and whether it was cut."""
    truncated = len(text) > budget
    return Extraction(extract(text[:budget], as_of), truncated)


def extract(text: str, as_of: date | None = None) -> list[ExtractedDecision]:
    """Every decision the text reports, in the order it reports them (read up to MAX_TEXT
    characters; ``read`` also says whether the text was cut)."""
    drafts: list[_Draft] = []
    for index, sentence in enumerate(sentences(text[:MAX_TEXT])):
        dates = find_dates(sentence, as_of)
        in_force_date, in_force_found = _in_force_date(sentence, dates)
        period = find_period(sentence)
        verb = _DECISION.search(sentence)
        # A court, or a verb only a court can be the subject of ("was sentenced").
        is_decision = verb is not None and bool(
            _COURT_WORD.search(sentence) or _COURT_ONLY.search(sentence)
        )
        if is_decision and _NOT_DECISION.search(sentence):
            is_decision = False
        about_force = period is not None or in_force_date is not None
        if not is_decision and not about_force:
            continue
        if not is_decision and drafts and index - drafts[-1].index <= 2:
            # "The court decision will come into force in 15 days." follows the decision it is about.
            draft = drafts[-1]
            draft.in_force_period = draft.in_force_period or period
            draft.in_force_date = draft.in_force_date or in_force_date
            draft.quotes.append(sentence)
            draft.index = index
            continue
        decision_dates = [d for d in dates if d is not in_force_found]
        if (
            not is_decision
            and not _COURT_WORD.search(sentence)
            and not re.search(
                r"judgment|decision|verdict|ruling|решени|приговор|постановлени", sentence, re.I
            )
        ):
            continue  # a period with nothing to attach it to
        draft = _Draft(
            index=index,
            decision_date=_date_of_verb(
                sentence, decision_dates, verb.start() if verb else len(sentence)
            ),
            court=find_court(sentence),
            kind=find_kind(sentence),
            in_force_period=period,
            in_force_date=in_force_date,
            quotes=[sentence],
        )
        if draft.decision_date is None and not about_force and not decision_dates:
            continue  # "courts have repeatedly denied..." with no date at all: too vague to act on
        drafts.append(draft)
    # A decision whose date could not be told (no year, no publication date) is kept only when
    # the text gives it a period or an in-force date: something to count from.
    kept = [
        d for d in drafts if d.decision_date is not None or d.in_force_period or d.in_force_date
    ]
    return _merge(kept)


def _merge(drafts: list[_Draft]) -> list[ExtractedDecision]:
    """The same decision told twice (same date, same kind) is one decision."""
    merged: list[_Draft] = []
    for draft in drafts:
        twin = next(
            (
                m
                for m in merged
                if draft.decision_date is not None
                and m.decision_date == draft.decision_date
                and (m.kind == draft.kind or None in (m.kind, draft.kind))
            ),
            None,
        )
        if twin is None:
            merged.append(draft)
            continue
        twin.court = twin.court or draft.court
        twin.kind = twin.kind or draft.kind
        twin.in_force_period = twin.in_force_period or draft.in_force_period
        twin.in_force_date = twin.in_force_date or draft.in_force_date
    return [
        ExtractedDecision(
            d.decision_date, d.court, d.kind, d.in_force_period, d.in_force_date, " ".join(d.quotes)
        )
        for d in merged
    ]
