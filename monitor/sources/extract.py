"""Extraction: court decisions reported in a text, in English and Russian. Pure: text in, values out.

For each decision: its date, the court, the kind (release, parole, sentence, judgment, appeal
ruling, acquittal, arrest, other) when stated, the appeal period and the in-force period (two
different facts), an in-force date when the text states one, and the sentences quoted.

A text is read as a document (``extract``): sentence by sentence, carrying the court last named,
the headline and dateline, periods stated before or after the decision they belong to; a
judgment published by a court is read from its header (``_echr_judgment``,
``_national_judgment``). Every pattern runs over one sentence of at most MAX_SENTENCE
characters, and a text is read up to MAX_TEXT characters, so the work is linear in the size of
the text whatever the page (``read`` says whether the text was cut).

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
    # Abbreviated, as in "4 авг. 2016".
    "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8, "сен": 9,
    "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
    # Ukrainian spellings, met in Russian texts from Ukraine.
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6, "липня": 7,
    "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
}  # fmt: skip
# The nominative, as a dateline writes it: "декабрь 9, 2019".
RU_MONTHS_NOMINATIVE = {
    "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
    "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
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
_MONTH_RU = "|".join(sorted(RU_MONTHS, key=len, reverse=True))
_MONTH_RU_NOMINATIVE = "|".join(RU_MONTHS_NOMINATIVE)
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_UNIT = (
    r"(?:calendar\s+)?days?|(?:working|business)\s+days?|weeks?|months?|years?"
    r"|(?:календарных\s+)?сут(?:ки|ок)|(?:календарных\s+)?(?:дн(?:ей|я)|день)|рабочих\s+дн(?:ей|я)"
    r"|недел[ьиюя]|месяц(?:а|ев)?|год(?:а)?|лет|дневн(?:ый|ого)\s+срок\w*"
)
_PERIOD = rf"(?P<num>{_NUM})(?:-|\s+)(?P<unit>{_UNIT})"

# --------------------------------------------------------------------------------------------
# Dates.
# --------------------------------------------------------------------------------------------

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("dotted", re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2}(?![.\d]))\b")),
    ("slash", re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}|\d{2})\b")),
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
            rf"\b(?P<d>\d{{1,2}})(?:-?го)?\s+(?P<mon>{_MONTH_RU})(?![а-яё])\.?(?:\s+(?P<y>\d{{4}})(?:\s*(?:года|г\.|г\b))?)?",
            re.I,
        ),
    ),
    (
        "ru_mdy",
        re.compile(
            rf"\b(?P<mon>{_MONTH_RU_NOMINATIVE})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})\b", re.I
        ),
    ),
    (
        "en_weekday",
        re.compile(
            r"\b(?:on\s+)?(?P<last>last\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
            r"(?!,?\s+(?:\d|(?i:" + _MONTH_EN + r")\b))",
        ),
    ),
    (
        "ru_weekday",
        re.compile(
            r"(?:^|\s)во?\s+(?P<last>(?:минувш|прошл)\w+\s+)?(?P<wd>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b",
            re.I,
        ),
    ),
    (
        "relative",
        re.compile(
            r"\b(?P<rel>today|yesterday|tonight|this\s+(?:morning|afternoon|evening)|сегодня|вчера"
            # "несколько минут назад", "an hour ago": a live report, the day it is published.
            r"|(?:(?:a\s+few|several|\d{1,2})\s+(?:minutes|hours)|an\s+hour)\s+ago"
            r"|(?:несколько|пару|\d{1,2})\s+(?:минут|часов|часа)\s+назад|(?:минуту|час)\s+назад"
            # "накануне" alone is the day before; "накануне заседания" is the eve of something.
            r"|накануне(?!\s+(?!вечером|утром|дн[её]м|ночью)[а-яё]+(?:а|я|ов|ей|ий|и|ы|ого|ых)(?![а-яё])))(?![а-яё])",
            re.I,
        ),
    ),
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


_DATE_WORDS = re.compile(
    r"\d|day|tonight|this\s+(?:morning|afternoon|evening)|\bago\b|назад|сегодня|вчера|накануне|понедельник|вторник|сред|четверг|пятниц|суббот|воскресен",
    re.I,
)


def _quoted(text: str, position: int) -> bool:
    """Whether ``position`` is inside a quotation opened earlier in ``text``."""
    before = text[:position]
    return before.count("«") > before.count("»") or before.count("“") > before.count("”")


def find_dates(text: str, as_of: date | None) -> list[FoundDate]:
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    if not _DATE_WORDS.search(text):
        return found  # no digit, no day of the week: no date
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            value: date | None
            groups = match.groupdict()
            try:
                if kind in ("iso", "dotted"):
                    year = int(groups["y"])  # "14.05.24": the century of our days
                    value = date(
                        year + 2000 if year < 100 else year, int(groups["m"]), int(groups["d"])
                    )
                elif kind == "slash":
                    day, month = int(groups["d"]), int(groups["m"])
                    if month > 12:  # 08/04/2016 is read day first unless it cannot be
                        day, month = month, day
                    year = int(groups["y"])
                    value = date(year + 2000 if year < 100 else year, month, day)
                elif kind == "ru_mdy":
                    month = RU_MONTHS_NOMINATIVE[groups["mon"].lower()]
                    value = date(int(groups["y"]), month, int(groups["d"]))
                elif kind in ("en_dmy", "en_mdy", "ru"):
                    day, month = int(groups["d"]), _month(groups["mon"])
                    value = (
                        date(int(groups["y"]), month, day)
                        if groups.get("y")
                        else _with_year(day, month, as_of)
                    )
                elif _quoted(text, match.start()):
                    # "«Заседание прошло накануне»": relative to the day the words were said,
                    # which the text does not give.
                    value = None
                elif kind in ("en_weekday", "ru_weekday"):
                    weekday = {**EN_WEEKDAYS, **RU_WEEKDAYS}[groups["wd"].lower()]
                    back = (as_of.weekday() - weekday) % 7 if as_of else 0
                    if groups.get("last") and back == 0:
                        back = 7  # "last Tuesday", "в прошлый вторник" on a Tuesday: a week ago
                    value = as_of - timedelta(days=back) if as_of else None
                else:
                    rel = groups["rel"].lower()
                    back = 1 if rel in ("yesterday", "вчера", "накануне") else 0
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
    # Russian months as dates abbreviate them: "4 авг. 2016".
    *(name for name in RU_MONTHS if len(name) <= 4 and name != "мая"),
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'»”)]*\s+(?=[\"'«“(/]?[A-ZА-ЯЁ0-9])")
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
    return [sentence for _, sentence in paragraph_sentences(text)]


def paragraph_sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a text, each with the number of its paragraph."""
    out: list[tuple[int, str]] = []
    for number, paragraph in enumerate(_PARAGRAPH.split(text)):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            # The word before the full stop: looked up in a short window, never the whole run.
            before = paragraph[max(start, match.start() - 40) : match.start()].split()
            last = before[-1].lower().rstrip(".").lstrip("(«“\"'") if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or "." in last:
                continue
            out.extend((number, p) for p in bounded_pieces(paragraph[start : match.end()]))
            start = match.end()
        out.extend((number, p) for p in bounded_pieces(paragraph[start:]))
    return out


# --------------------------------------------------------------------------------------------
# What makes a sentence report a decision, and what does not.
# --------------------------------------------------------------------------------------------

_DECISION = re.compile(
    r"\b(?:ordered|granted|sentenced|ruled|decided|acquitted|convicted|found\s+(?:[\w’'-]+\s+){0,4}guilty"
    # "handed the blogger a six-year sentence", "gave him six years in prison", "put him under
    # house arrest", "freed", "designated the newspaper a foreign agent"
    r"|handed\s+(?:[\w’'-]+\s+){0,5}?(?:sentences?|terms?)\b|gave\s+(?:[\w’'-]+\s+){0,4}?(?:years?|months?)\s+(?:in\s+(?:prison|jail)|behind\s+bars)"
    r"|put\s+(?:[\w’'-]+\s+){0,3}?under\s+(?:house\s+)?arrest|freed"
    r"|designated\s+(?:[\w’'-]+\s+){0,4}?(?:an?\s+)?(?:foreign\s+agent|extremist|undesirable|terrorist)"
    r"|denied\s+(?:\w+\s+){0,2}(?:bail|appeal|request|motion|parole|petition|complaint)|cleared\s+(?:[\w’'-]+\s+){0,4}of"
    r"|struck\s+down|thr(?:ew|own)\s+out|tossed\s+out|awarded|imposed\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:fine|sentence|ban|penalty)"
    r"|placed\s+(?:[\w’'-]+\s+){0,4}in\s+(?:pre-?trial\s+detention|custody|detention)"
    # "the banned movement", "an outlawed group": an adjective, not a decision
    r"|(?<!the\s)(?<!\ban\s)(?<!\ba\s)(?:banned|outlawed)"
    r"|declared\s+(?:[\w’'-]+\s+){0,4}(?:extremist|undesirable|illegal|unlawful|unconstitutional|inadmissible)"
    r"|upheld|overturned|quashed|dismissed|rejected|refused|satisfied|annulled|released"
    r"|kept\s+(?:[\w-]+\s+){0,4}(?:sentences?|verdicts?|rulings?|convictions?)\b|remanded|jailed(?!\s+(?:blogger|journalist|activist|opposition|politician|leader|critic|reporter|editor|lawyer|former|Kremlin|Russian|Belarusian)\b)|fined|turned\s+down|sided\s+with|left\s+(?:[\w-]+\s+){0,6}?in\s+force|sent\s+(?:[\w-]+\s+){0,6}(?:to\s+(?:prison|jail|pre-?trial\s+detention)|behind\s+bars)|did\s+not\s+(?:grant|satisfy|uphold)|left\s+(?:\w+\s+){1,4}unchanged|placed\s+(?:\w+\s+){0,2}under\s+(?:house\s+)?arrest|held\s+that|told\s+\w+\s+to\s+pay"
    r"|delivered\s+(?:its\s+|a\s+|the\s+)?(?:judgment|ruling|decision)|handed\s+down|issued\s+(?:a|its|the)\s+(?:decision|ruling|judgment|verdict)"
    r"|found\s+(?:a\s+)?violations?|upholds|sentences|jails|acquits|remands|(?<!further\s)orders|rules"
    # Headlines tell a decision in the present: "Court rejects DW correspondent's complaint".
    r"|rejects|dismisses|overturns|quashes|fines|bans|denies|refuses|convicts|frees"
    r"|(?:has|have|had)\s+been\s+given\s+(?:[\w-]+\s+){0,4}(?:sentence|prison\s+term|jail\s+term)"
    # "A court has given a parole-like sentence to an activist"
    r"|(?:has|have)\s+given\s+(?:[\w’'-]+\s+){0,4}?(?:sentences?|prison\s+terms?|jail\s+terms?)\b"
    r"|handed\s+(?:[\w-]+\s+){0,5}(?:prison|jail|suspended)\s+(?:terms?|sentences?)|received\s+(?:a\s+)?(?:[\w-]+\s+){0,2}(?:sentence|prison\s+term)"
    r"|gave\s+(?:[\w-]+\s+){0,4}(?:jail|prison)\s+(?:time|terms?|sentences?)|confirmed|extended|barred|(?:delivered|handed\s+down)\s+\w+\s+judgments"
    r"|(?:ruling|judgment|decision|verdict)\s+was\s+(?:published|posted|delivered|announced|handed\s+down|made\s+public)|should\s+stand"
    r"|(?:ruling|judgment|decision|verdict)\s+was\s+to\s+(?:reject|dismiss|uphold|grant|release|refuse|deny|satisfy))\b"
    r"|(?<![а-яё])(?:постановил[аио]?|вынес(?:ла|ло)?|получил[аио]?\s+(?:[\w-]+\s+){0,2}(?:срок|сроки|наказани[ея])(?![а-яё])|приговорил[аио]?|удовлетворил[аио]?|отказал[аио]?|оправдал[аио]?"
    r"|освободил[аио]?|отменил[аио]?|оставил[аио]?\s+(?:[\w«»-]+\s+){0,4}?(?:без\s+изменени[яй]|без\s+удовлетворени[яй]|в\s+силе)|оставлен[аоы]?\s+(?:[\w«»-]+\s+){0,4}?(?:без\s+изменени[яй]|без\s+удовлетворени[яй]|в\s+силе)|признал[аио]?\s+(?:[\w«»-]+\s+){0,4}?виновн\w*|решил[аио]?"
    r"|назначил[аио]?|заменил[аио]?|осужд[её]н[аоы]?(?![а-яё])|приговор[её]н[аоы]?(?![а-яё])|оправдан[аоы]?(?![а-яё])"
    r"|арестовал[аио]?|оштрафовал[аио]?|отправил[аио]?\s+(?:\w+\s+){0,6}(?:под\s+(?:домашний\s+)?арест|под\s+стражу|в\s+(?:СИЗО|колонию)|на\s+\d+\s+сут)"
    r"|заключил[аио]?\s+под\s+стражу|продлил[аио]?|отклонил[аио]?|не\s+стал[аио]?\s+(?:менять|смягчать|отменять|изменять)"
    r"|принял[аио]?\s+(?:\w+\s+)?решение|решение\s+(?:было\s+)?принят\w*|решение\s+(?:[\w-]+\s+){0,3}?принял[аио]?"
    # "оглашая во вторник приговор, судья пояснил...": the verdict read out, told in passing
    r"|(?:оглашая|огласив)\s+(?:[\w-]+\s+){0,3}?(?:приговор|решени|постановлени)"
    r"|взял[аио]?\s+под\s+стражу|перевел[аио]?\s+(?:\w+\s+){0,3}(?:под\s+домашний\s+арест|в\s+колонию)|ужесточил[аио]?|вернул[аио]?\s+(?:\w+\s+)?дело|прекратил[аио]?\s+(?:\w+\s+)?(?:дело|преследование)|взыскал[аио]?"
    r"|признал[аио]?\s+(?:[\w«»-]+\s+){0,4}(?:экстремистск|нежелательн|террористическ|иноагент|иностранн\w+\s+агент)\w*"
    # "отпустил под подписку о невыезде", "дал блогеру шесть лет колонии", "дал условный срок"
    r"|отпустил[аио]?\s+(?:\w+\s+){0,3}?(?:под\s+(?:подписку|залог|домашний)|из\s+(?:СИЗО|зала|-под))"
    r"|дал[аио]?\s+(?:[\w-]+\s+){0,4}?(?:лет|года?|месяц\w*|срок\w*)(?![а-яё])"
    r"|лишил[аио]?|присудил[аио]?|конфисковал[аио]?|заблокировал[аио]?|санкционировал[аио]?|подтвердил[аио]?"
    r"|удовлетворен[аоы]?(?![а-яё])|(?:было\s+)?принят[оа]?\s+решени[ея]"
    r"|избрал[аио]?|обязал[аио]?|запретил[аио]?|ликвидировал[аио]?|изменил[аио]?"
    r"|огласил[аио]?\s+(?:\w+\s+){0,2}(?:приговор|решени|постановлени)"
    r"|оставить\s+(?:[\w«»-]+\s+){0,4}?без\s+изменени[яй]|(?:объявил|огласил)[аио]?\s+(?:\d{1,2}\s+[а-яё]+\s+|во?\s+[а-яё]+\s+)?(?:судья|суд)"
    r"|рассмотрел[аио]?\s+(?:\w+\s+){0,2}(?:жалоб|апелляци|кассаци)\w*"
    r"|признал[аио]?\s+(?:\w+\s+){0,3}(?:законн|незаконн|обоснованн)\w*|признан[аоы]?\s+(?:законн|незаконн|обоснованн)\w*\s+(?:решением|постановлением|определением)|сократил[аио]?|смягчил[аио]?|снизил[аио]?|поместил[аио]?\s+под\s+(?:домашний\s+)?арест)",
    re.I,
)
_COURT_ONLY = re.compile(
    r"\b(?:was|were|been|is)\s+(?:sentenced|convicted|acquitted|jailed|fined|remanded|found\s+guilty)\b|received\s+(?:a\s+)?(?:[\w-]+\s+){0,2}(?:prison|jail)\s+(?:sentence|term)"
    r"|\b(?:was|were|has\s+been|have\s+been)\s+(?:upheld|overturned|quashed|left\s+unchanged)\b"
    r"|\b(?:was|were|has\s+been|have\s+been)\s+(?:handed\s+(?:[\w-]+\s+){0,3}(?:sentences?|terms?)\b|ordered\s+(?:held|detained|released|jailed)|freed)"
    r"|\b(?:was|were|has\s+been|have\s+been)\s+given\s+(?:[\w-]+\s+){0,3}(?:years?|months?|suspended|prison|jail)"
    r"|\bосужд[её]н[аоы]?(?![а-яё])|\bприговор[её]н[аоы]?(?![а-яё])|\bоправдан[аоы]?(?![а-яё])"
    r"|(?<![а-яё])получил[аио]?\s+(?:[\w-]+\s+){0,2}(?:срок|сроки|наказани[ея])(?![а-яё])"
    r"|(?<![а-яё])(?:приговорили|осудили|оштрафовали|арестовали|оправдали|отправили\s+под\s+арест)(?![а-яё])"
    r"|(?<![а-яё])(?:арестован[аоы]?|оштрафован[аоы]?|взят[аоы]?\s+под\s+стражу|признан[аоы]?\s+виновн\w*|(?:жалоб|апелляци)\w*\s+(?:\w+\s+){0,3}отклонен[аоы]?)(?![а-яё])"
    r"|(?<![а-яё])(?:оставили|оставлен[аоы]?)\s+(?:[\w«»-]+\s+){0,4}?(?:без\s+изменени[яй]|без\s+удовлетворени[яй]|в\s+силе)"
    r"|(?<![а-яё])(?:апелляци\w*|кассаци\w*)\s+(?:инстанци\w+\s+)?(?:оставил|отклонил|отменил|удовлетворил|признал)\w*",
    re.I,
)
_COURT_WORD = re.compile(
    r"\b(?:court|judge|tribunal|justices?|chamber|magistrates?|ECHR)\b|суд|судь[яи]|коллеги[яи]|ЕСПЧ",
    re.I,
)
# Events around a decision that are not one: a hearing put off, an appeal lodged, a hearing
# ahead, a decision expected, a court that would not comment.
_NOT_DECISION = re.compile(
    r"\b(?:postponed|adjourned|rescheduled|deferred|(?:put|puts|putting)\s+off|will\s+(?:hear|consider|examine|rule|decide|announce)|is\s+(?:scheduled|expected|due)|was\s+scheduled"
    r"|(?:is|are|was|were)\s+expected\s+to|expects?\s+(?:a|the)\s+(?:verdict|ruling|decision)|(?:declined|refused)\s+to\s+comment|no\s+comment"
    r"|(?:files?|filed|lodges?|lodged|submits?|submitted|sent)\s+(?:an?\s+|the\s+|his\s+|her\s+|their\s+)?(?:appeal|complaint|petition|motion|cassation)"
    r"|(?:appeal|complaint|petition)\s+(?:was|has\s+been|had\s+been)\s+(?:lodged|filed|submitted)"
    r"|(?:has|have|had)\s+appealed|will\s+(?:appeal|challenge)|(?:is|are)\s+(?:now\s+)?being\s+(?:challenged|appealed)"
    # A headline in the present: "Defence appeals blogger's sentence".
    r"|appeals\s+(?:(?:[\w-]+[’']s?|the|a|an|his|her|their)\s+){0,3}(?:sentence|verdict|ruling|conviction|decision|judgment)"
    r"|(?:could|would|might)\s+(?:\w+\s+)?(?:be\s+)?(?:sentenc|jail|fin|convict)\w*|if\s+the\s+(?:court|judge)"
    r"|if\s+(?:found\s+guilty|convicted|sentenced)|faces?\s+up\s+to"
    r"|(?:prosecutors?|prosecution|the\s+state)\s+(?:(?!had\b)\w+\s+){0,2}(?:asked|requested|demanded|sought|wants?|called\s+for)"
    r"|(?:asked|urged|petitioned|requested)\s+(?:the\s+)?(?:court|judge)\s+to"
    r"|over\s+the\s+(?:past|last)\s+(?:\w+\s+)?(?:years?|months?|decades?)"
    r"|(?:^|[,;:]\s)[Ss]ince\s+(?:\d{1,2}\s+)?[A-Z][a-z]+\s+(?:\d{1,2},?\s+)?\d{4})\b"
    r"|отлож\w*|если\s+суд|(?:прокурор|прокуратур|обвинени|гособвинени|гособвинител|следстви|следовател)\w*\s+(?:\w+\s+){0,2}(?:запросил|попросил|просил|потребовал|требует|просит|настаива)\w*|(?:попросил|просил|просит)\w*\s+суд\b|(?:могут|могли|может)\s+(?:быть\s+)?(?:приговорен|осужден|оштрафован)\w*|перенес\w*|присяжные\s+(?:\w+\s+)?(?:вынесли|признали)|вердикт\w*\s+присяжн\w*|отменил\w*\s+(?:\w+\s+)?заседани\w*|перенёс\w*|назначен\w*\s+на|назначил\w*\s+(?:\w+\s+)?(?:заседани|слушани|рассмотрени|дат|оглашени)\w*|рассмотрит|состоится|огласит|ожида\w+"
    r"|отказал\w*\s+(?:от\s+)?комментар\w*|(?:отказал\w*|не\s+стал[аио]?)\s+комментир\w*"
    # "За полтора года ЕСПЧ присудил...": decisions counted over a span, not one decision
    r"|(?:^|[,;:]\s)[Сс]о?\s+\d{1,2}\s+[а-яё]+\s+\d{4}"
    # "запрещена в Казахстане с мая 2020 года: ... суд решил": a state since then, and the
    # decision that made it, of then
    r"|(?<![а-яё])с\s+(?:январ|феврал|марта|апрел|мая|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*\s+\d{4}"
    r"|(?<![а-яё])за\s+(?:последние\s+)?(?:\d+|полтора|полгода|два|две|три|пять|десять|несколько)\s+(?:год|лет|месяц)\w*"
    # "добиваются, чтобы суд пересмотрел": a decision asked for
    r"|(?<![а-яё])(?:добива\w+|требу\w+|хот\w+|просит|просят|настаива\w+)[^.;]{0,40}?чтобы"
    r"|(?:подал[аио]?|направил[аио]?|подана|подано|обжаловал[аио]?)\s+(?:\w+\s+)?(?:жалоб\w*|апелляци\w*|ходатайств\w*|приговор\w*|решени\w*)",
    re.I,
)


_CYRILLIC_IN_PATTERN = re.compile(r"[а-яё]")


def _by_script(pattern: re.Pattern[str], junction: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A pattern written for both languages, cut in two: its English and its Russian half
    (each sentence runs only the half of its own script: half the work)."""
    latin, found, rest = pattern.pattern.partition(junction)
    assert found and not _CYRILLIC_IN_PATTERN.search(latin), junction
    return re.compile(latin, pattern.flags), re.compile(junction[1:] + rest, pattern.flags)


_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_DECISION_BY_SCRIPT = _by_script(_DECISION, "|(?<![а-яё])(?:")
_COURT_ONLY_BY_SCRIPT = _by_script(_COURT_ONLY, "|\\bосужд")
_NOT_DECISION_BY_SCRIPT = _by_script(_NOT_DECISION, "|отлож")

# Sentences about an older decision, told as background: "Earlier, ...", "Ранее ...".
_BACKGROUND = re.compile(
    r"^(?:earlier(?!\s+(?:this\s+(?:week|month|morning|afternoon|evening)|today|on\s+[A-Z]))|previously|(?:we\s+will\s+)?recall|it\s+(?:will\s+be|should\s+be|is)\s+recalled|as\s+a\s+reminder|as\s+(?:was\s+)?(?:previously\s+|earlier\s+)?reported(?!\s+by)|in\s+\d{4}|in\s+(?:early\s+|late\s+|mid-)?(?:January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d{1,2}\b)"
    r"|ранее(?!\s+(?:сегодня|на\s+этой\s+неделе|во?\s+(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)))|до\s+этого|прежде|напомним|напомню|как\s+(?:сообщалось|известно|писал[аио]?)|в\s+\d{4}\s+году|в\s+(?:начале\s+|конце\s+|середине\s+)?(?:январ[еья]|феврал[еья]|март[еа]?|апрел[еья]|ма[ея]|июн[еья]|июл[еья]|август[еа]?|сентябр[еья]|октябр[еья]|ноябр[еья]|декабр[еья])(?![а-яё]))"
    r"|\b(?:had\s+(?:been\s+)?(?:sentenced|convicted|ordered|ruled|found|fined|jailed|given|placed))\b",
    re.I,
)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _of_a_past_year(sentence: str, as_of: date | None) -> bool:
    """Whether the words speak of an earlier year than the publication's, and of no other."""
    years = {int(y) for y in _YEAR.findall(sentence)}
    return as_of is not None and bool(years) and max(years) < as_of.year


def _told_as_background(sentence: str, verb: re.Match[str] | None) -> bool:
    """Whether the sentence tells an older decision: it opens as background ("Earlier, ...",
    "Напомним, ..."), or its decision is in the past perfect ("had been sentenced"), unless a
    decision of now comes first and the past perfect is what it confirmed ("a Federal Court of
    Appeal confirmed that Cooper and Miller had been sentenced to jail")."""
    found = _BACKGROUND.search(sentence)
    if found is None:
        return False
    return found.start() == 0 or verb is None or verb.start() >= found.start()


# "Андрей был осужден мировым судом в апреле 2024 года": a sentence passed before, told
# without its day, is the background of the news (with its day, the dates decide).
_WAS_PASSED = re.compile(
    r"(?<![а-яё])был[аио]?\s+(?:осужд[её]н|приговор[её]н|оштрафован|арестован|признан[аоы]?\s+виновн)\w*",
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
        rf"\b(?:take|takes|taking|will\s+take)\s+effect\s+(?:in|within|after)\s+{_PERIOD}", re.I
    ),
    re.compile(
        rf"\b{_PERIOD}\s+(?:later|after\s+(?:its|the)\s+(?:pronouncement|delivery|announcement))?,?\s*(?:if\s+no\s+\w+[^,.]*,\s*)?(?:it|the\s+\w+)?\s*(?:will\s+)?(?:become|becomes)\s+final",
        re.I,
    ),
    re.compile(
        rf"вступ\w*\s+в\s+(?:законную\s+)?силу\s+(?:через|по\s+истечении|спустя|в\s+течение)\s+{_PERIOD}",
        re.I,
    ),
    re.compile(rf"через\s+{_PERIOD}\s+(?:\w+\s+)?вступ\w*\s+в\s+(?:законную\s+)?силу", re.I),
    re.compile(
        rf"в\s+течение\s+{_PERIOD}\s+(?:\w+\s+){{0,4}}вступ\w*\s+в\s+(?:законную\s+)?силу", re.I
    ),
    re.compile(rf"\b(?:become|becomes|became)\s+final\s+{_PERIOD}\s+after", re.I),
]
_APPEAL_PERIOD = [
    re.compile(
        rf"\b(?:has|have|had|with|given|there\s+(?:are|is))\s+{_PERIOD}\s+(?:in\s+which\s+)?to\s+(?:appeal|lodge\s+an?\s+appeal|file\s+an?\s+appeal|challenge|request\s+(?:a\s+)?referral)",
        re.I,
    ),
    re.compile(
        rf"\b(?:can|may|could)\s+be\s+(?:appealed|challenged)\s+(?:[\w.’'-]+\s+){{0,6}}?(?:with)?in\s+{_PERIOD}",
        re.I,
    ),
    re.compile(rf"\bappeal(?:ed)?\s+(?:\w+\s+){{0,6}}?within\s+{_PERIOD}", re.I),
    re.compile(rf"\brequest\s+(?:a\s+)?referral\s+(?:[\w’'-]+\s+){{0,5}}?within\s+{_PERIOD}", re.I),
    # "У защиты есть 10 дней на обжалование", "на подачу жалобы отводится 15 суток"
    re.compile(
        rf"(?:есть|имеет|имеют|да[её]тся|отводится|отведено)\s+{_PERIOD}\s+на\s+(?:обжаловани|подачу\s+(?:\w+\s+)?(?:жалоб|апелляци))\w*",
        re.I,
    ),
    re.compile(
        rf"на\s+(?:обжаловани|подачу\s+(?:\w+\s+)?(?:жалоб|апелляци))\w*\s+(?:\w+\s+){{0,3}}?(?:отводится|отведено|да[её]тся|есть)\s+{_PERIOD}",
        re.I,
    ),
    # "Апелляционную жалобу можно подать в течение 15 суток"
    re.compile(
        rf"(?:апелляци|жалоб)\w*\s+(?:\w+\s+){{0,3}}?(?:подать|подан\w*)\s+(?:[\w«»]+\s+){{0,4}}?в\s+течение\s+{_PERIOD}",
        re.I,
    ),
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
    re.compile(
        rf"обратиться\s+(?:в\s+[\w-]+\s+)?с\s+(?:апелляционной\s+|кассационной\s+)?жалоб\w*\s+в\s+течение\s+{_PERIOD}",
        re.I,
    ),
    re.compile(
        rf"(?:обжалова\w*|обжалован\w*|(?:подать|подана)\s+(?:\w+\s+)?(?:апелляци\w*|жалоб\w*))\s+(?:[\w«»]+\s+){{0,8}}(?:на\s+протяжении|в\s+течение|в)\s+{_PERIOD}",
        re.I,
    ),
    re.compile(
        rf"(?:на\s+протяжении|в\s+течение)\s+{_PERIOD}\s+(?:\w+\s+){{0,3}}(?:подать\s+)?(?:апелляци\w*|жалоб\w*|обжал\w*)",
        re.I,
    ),
    re.compile(
        rf"\b(?:appeal|challenge)\s+(?:(?!force|effect|final)\w+\s+){{0,4}}(?:within|in)\s+{_PERIOD}",
        re.I,
    ),
    re.compile(
        rf"срок\w*\s+(?:на\s+)?(?:апелляционн\w+\s+|кассационн\w+\s+)?обжаловани[ея]\s+(?:[\w,]+\s+){{0,4}}(?:составляет|—|–|-)\s+{_PERIOD}",
        re.I,
    ),
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
    # "The Appeals Chamber of the High Anti-Corruption Court", "the 7th U.S. Circuit Court of
    # Appeals", "Istanbul's 25th High Criminal Court".
    r"(?:(?:[A-Z][\w’'-]*\s+){1,2}(?:Chamber|Collegium|Division|Board|Panel)\s+of\s+the\s+)?"
    r"(?:(?:[A-Z][\w’'.-]*|\d{1,3}(?:st|nd|rd|th))\s+){1,4}Court\b"
    r"(?:\s+(?:of|for)\s+(?!(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)(?:Appeals?\s+(?:of|for)\s+)?(?:the\s+)?[A-Z][\w’'.-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'-]*){0,4})?"
    r"(?:\s+\((?:[A-Z][a-z]+\s+Section|Grand\s+Chamber)\))?"
    # "Pershamaiski District Court in Minsk": the city it sits in, one capitalised word
    r"(?:\s+in\s+(?!(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)[A-Z][a-z’'-]+(?=[\s,.;:]|$)(?!\s+[A-Z]))?"
    r"|\bCourt\s+of\s+(?:Appeals?|Cassation)(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2})?"
)
_CITY_EN = r"[A-Z][\w’'-]+(?:[\s-]+(?:on-)?[A-Z][\w’'-]+)?"
_COURT_EN_ADJ = (
    r"city|district|regional|municipal|military|garrison|appeals?|supreme|circuit|federal|county"
    r"|criminal|civil|administrative|economic|commercial|provincial|high|juvenile|magistrates?[’']?"
)
# Courts named in lower case, or by the city they sit in: "the Khimki city court", "the
# Khamovniki district court in the Russian capital", "a court in Khimki", "A court in the
# southern city of Almaty", "An Egyptian court", "the Strasbourg court".
_COURT_EN_PLAIN = re.compile(
    rf"\b(?:[Tt]he\s+)?{_CITY_EN}\s+(?:(?:{_COURT_EN_ADJ})\s+){{1,2}}court\b"
    rf"(?:\s+(?:in|of)\s+(?:the\s+)?(?:[A-Z][\w’'-]+\s+)?(?:capital|{_CITY_EN}(?:\s+(?:region|province|oblast))?))?"
    rf"|\b(?:[Aa]n?|[Tt]he)\s+(?!(?:same|other|lower|higher|said)\b)(?:(?:[a-z][a-z’'-]*|US|U\.S\.|[A-Z][a-z]+(?=\s+court))\s+){{0,3}}court(?:\s+of\s+appeals?|\s+for\s+(?:[a-z]+\s+){{0,2}}[a-z]+)?\s+in\s+(?:(?:the|a|[a-z]+|[A-Z][\w]*[’']s)\s+){{0,4}}{_CITY_EN}(?:,\s+(?:[A-Z][\w’'-]+\s+)?[A-Z][\w’'-]+)?"
    r"|\b[A-Z][\w-]+[’']s\s+(?:[A-Z][a-z]+\s+)?Court\s+of\s+Appeals?\b"
    r"|\b[A-Z][a-z]+[’']s\s+(?:[a-z]+\s+){1,2}court\b|\b[A-Z][a-z]+[’']s\s+[A-Z][a-z]+\s+court\b"
    r"|\b[Aa]n?\s+[A-Z][a-z]+\s+court(?:\s+of\s+appeals?)?\b"
    r"|\b[Tt]he\s+(?!Strasbourg\b)[A-Z][a-z]+\s+court\b(?!\s+(?:of|for|in)\b)"
    r"|\b[Tt]he\s+Strasbourg\s+court\b|\bECHR\b"
    # "the Court of Grave Crimes in Azerbaijan's capital Baku", "the Court of First Instance"
    r"|\b[Tt]he\s+Court\s+of\s+(?!Human\b|Appeals?\b|Cassation\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}"
    r"(?:\s+in\s+(?:[A-Z][a-z]+[’']s\s+capital,?\s+)?[A-Z][a-z]+(?=[\s,.;:]|$)(?!\s+[A-Z]))?"
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
    "when",
    "after",
    "but",
    "and",
    "as",
    "if",
    "since",
    "then",
    "while",
    *EN_MONTHS,
    *EN_WEEKDAYS,
}
# An adjective's ending; a noun in "-ием" ("Постановлением суда") is not one.
_RU_ADJ = r"[а-яё-]+(?:ий|ой|ый|ого|ему|ому|ым|им|ом|(?<!и)ем|ая|ую|ей)"
_RU_COURT_HEAD = r"(?:[Сс]уд|райсуд|горсуд|облсуд|крайсуд|горрайсуд|военсуд)(?:а|у|ом|е)?\b"
# A place in the genitive, as it follows a court's name: "Москвы", "Санкт-Петербурга",
# "Кабардино-Балкарии", "Набережных Челнов", "Нижнего Новгорода"; never the first of two
# capitalised words (a person: "Марии Алехиной").
_RU_PLACE_GENITIVE = (
    r"(?:[А-ЯЁ][а-яё]+-на-[А-ЯЁ][а-яё]+"
    r"|[А-ЯЁ][а-яё]+(?:ых|их|ого|его)\s+[А-ЯЁ][а-яё]+(?:ов|ей|а|и|ы)(?![а-яё])"
    r"|[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*(?:ы|а|и|я)(?![а-яё-])(?!\s+(?!Республики\b)[А-ЯЁ][а-яё]))"
)
# After "города" / "г." any form of a name is a place: "города Грозного", "г. Набережные Челны".
_RU_PLACE_ANY = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*(?:\s+(?!Республик)[А-ЯЁ][а-яё]+(?![а-яё-])(?=\s+[а-яё]|\W|$))?"
# A city or country in the genitive after a court's name ("... суд Москвы", "... суда
# Бишкека", "... суд города Алматы"), never the first of two capitalised words (a person).
_RU_WHERE = (
    r"(?:\s+по\s+(?:уголовным|гражданским|административным|экономическим)\s+делам)?"
    r"(?:\s+общей\s+юрисдикции)?"
    r"(?:\s+(?:Российской\s+Федерации|РФ)\b"
    rf"|\s+(?:города|г\.)\s*{_RU_PLACE_ANY}"
    rf"|\s+{_RU_PLACE_GENITIVE}"
    r"|\s+столицы\b)?"
    r"(?:\s+(?:[А-ЯЁ][а-яё-]+(?:ой|ого|ий|ая|ского)\s+)?(?:области|края|района|республики|округа)"
    r"|\s+Республики\s+[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)?"
)
_RU_PANEL = r"(?:(?:[Сс]удебн\w+\s+)?[Кк]оллеги\w+\s+по\s+(?:[а-яё]+\s+делам|делам\s+[а-яё]+)\s+|[Пп]резидиум\w*\s+|(?:[Аа]пелляционн|[Кк]ассационн|[Вв]оенн)\w+\s+коллеги\w+\s+)?"
_RU_PANEL_NAMED = r"(?:[Сс]удебн\w+\s+)?[Кк]оллеги\w+\s+по\s+[а-яё]+\s+делам\s+"
_COURT_RU = re.compile(
    r"(?<![\w-])(?:"
    rf"{_RU_PANEL}[А-ЯЁ]{_RU_ADJ}\s+(?:{_RU_ADJ}\s+){{0,3}}{_RU_COURT_HEAD}(?:\s+по\s+правам\s+человека(?:\s+\([А-ЯЁ][а-яё]+\s+[Сс]екция\))?)?{_RU_WHERE}"
    rf"|{_RU_PANEL_NAMED}(?:районн|городск|областн|краев|верховн|апелляционн|кассационн|военн|межрайонн)[а-яё]*\s+{_RU_COURT_HEAD}{_RU_WHERE}"
    rf"|{_RU_PANEL}\b(?:(?:специализированн|межрайонн|окружн|гарнизонн|военн)[а-яё]*\s+){{0,2}}(?:районн|городск|областн|краев|верховн|апелляционн|кассационн|военн|межрайонн)[а-яё]*\s+{_RU_COURT_HEAD}(?=\s+(?:[А-ЯЁ]|по\s+[а-яё]+\s+делам|города|г\.)){_RU_WHERE}"
    rf"|\b[Сс]удебн\w+\s+[Кк]оллеги\w+\s+по\s+[а-яё]+\s+делам\s+(?:{_RU_ADJ}\s+){{1,2}}{_RU_COURT_HEAD}"
    # "Суд № 2 Сарыаркинского района города Нур-Султана", "суд № 3 города Бишкека"
    rf"|\b[Сс]уд\s+№\s*\d+\s+(?:[А-ЯЁ]{_RU_ADJ}\s+района(?:\s+(?:города|г\.)\s*{_RU_PLACE_ANY}|\s+{_RU_PLACE_GENITIVE})?|(?:города\s+)?[А-ЯЁ][а-яё-]+)"
    # "суд в Тверской области", "в Пермском крае"
    r"|\b[Сс]уд\s+в\s+[А-ЯЁ][а-яё-]+(?:ой|ом)\s+(?:области|крае|республике|округе)(?![а-яё])"
    # "российский суд", "белорусского суда": a court told by its country, as "a Russian court"
    r"|(?<![\w-])(?:[Рр]оссийск|[Бб]елорусск|[Кк]азахстанск|[Кк]иргизск|[Кк]ыргызск|[Уу]збекск|[Тт]аджикск|[Уу]краинск|[Аа]зербайджанск|[Гг]рузинск|[Аа]рмянск|[Тт]урецк)(?:ий|ого|ому|им|ом)\s+суд(?:а|у|ом|е)?(?![а-яё])"
    # "суд в Екатеринбурге", "в Перми", "в Нур-Султане", "в Нижнем Новгороде"
    r"|\b[Сс]уд\s+в\s+(?!(?:России|Украине|Беларуси|Белоруссии|Казахстане|Киргизии|Кыргызстане|Узбекистане|Таджикистане|Грузии|Армении|Азербайджане|Молдове|Молдавии|Турции)\b)(?:[А-ЯЁ][а-яё]+(?:ем|ом)\s+)?[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*[еи](?![а-яё-])"
    # "суд Набережных Челнов", "суд города Астаны", "суд Еврейской автономной области"
    rf"|\b[Сс]уд(?:а|у|ом|е)?\s+(?:(?:города|г\.)\s*{_RU_PLACE_ANY}|{_RU_PLACE_GENITIVE}"
    rf"|(?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:ой|ого)\s+)(?:[а-яё]+(?:ой|ого)\s+)?(?:области|края|округа|республики))"
    rf"|\b[Сс]уд(?:а|у|ом|е)?\s+[А-ЯЁ]{_RU_ADJ}\s+(?:{_RU_ADJ}\s+)?района(?:\s+(?:города|г\.)\s*{_RU_PLACE_ANY}|\s+{_RU_PLACE_GENITIVE})?"
    r"|\b(?:[Рр]айсуд|[Гг]орсуд|[Оо]блсуд|[Кк]райсуд)(?:а|у|ом|е)?\s+[А-ЯЁ][а-яё-]+(?:ы|а|и|я)(?![а-яё])(?!\s+[А-ЯЁ][а-яё])"
    r"|\bМособлсуд\w*"
    rf"|(?<![\w-])[а-яё]+ск(?:ий|ого|ому|им|ом)\s+(?:городск|районн|областн|краев)[а-яё]+\s+{_RU_COURT_HEAD}"
    r"|\b[Мм]ировой\s+судья\s+(?:в\s+[А-ЯЁ][а-яё]+\s+районе|судебного\s+участка\s+№\s*\d+)"
    r"|(?:[Пп]резидиум\w*\s+)?\bМосгорсуд\w*|\bЕСПЧ\b|\b[Сс]трасбургск\w+\s+суд\w*"
    r")"
)
# A court referred back to: "the court", "суд" with no name.
_COURT_BACK = re.compile(
    r"\b(?:the|this|that)\s+(?:same\s+|appeals?\s+|appellate\s+|higher\s+)?(?:court|Court|judge|tribunal)\b|\bJudge\s+[A-Z]"
    r"|(?<![А-ЯЁа-яё])(?:[Аа]пелляци[яи]|[Кк]ассаци[яи]|(?:[Аа]пелляционн|[Кк]ассационн)\w+\s+инстанци\w+)(?![а-яё])|(?<![А-ЯЁа-яё])(?:[Сс]уд|судья|суде|суда|коллеги[яи])(?![а-яё])"
)

_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "appeal_ruling",
        re.compile(
            r"appeals?\s+court|court\s+of\s+appeals?|appellate|cassation|upheld|upholds|should\s+stand|left\s+(?:[\w-]+\s+){0,6}?(?:in\s+force|unchanged|intact)|kept\s+(?:[\w-]+\s+){0,4}(?:sentences?|verdicts?|rulings?|convictions?)\b|overturned|quashed|(?:rejected|dismissed|granted|denied|turned\s+down)\s+(?:[\w’'-]+\s+){0,3}?appeal"
            r"|\bconfirmed\s+(?:\w+\s+){0,4}(?:sentence|verdict|ruling)|thr(?:ew|owing)\s+out\s+(?:\w+\s+){0,2}appeal"
            r"|апелляци\w*|кассаци\w*|признал\w*\s+(?:\w+\s+){0,3}законн\w*|признан[аоы]?\s+законн\w*|остав(?:ил|ить|лен)\w*\s+(?:[\w«»-]+\s+){0,4}?(?:без\s+изменени[яй]|без\s+удовлетворени[яй]|в\s+силе)|отказал\w*\s+(?:в\s+)?пересм(?:атр|отр)\w*|подтвердил\w*\s+(?:\w+\s+)?(?:арест|приговор|решени|законност)\w*|жалоб\w*\s+(?:[\w-]+\s+){0,3}?на\s+(?:приговор|постановлени|решени|определени|арест|продлени)\w*|отменил\w*\s+(?:\w+\s+)?приговор\w*|не\s+стал\w*\s+(?:менять|смягчать|отменять|изменять)",
            re.I,
        ),
    ),
    (
        "parole",
        re.compile(
            r"\bparole\b(?!-like)|conditional(?:ly)?\s+(?:early\s+)?release|early\s+release|released\s+(?:early|conditionally)|условно[-\s]досрочн\w*|\bУДО\b",
            re.I,
        ),
    ),
    ("acquittal", re.compile(r"\bacquit\w*|\bcleared\s+(?:[\w’'-]+\s+){0,4}of|оправда\w*", re.I)),
    (
        "arrest",
        re.compile(
            r"\bremand\w*|\b(?:be|been|was|were|remain|stay)\s+(?:held|kept|detained|in\s+custody)\s+(?:in\s+(?:custody|detention|jail)\s+)?until\b|measure\s+of\s+restraint|preventive\s+measure|restraint\s+measure|house\s+arrest|pre-?trial\s+detention|in\s+custody|held\s+for\s+\d+\s+days|arrested\s+for"
            r"|под\s+(?:домашний\s+)?арест|арестова\w*|под\s+стражу|мер\w*\s+пресечения|\bСИЗО\b|на\s+\d+\s+суток"
            r"|санкционировал\w*\s+арест|(?<![а-яё])об\s+аресте"
            # "продлили арест", "останется под стражей": custody extended
            r"|продл\w+\s+(?:[\w-]+\s+){0,3}?арест|(?<![а-яё])арест\w*\s+(?:[\w-]+\s+){0,3}?продл\w+|под\s+стражей",
            re.I,
        ),
    ),
    ("release", re.compile(r"\brelease\w*|\bfreed\b|освобод\w*|освобожд\w*|отпустил\w*", re.I)),
    (
        "sentence",
        re.compile(
            r"\bsentenc\w*|convicted|found\s+(?:[\w’'-]+\s+){0,4}guilty|jailed|(?:prison|jail)\s+(?:terms?|time)|\b(?:years?|months?)\s+(?:in\s+(?:prison|jail)|behind\s+bars)|приговор\w*|признал\w*\s+(?:[\w«»-]+\s+){0,4}?виновн\w*|осужд[её]н\w*|лишени\w+\s+свободы|колони\w+"
            # A fine is a penalty, administrative or criminal: the same deadlines follow.
            r"|\bfined\b|\bfine\s+of\b|штраф\w*|оштрафова\w*"
            # "получили реальные сроки": a term of imprisonment received.
            r"|получил\w*\s+(?:[\w-]+\s+){0,2}срок(?:а|и|ов)?(?![а-яё])|условн\w+\s+срок\w*",
            re.I,
        ),
    ),
    (
        "other",
        re.compile(
            r"обязательн\w+\s+работ\w*|ликвидир\w*|\bliquidat\w*"
            # a ban on assemblies, an injunction: a court's order, not a penalty
            r"|запрет\w*\s+на\s+(?:проведение\s+)?(?:мирные\s+|публичные\s+)?(?:собрани|митинг|акци)\w*"
            r"|\bban\s+on\s+(?:\w+\s+)?(?:protests|rallies|assemblies|gatherings|demonstrations)\b|\binjunction\b",
            re.I,
        ),
    ),
    # Only words that name a judgment: "decision" / "решение" alone says nothing of the kind.
    ("judgment", re.compile(r"\bjudgment\b|\bruled\b|violation|нарушени\w*|ЕСПЧ|\bECHR\b", re.I)),
]


@dataclass(frozen=True)
class ExtractedDecision:
    decision_date: date | None
    court: str | None
    kind: str | None
    in_force_period: str | None  # after which it enters into force / becomes final
    in_force_date: date | None
    quote: str
    appeal_period: str | None = None  # within which it can be appealed (or a referral asked)

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
    appeal_period: str | None = None
    in_force_period: str | None = None
    in_force_date: date | None = None
    quotes: list[str] = field(default_factory=list)
    court_named: bool = False  # the court is named in the decision's own sentence
    case: str | None = None  # "Georgiou v. Greece": a list of judgments tells several apart
    told_twice: bool = False  # announced in the lead, told in full in the body
    later: bool = False  # told as coming after the one before: "Days later, the same court..."


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
    r"\b(?:who|which|that|where|when|after|following|before|since|until|котор\w*|когда|после|до|с\s+тех)\b",
    re.I,
)


def _date_of_verb(
    sentence: str, dates: list[FoundDate], position: int, end: int | None = None
) -> date | None:
    """The date that goes with the verb: the last one written before it, else one right after
    it in the same clause ("ordered on 4 August"), never one in a relative clause ("who were
    shot on 16 December")."""
    before = [d for d in dates if d.start < position and not _SINCE.search(sentence, 0, d.start)]
    if before:
        return before[-1].value
    for found in (d for d in dates if d.start >= position):
        between = sentence[max(position, end or 0) : found.start]
        # "sentenced Usmonov, the BBC's reporter in Sughd, to three years in prison on October
        # 14": English tells the day after the whole object.
        limit = 60 if _CYRILLIC.search(sentence) else 120
        if len(between) > limit or _OTHER_CLAUSE.search(between) or _REPORTED.search(between):
            continue
        if _CYRILLIC.search(sentence) and not _WHEN.search(between):
            continue  # "участника акции 27 июля": the day of the rally, not of the arrest
        return found.value
    return None


# "since 15 March 2022", "с 15 марта": the start of a span, not the day of a decision.
_SINCE = re.compile(r"(?:\b(?:since|from)|(?<![а-яё])(?:с|со|начиная\s+с))\s+$", re.I)
# In Russian, a date after the verb is the verb's when it comes right after it, is told as a
# time ("арестовал в пятницу") or follows a verb of announcing ("— объявила 24 мая судья"); a
# date after a noun names an event: "участника акции 27 июля" is not the day of the arrest.
_WHEN = re.compile(
    r"^\W*(?:\S+\W+)?$|(?<![а-яё])во?\W*$|(?<![а-яё])[а-яё]{3,}(?:ил|ал|ял|ел)[аио]?\W*$",
    re.I,
)
# "..., сообщил ТАСС в пятницу", "a spokesman said on Friday": the day it was told.
_REPORTED = re.compile(
    r"\b(?:said|told|reported|announced\s+to)\b|(?<![а-яё])(?:сообщил|рассказал|заявил|пишет|передает|передаёт|сообщает)",
    re.I,
)


def find_periods(sentence: str) -> tuple[str | None, str | None]:
    """(appeal period, in-force period) the sentence states, each as "15d", "10wd", "3m"."""
    appeal = in_force = None
    low = sentence.lower()
    if not any(unit in low for unit in _UNIT_STEMS):
        return None, None
    about_force = any(word in low for word in ("force", "effect", "final", "силу"))
    about_appeal = any(word in low for word in _APPEAL_STEMS)
    for pattern in _IN_FORCE_PERIOD if about_force else ():
        match = pattern.search(sentence)
        if match:
            in_force = _period(match)
            break
    for pattern in _APPEAL_PERIOD if about_appeal else ():
        match = pattern.search(sentence)
        if match:
            appeal = _period(match)
            break
    if appeal is None and about_appeal and any(p.search(sentence) for p in _ONE_MONTH[:2]):
        appeal = "1m"
    if in_force is None and about_force and _ONE_MONTH[2].search(sentence):
        in_force = "1m"
    return appeal, in_force


_APPEAL_STEMS = ("appeal", "challenge", "referral", "обжал", "жалоб", "апелляц")
_UNIT_STEMS = ("day", "week", "month", "year", "сут", "дн", "недел", "месяц", "год", "лет")


def _about_an_appeal(sentence: str) -> bool:
    low = sentence.lower()
    return any(stem in low for stem in _APPEAL_STEMS)


def find_period(sentence: str) -> str | None:
    """The period the sentence states: the in-force period, else the appeal period."""
    appeal, in_force = find_periods(sentence)
    return in_force or appeal


def _in_force_date(sentence: str, dates: list[FoundDate]) -> tuple[date | None, FoundDate | None]:
    if not dates:
        return None, None
    for pattern in _IN_FORCE_DATE:
        for match in pattern.finditer(sentence):
            for found in dates:
                if 0 <= found.start - match.end() <= 3:
                    return found.value, found
    # "On 27 October the judgment ... became final": the one date, told before the words.
    final = _BECAME_FINAL.search(sentence)
    if final is not None and len(dates) == 1 and dates[0].end <= final.start():
        return dates[0].value, dates[0]
    return None, None


_BECAME_FINAL = re.compile(
    r"\b(?:became|has\s+become)\s+final\b|вступил[аио]?\s+в\s+(?:законную\s+)?силу|стал[аио]?\s+окончательн\w+"
)


def _named_courts(sentence: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    low = sentence.lower()
    english = "court" in low or "echr" in low
    russian = "суд" in low or "еспч" in low
    if not (english or russian):
        return found
    for match in _COURT_EN.finditer(sentence) if english else ():
        words = match.group(0).split()
        while words and words[0].lower().strip(".,") in _NOT_COURT_NAME:
            words.pop(0)
        named = len(words) > 1 and words[0] != "Court"
        if named or words[:3] in (["Court", "of", "Appeal"], ["Court", "of", "Appeals"]):
            found.append((match.end() - len(" ".join(words)), " ".join(words).rstrip(".,")))
    for pattern in [
        p for p, wanted in ((_COURT_EN_PLAIN, english), (_COURT_RU, russian)) if wanted
    ]:
        for match in pattern.finditer(sentence):
            found.append((match.start(), match.group(0).strip().rstrip(".,")))
    # "The Strasbourg court", "ECHR", "ЕСПЧ" are the European Court of Human Rights.
    return sorted((start, ECHR if _STRASBOURG.fullmatch(name) else name) for start, name in found)


_STRASBOURG = re.compile(
    r"(?:[Tt]he\s+)?Strasbourg\s+[Cc]ourt|[Сс]трасбургск\w+\s+суд\w*|ECHR|ЕСПЧ"
)


def find_court(sentence: str) -> str | None:
    """The first court the sentence names, as it names it."""
    found = _named_courts(sentence)
    return found[0][1] if found else None


def find_kind(sentence: str) -> str | None:
    for kind, pattern in _KINDS:
        if pattern.search(sentence):
            return kind
    return None


def _kind_of_verb(sentence: str, verb: re.Match[str] | None) -> str | None:
    """The kind of the decision the verb tells: the words of the verb and what follows it
    ("... arrested for interrupting ... and received a light sentence" is a sentence), unless
    the sentence is about an appeal, which makes any decision in it an appeal ruling."""
    whole = find_kind(sentence)
    if verb is None or whole in (None, "appeal_ruling"):
        return whole
    after = sentence[verb.start() : verb.end() + 60]
    found = [
        (m.start(), kind)
        for kind, pattern in _KINDS
        if kind != "judgment" and (m := pattern.search(after))  # "ruled" names no kind
    ]
    # The kind first told after the verb: "sentenced him to time served, as he had spent a
    # night in custody" is a sentence, not an arrest.
    if any(kind == "parole" for _, kind in found):
        return "parole"  # "освободил блогера по УДО": a release, of the kind parole
    return min(found)[1] if found else whole


@dataclass(frozen=True)
class Extraction:
    decisions: list[ExtractedDecision]
    truncated: bool  # the text was longer than the budget: only its beginning was read


def read(text: str, as_of: date | None = None, budget: int = MAX_TEXT) -> Extraction:
    """The decisions a text reports, read up to ``budget`` characters, and whether it was cut."""
    truncated = len(text) > budget
    return Extraction(extract(text[:budget], as_of), truncated)


# --------------------------------------------------------------------------------------------
# The European Court of Human Rights: a judgment as the Court publishes it, and its finality.
# --------------------------------------------------------------------------------------------

ECHR = "European Court of Human Rights"
# "This judgment will become final in the circumstances set out in Article 44 § 2 of the
# Convention": a Chamber judgment, final three months after its date unless a referral to the
# Grand Chamber is asked (or the parties say they will not ask, or a referral is refused).
_ARTICLE_44 = re.compile(
    r"Article\s+44\s*(?:§\s*)?2\b|пункт\w*\s+2\s+[Сс]тать\w+\s+44|стать\w+\s+44\s*§\s*2"
    r"|(?:become|becomes|became)\s+final\s+three\s+months|станет\s+окончательным\s+через\s+три\s+месяца",
)
_ECHR_HEADER = re.compile(
    r"(?:STRASBOURG|Strasbourg|Страсбург|СТРАСБУРГ)\b[\s,.]*(?=\S)"
    r"|(?:Судебное\s+решение|Постановление|ПОСТАНОВЛЕНИЕ)\s+от\s+(?=\d)"
)
_ECHR_JUDGMENT = re.compile(
    r"\bJUDGMENT\b|\bARRÊT\b|ПОСТАНОВЛЕНИЕ|Судебное\s+решение|Постановление\s+Суда"
)
# The stamp on a line of its own, or run into the header where a copy lost the line breaks
# ("STRASBOURG 14 September 2010 FINAL 14/12/2010").
_ECHR_FINAL = re.compile(r"(?m)^\s*FINAL\s*$|\bFINAL(?=\s+\d)")
# A Committee's judgment, or one of the Grand Chamber, is final the day it is delivered.
_FINAL_ON_DELIVERY = re.compile(
    r"\b[Tt]his\s+judgment\s+is\s+final\b|[Нн]астоящее\s+постановление\s+является\s+окончательным"
)
_ECHR_NAMED = re.compile(
    r"European\s+Court\s+of\s+Human\s+Rights(?:\s+\((?:[A-Z][a-z]+\s+Section|Grand\s+Chamber)\))?"
    r"|Европейский\s+[Сс]уд\s+по\s+правам\s+человека(?:\s+\([А-ЯЁ][а-яё]+\s+[Сс]екция\))?"
)


def _echr_judgment(text: str, as_of: date | None) -> ExtractedDecision | None:
    """A judgment of the Court read from its own header: "STRASBOURG / 14 March 2023", the
    Article 44 § 2 notice, and a "FINAL" stamp with its date when the text carries one."""
    head = text[:6000]
    if not _ECHR_JUDGMENT.search(head) or not _ECHR_NAMED.search(head):
        return None
    decided = None
    for header in _ECHR_HEADER.finditer(head):
        dates = find_dates(head[header.end() : header.end() + 40], as_of)
        if dates and dates[0].start <= 2 and dates[0].value is not None:
            decided = dates[0].value
            break
    if decided is None:
        return None
    in_force_date = None
    final = _ECHR_FINAL.search(head)
    if final is not None:
        # "04/10 /2010": a copy's stray space inside the stamp's date.
        stamp = re.sub(r"\s*/\s*", "/", head[final.end() : final.end() + 40])
        after = find_dates(stamp, as_of)
        in_force_date = after[0].value if after and after[0].start <= 3 else None
    notice = next((s for s in sentences(head) if _ARTICLE_44.search(s)), None)
    if in_force_date is None and notice is None and _FINAL_ON_DELIVERY.search(head):
        in_force_date = decided
    return ExtractedDecision(
        decision_date=decided,
        court=ECHR,
        kind="judgment",
        in_force_period="3m" if notice else None,
        in_force_date=in_force_date,
        quote=notice
        or " ".join(head[: head.find("\n", 200) if "\n" in head[200:] else 300].split()),
    )


# A national judgment as courts publish it: "АПЕЛЛЯЦИОННОЕ ОПРЕДЕЛЕНИЕ" (also letter-spaced,
# "П Р И Г О В О Р", or a line "Решение"), then the place and the date on one line ("г. Москва
# 13 октября 2021 г.", "Великий Новгород 12 июля 2024 года", "06 октября 2022 года г. Саратов"),
# then the court that gives it.
def _spaced(word: str) -> str:
    return r"\s?".join(word)


_JUDGMENT_TITLE = re.compile(
    rf"^\s*(?P<stage>(?:{_spaced('АПЕЛЛЯЦИОННОЕ')}|{_spaced('КАССАЦИОННОЕ')})\s*)?"
    rf"(?P<what>{_spaced('ОПРЕДЕЛЕНИЕ')}|{_spaced('ПОСТАНОВЛЕНИЕ')}|{_spaced('РЕШЕНИЕ')}|{_spaced('ПРИГОВОР')})\b"
    r"|^\s*(?P<stage2>(?:Апелляционное|Кассационное)\s+)?(?P<what2>Определение|Постановление|Решение|Приговор)\s*$",
    re.M,
)
_PLACE_NAME = (
    r"(?:(?:г\.|город)\s*[А-ЯЁ][\w-]*(?:[\s-]+[А-ЯЁ][\w-]*)?|[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)"
)
_JUDGMENT_PLACE = re.compile(
    rf"(?m)^\s*{_PLACE_NAME}[\s,]+(?=\d)|^\s*(?=\d[^\n]{{0,30}}\s(?:г\.|город)\s*[А-ЯЁ])"
)


def _national_judgment(text: str, as_of: date | None) -> ExtractedDecision | None:
    head = text[:4000]
    title = _JUDGMENT_TITLE.search(head)
    if title is None:
        return None
    place = _JUDGMENT_PLACE.search(head, title.end())
    if place is None or place.start() - title.end() > 300:
        return None
    dates = find_dates(head[place.end() : place.end() + 40], as_of)
    if not dates or dates[0].start != 0 or dates[0].value is None:
        return None
    rest = head[place.end() :]
    courts = _named_courts(rest[:1500])
    stage = title.group("stage") or title.group("stage2") or ""
    what = re.sub(r"\s", "", title.group("what") or title.group("what2")).upper()
    if stage or re.search(r"кассационн|апелляционн", head[title.end() : place.start()], re.I):
        kind: str | None = "appeal_ruling"
    elif what == "ПРИГОВОР":
        kind = "sentence"
    elif what == "РЕШЕНИЕ":
        kind = "judgment"  # a court's decision on the merits (or on a complaint)
    else:
        kind = find_kind(rest[:1500])
    line = head[title.start() : place.end() + dates[0].end].split()
    return ExtractedDecision(
        decision_date=dates[0].value,
        court=courts[0][1] if courts else None,
        kind=kind,
        in_force_period=None,
        in_force_date=None,
        quote=" ".join(line),
    )


# --------------------------------------------------------------------------------------------
# The document: decisions told over several sentences.
# --------------------------------------------------------------------------------------------

# The headline and the lead: where a text tells its news. An older or undated decision told
# only past them is context (the sentence that sent him to prison, years ago).
LEAD = 4
BACKGROUND = timedelta(days=14)
# Older than this, a decision is never the news, even in the lead (the monitor records such a
# decision as background in any case).
LONG_AGO = timedelta(days=60)

_SUCH = re.compile(
    r"\b(?:this|that|such\s+a|the)\s+(?:decision|ruling|verdict)\b|(?<![а-яё])(?:так\w*|это\w*|данн\w*)\s+(?:решени|приговор|постановлени)",
    re.I,
)
_ABOUT_A_DECISION = re.compile(
    r"judgment|decision|verdict|ruling|sentence|решени|приговор|постановлени|определени", re.I
)


# Latin letters that look like Cyrillic ones, typed into Russian words ("Cуд" with a Latin C).
_LOOKALIKES = str.maketrans("AaBCcEeHKMOoPpTXxy", "АаВСсЕеНКМОоРрТХху")
# A Latin letter before a Cyrillic one: the one test run over every text, and a cheap one; a
# lookalike that ends a word ("судa") is left as it is.
_LATIN_BY_CYRILLIC = re.compile(r"[A-Za-z][а-яёА-ЯЁ]")
_MIXED_WORD = re.compile(r"\b(?=[^\W\d_]*[а-яё])(?=[^\W\d_]*[a-z])[^\W\d_]+", re.I)


def _cyrillic_words(text: str) -> str:
    """The text with the Latin lookalikes inside Russian words made Cyrillic (same length)."""
    if not _CYRILLIC.search(text) or not _LATIN_BY_CYRILLIC.search(text):
        return text
    return _MIXED_WORD.sub(lambda m: m.group(0).translate(_LOOKALIKES), text)


def extract(text: str, as_of: date | None = None) -> list[ExtractedDecision]:
    """Every decision the text reports, in the order it reports them (read up to MAX_TEXT
    characters; ``read`` also says whether the text was cut).

    Read as a document: the court last named stands for "the court" / "суд" in the sentences
    after it, a decision told in the headline and again in the body is one decision, and a
    period or an in-force date stated in the sentences right after a decision belongs to it.
    """
    text = _cyrillic_words(text[:MAX_TEXT])
    judgment = _echr_judgment(text, as_of) or _national_judgment(text, as_of)
    if judgment is not None:
        return [judgment]
    drafts: list[_Draft] = []
    waiting: list[_Draft] = []  # periods stated before any decision: for the next one
    # Decisions the headline or lead announces without saying enough (no court, no kind): the
    # body that tells them in full, even far from the lead, is the news, not context.
    announced_in_lead: list[_Draft] = []
    case_title: tuple[int, str] | None = None  # a case's title line in a list of judgments
    heard: tuple[int, str | None, date | None] | None = None  # a court named, deciding nothing
    past_courts: set[str] = set()  # courts of the older decisions the text recalls
    last_court: str | None = None
    dateline: tuple[int, int, date] | None = None
    about_echr = _ABOUT_ECHR.search(text) is not None
    lead_says_not = lead_says_decision = headline_says_not = False
    appealed: set[frozenset[str]] = set()  # courts whose decision the lead says was appealed
    previous = current = ""  # the sentence before this one, for "such a decision"
    named_at: list[tuple[int, str | None]] = []  # every court named, by sentence
    naming: dict[int, str] = {}  # the sentences that name a court, by index
    place = -1  # how many sentences of text came before: menus, weather, bylines do not count
    for index, (paragraph, sentence) in enumerate(paragraph_sentences(text)):
        if len(sentence) > 30 or _SENTENCE_END.search(sentence):
            place += 1
        # A caption ending in its date, without a full stop: "Ceiling of the main hall 08/04/25".
        caption = len(sentence) <= 120 and sentence.rstrip()[-1:].isdigit()
        if len(sentence) > 60 and not caption and not _may_matter(sentence):
            continue  # no word of courts, decisions or periods: none of the patterns can match
        previous, current = current, sentence
        courts = _named_courts(sentence)
        named = courts[0][1] if courts else None
        dates = find_dates(sentence, as_of)
        in_force_date, in_force_found = _in_force_date(sentence, dates)
        appeal, in_force = find_periods(sentence)
        if in_force is None and _ARTICLE_44.search(sentence):
            in_force = "3m"  # final in the circumstances of Article 44 § 2: three months
        script = 1 if _CYRILLIC.search(sentence) else 0
        verb = _main_verb(_DECISION_BY_SCRIPT[script], sentence)
        if verb is None and len(sentence) <= 60 and dates and dates[0].value is not None:
            dateline = (index, paragraph, dates[0].value)  # "15/04/25", "Москва. 24 мая."
        elif verb is None and caption and dates and dates[-1].end >= len(sentence.rstrip()):
            dateline = (index, paragraph, dates[-1].value) if dates[-1].value else dateline
        if about_echr and verb is None and len(sentence) <= 80 and _CASE_TITLE.match(sentence):
            case_title = (index, sentence.strip())  # "A.G. v. RUSSIA": the next item's case
        digest = (
            about_echr
            and verb is None
            and _VIOLATION_FOUND.match(sentence) is not None
            and (
                (case_title is not None and index - case_title[0] <= 2)
                or (dateline is not None and index - dateline[0] <= 3)
            )
        )
        if digest:
            # A digest of the Court's judgments: a case's title (or the date of the day's
            # judgments) above, "A violation of Article 3..." below. The dates in the summary
            # are of domestic decisions; the judgment's is the date heading the list.
            verb = _VIOLATION_FOUND.match(sentence)
            courts, named, dates = [(0, ECHR)], ECHR, []
        # A court, or a verb only a court can be the subject of ("was sentenced").
        court_only = verb is not None and bool(_COURT_ONLY_BY_SCRIPT[script].search(sentence))
        as_noun: date | None = None
        if verb is None and named is not None and as_of is not None:
            # "worried by yesterday's decision by a federal appeal court in Washington": a
            # decision told as a noun, with its day and its court.
            told = _DAY_OF_RULING.search(sentence)
            if told is not None and _BY_COURT.match(sentence, told.end()):
                verb, as_noun = told, _day_told(told, dates, as_of)
        # "The Tverskoy court heard the case on Tuesday. It sentenced him to five years.": the
        # court of the sentence before, and its day, told across two sentences.
        continued = (
            verb is not None
            and not named
            and heard is not None
            and heard[0] == index - 1
            and _IT_SUBJECT.fullmatch(sentence, 0, verb.start()) is not None
        )
        is_decision = verb is not None and bool(
            named or court_only or continued or _COURT_WORD.search(sentence)
        )
        not_decision = (verb is not None or place <= LEAD) and bool(
            _NOT_DECISION_BY_SCRIPT[script].search(sentence)
        )
        if place <= LEAD:
            lead_says_not |= not_decision
        if courts:
            naming[index] = sentence
        headline_says_not |= place == 0 and not_decision
        if place <= LEAD and not_decision:
            # "Защита обжаловала приговор Мосгорсуда": that court's decision is the one appealed.
            appealed |= {
                frozenset(_court_words(name))
                for start, name in courts
                if _reviewed(sentence, start, name)
            }
        if is_decision and (not_decision or _told_as_background(sentence, verb)):
            is_decision = False
        if is_decision and _WAS_PASSED.search(sentence) and not any(d.value for d in dates):
            is_decision = False
        if place <= LEAD:
            lead_says_decision |= is_decision
        # A court named as the maker of the decision under review ("upheld the district
        # court's verdict", "отменила приговор районного суда") did not make this one.
        deciding = [(start, name) for start, name in courts if not _reviewed(sentence, start, name)]
        if verb is not None and as_noun is None:
            # Told in the passive, "was handed a six-year sentence by a court in Perm": the
            # court after "by", past the verb, is the one that decided.
            courts = deciding or [
                (start, name)
                for start, name in courts
                if court_only and start > verb.end() and _BY.search(sentence, 0, start)
            ]
            named = courts[0][1] if courts else None
        # The court of the verb: the one named last before it, else the first after it.
        at = verb.start() if verb else len(sentence)
        before = [name for start, name in courts if start < at]
        court = before[-1] if before else named
        refers_back = court is None and _COURT_BACK.search(sentence) is not None
        if court is None and about_echr and _THE_COURT.search(sentence):
            court = ECHR  # "In the case of X v. Y the Court held..." on the Court's own pages
        if court is None and (refers_back or court_only):
            court = last_court
        if continued and heard is not None:
            court, refers_back = heard[1], True
            if not dates and heard[2] is not None:
                dates = [FoundDate(0, 0, heard[2])]  # the day the court sat, told before
        heard = (
            (index, court, dates[0].value if dates else None) if named and verb is None else None
        )
        if named:
            # A court named only as the maker of the decision appealed ("an appeal against the
            # Municipal Court's decision"), or as where an appeal goes ("will appeal to the
            # Court of Appeals", "обжалует в Верховный суд"), is not the one "the court" and
            # "the judge" refer back to.
            appealed_only = (
                verb is None
                and _about_an_appeal(sentence)
                and all(
                    _reviewed(sentence, start, name) or _DESTINATION.search(sentence, 0, start)
                    for start, name in courts
                )
            )
            if not appealed_only:
                last_court = court
            # "Earlier, ...", "Напомним, ...", "At the end of 2014 a Kazakh court closed...": a
            # court of then.
            at_court = next((start for start, name in courts if name == court), len(sentence))
            if not _BACKGROUND.match(sentence) and not _of_a_past_year(sentence[:at_court], as_of):
                named_at.append((index, court))
        about_force = bool(appeal or in_force or in_force_date)
        if not is_decision and drafts and drafts[-1].decision_date is None and as_of is not None:
            # "Monday's ruling deepens the rift...", "today's verdict", "вчерашнее решение":
            # the date of the decision just told.
            told = _DAY_OF_RULING.search(sentence)
            if told is not None:
                drafts[-1].decision_date = _day_told(told, dates, as_of)
            elif (
                drafts[-1].index >= index - 2
                and len(dates) == 1
                and (announced_on := _ANNOUNCED_ON.search(sentence)) is not None
                and dates[0].value is not None
                and dates[0].value <= as_of
                and abs(dates[0].start - announced_on.end()) <= 20
            ):
                # "Приговор был оглашен во вторник.", "The verdict was announced on May 14."
                drafts[-1].decision_date = dates[0].value
        if not is_decision and not about_force:
            continue
        decision_dates = [d for d in dates if d is not in_force_found]
        # "the decision ... dated April 25", "приговор от 25 апреля": the date of the decision
        # under review, not of this one.
        if verb is not None:
            decision_dates = [d for d in decision_dates if not _DATED.search(sentence, 0, d.start)]
        if not is_decision and not decision_dates:
            # "The court decision will come into force in 15 days.": about the decision told
            # before it, or, when none was yet, the one told next.
            draft = drafts[-1] if drafts else _Draft(index=index)
            draft.appeal_period = draft.appeal_period or appeal
            draft.in_force_period = draft.in_force_period or in_force
            draft.in_force_date = draft.in_force_date or in_force_date
            draft.court = draft.court or court
            draft.quotes.append(sentence)
            if not drafts and (_COURT_WORD.search(sentence) or _ABOUT_A_DECISION.search(sentence)):
                waiting.append(draft)
            continue
        if (
            not is_decision
            and not _COURT_WORD.search(sentence)
            and not _ABOUT_A_DECISION.search(sentence)
        ):
            continue  # a period with nothing to attach it to
        draft = _Draft(
            index=index,
            decision_date=as_noun
            or _date_of_verb(
                sentence,
                decision_dates,
                verb.start() if verb else len(sentence),
                verb.end() if verb else None,
            ),
            court=court,
            kind=(
                # The Court's decision that an application is inadmissible judges nothing.
                ("other" if _INADMISSIBLE.search(sentence) else "judgment")
                if court and _is_echr(court)
                else None
            )
            or _kind_of_verb(sentence, verb)
            # "Такое решение вынесла судья...": the kind told in the sentence before.
            or (find_kind(previous) if _SUCH.search(sentence) else None),
            appeal_period=appeal,
            in_force_period=in_force,
            in_force_date=in_force_date,
            quotes=[sentence],
            court_named=named is not None,
            case=(found_case.group(0) if (found_case := _CASE_NAME.search(sentence)) else None),
            later=_LATER.match(sentence) is not None,
        )
        if digest:
            draft.decision_date = dateline[2] if dateline is not None else None
            draft.case = case_title[1] if case_title is not None else None
            case_title = None
        if draft.decision_date is None and dateline is not None:
            if court is not None and _is_echr(court) and index - dateline[0] <= 3:
                draft.decision_date = dateline[2]  # the Court's news: the date above the item
            elif (
                dateline[0] == index - 1
                and dateline[1] == paragraph
                and _LIVE.search(" ".join(draft.quotes)) is not None
            ):
                # "МОСКВА, 2 авг - РИА Новости. Пресненский суд арестовал ..., передает
                # корреспондент из зала суда": told from the courtroom, on the dateline's day.
                # A dateline alone dates the item, not the decision it reports.
                draft.decision_date = dateline[2]
        # Undated: only a court, named or referred back to, doing something a court does.
        # "Courts have repeatedly denied...", "he was jailed for his articles": too vague.
        announced = next(
            (
                a
                for a in announced_in_lead
                if draft.decision_date is None and _same_decision(a, draft)
            ),
            None,
        )
        if (
            draft.decision_date is None
            and place > LEAD
            and announced is None
            and not any(_same_decision(d, draft) for d in drafts)
        ):
            continue  # an undated decision far from the lead, about nothing told before: context
        if (
            as_of is not None
            and draft.decision_date is not None
            and draft.decision_date < as_of - (BACKGROUND if place > LEAD else LONG_AGO)
        ):
            if draft.court is not None:
                past_courts.add(draft.court)
            continue  # an older decision recalled: context, not the news
        if draft.decision_date is None and not named and draft.court in past_courts:
            # "Four other men tried with him in the same court were convicted": undated, by the
            # court of the older decision just recalled, it is more of the same background.
            continue
        if as_of is not None and draft.decision_date is not None and draft.decision_date > as_of:
            continue  # a date after the publication: a hearing ahead, not a decision
        if draft.kind is None and verb is not None and _A_MOTION.match(sentence, verb.end()):
            # "удовлетворил ходатайство защиты о вызове свидетелей", "granted the prosecution's
            # request to extend the investigation": a step of the trial, not its decision (a
            # motion for an arrest or a release has its kind).
            continue
        if (
            verb is not None
            and not any(d.start < verb.start() for d in dates)  # "on Tuesday sentenced ..."
            and (
                _PAST_TIME.match(sentence, verb.end()) is not None
                or any(
                    as_of is not None and int(year.group("y")) < as_of.year
                    for year in _IN_YEAR.finditer(sentence, verb.end(), verb.end() + 80)
                )
            )
        ):
            # "who was sentenced to two years by a Perm court last year", "sentenced by a Perm
            # court in 2019, was freed on Tuesday": a decision of then (unless dated before its
            # verb: "on Tuesday sentenced him for posts he wrote in 2019").
            continue
        vague = not (verb and (draft.kind or _RULED.search(sentence)) and (named or refers_back))
        if draft.decision_date is None and not about_force and vague:
            if announced is not None and _told_in_full(announced, draft):
                vague = False  # the headline's "Court rejects complaint", told in full here
            elif place <= LEAD and verb is not None:
                announced_in_lead.append(draft)  # "X given suspended sentence": kept in mind
                continue
            else:
                continue
        if announced is not None:
            _absorb(draft, announced)
            announced_in_lead.remove(announced)
        for early in waiting:
            draft.appeal_period = draft.appeal_period or early.appeal_period
            draft.in_force_period = draft.in_force_period or early.in_force_period
            draft.in_force_date = draft.in_force_date or early.in_force_date
            draft.quotes[:0] = early.quotes
        waiting.clear()
        drafts.append(draft)
    for draft in announced_in_lead:
        # "Активистку оштрафовали на 15 тысяч рублей. ... В Хамовническом суде Москвы она
        # признала...": a decision of a known kind announced in the lead, whose court is named
        # right after it, in a sentence that tells no hearing ahead, appeal or wait.
        after = [
            court
            for i, court in named_at
            if draft.index < i <= draft.index + 3
            and not _NOT_DECISION_BY_SCRIPT[1 if _CYRILLIC.search(naming[i]) else 0].search(
                naming[i]
            )
        ]
        if (
            draft.kind is not None
            and draft.court is None
            and after
            and not any(_same_decision(d, draft) for d in drafts)
        ):
            draft.court = after[0]
            drafts.append(draft)
    drafts.sort(key=lambda d: d.index)
    if headline_says_not:
        # "Lawyer files appeal", "Two journalists convicted ... have appealed": the news is the
        # appeal; a decision the text tells is the one appealed, unless it is of these days.
        drafts = [
            d
            for d in drafts
            if as_of is not None
            and d.decision_date is not None
            and d.decision_date >= as_of - BACKGROUND
            # the decision of the court whose decision was appealed is the one appealed
            and not (d.court and frozenset(_court_words(d.court)) in appealed)
        ]
    if lead_says_not and not lead_says_decision:
        # The news is a hearing put off, an appeal lodged, a decision awaited: the decisions
        # the body recalls are its background.
        return []
    if not drafts:
        # Only a decision's entry into force is told ("On 27 October the judgment of the
        # European Court of Human Rights became final"): the decision, undated.
        for early in waiting:
            early.kind = find_kind(" ".join(early.quotes))
            if early.court and early.kind and (early.in_force_date or early.in_force_period):
                drafts.append(early)
    for draft in drafts:
        if draft.court is None:
            # "Суд решил оставить приговор без изменений" before the court is named: the court
            # named next ("Третий апелляционный суд рассматривает жалобу...").
            draft.court = next((c for i, c in named_at if i > draft.index), None)
    if as_of is not None and any(
        d.decision_date is not None and d.decision_date >= as_of - BACKGROUND for d in drafts
    ):
        # The news is a decision of these days: one dated weeks before, even in the lead, is
        # the decision it reviews or follows ("upheld the verdict ... sentenced on 14 October").
        past_courts |= {
            d.court
            for d in drafts
            if d.court and d.decision_date and d.decision_date < as_of - BACKGROUND
        }
        drafts = [
            d
            for d in drafts
            if (d.decision_date is None and (d.court_named or d.court not in past_courts))
            or (d.decision_date is not None and d.decision_date >= as_of - BACKGROUND)
        ]
    kept = [
        d
        for d in drafts
        if d.decision_date or d.court or d.appeal_period or d.in_force_period or d.told_twice
    ]
    return _merge(kept)


_DAY_OF_RULING = re.compile(
    r"\b(?:(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|(?P<rel>today|yesterday))[’']s\s+(?:\w+\s+)?(?:ruling|verdict|decision|judgment|sentence)\b"
    r"|(?<![а-яё])(?P<relru>сегодняшн|вчерашн)\w*\s+(?:\w+\s+)?(?:решени|приговор|постановлени)",
    re.I,
)


def _day_told(told: re.Match[str], dates: list[FoundDate], as_of: date) -> date | None:
    """The day in "Monday's ruling", "yesterday's decision", "вчерашнее решение"."""
    day = next((d for d in dates if d.start <= told.start() < d.end), None)
    if day is not None and day.value is not None and day.value <= as_of:
        return day.value
    rel = told.group("rel") or told.group("relru")
    if rel is None:
        return None
    return as_of - timedelta(days=1 if rel.lower().startswith(("yesterday", "вчера")) else 0)


_A_MOTION = re.compile(
    r"\s+(?:(?:[\w-]+[’']s?|the|a|an|his|her|their)\s+){0,3}(?:request|motion|petition)s?\b"
    r"|\s+(?:[\w-]+\s+)?ходатайств",
    re.I,
)
# A time of the past told after the verb, in the same clause, that is not a day.
_PAST_TIME = re.compile(
    r"[^.;:]{0,80}?(?:\blast\s+(?:year|month)\b|\b(?:a|one|two|three|four|five|\d+)\s+(?:years?|months?)\s+ago\b"
    r"|(?<![а-яё])в\s+прошлом\s+году|(?<![а-яё])(?:год|лет|месяц\w*)\s+назад)",
    re.I,
)
_DESTINATION = re.compile(r"\b(?:to|with)\s+(?:the\s+)?$|(?<![а-яё])в\s+$", re.I)
_LIVE = re.compile(r"из\s+зала\s+суда|\b(?:from|in)\s+the\s+courtroom\b", re.I)
_BY = re.compile(r"\bby\s+$")
_IN_YEAR = re.compile(r"\b(?:in|в)\s+(?P<y>(?:19|20)\d\d)(?!\d)", re.I)
_IT_SUBJECT = re.compile(r"(?:It|The\s+(?:panel|bench))\s+(?:(?:also|then|later|eventually)\s+)?")
_ANNOUNCED_ON = re.compile(
    r"\b(?:verdict|ruling|decision|judgment|sentence)\s+(?:was|has\s+been)\s+(?:announced|delivered|handed\s+down|pronounced|read\s+out|issued|made|taken)\b"
    r"|(?<![а-яё])(?:приговор|решение|постановление|определение)\s+(?:был[аио]?\s+)?(?:оглаш[её]н|вынесен|объявлен|принят)[аоы]?(?![а-яё])",
    re.I,
)
_BY_COURT = re.compile(
    r"\s+(?:by|of)\s+(?:the\s+|an?\s+)?(?:[\w.-]+\s+){0,4}?(?:court|Court)\b|\s+[А-ЯЁ]?[а-яё-]*\s*суд\w*"
)
_SENTENCE_END = re.compile(r"[.!?…:]\s*$")
# "the decision of 23 February, which upheld...", "решение, которым суд отказал...": the verb
# tells what an older decision did, not what happened now.
_OLDER_DECISION = re.compile(
    r"(?:decision|ruling|verdict|judgment|order|sentence|решени\w*|приговор\w*|постановлени\w*|определени\w*)[^.;]{0,60},\s*(?:which|that|котор\w+)\s+(?:\w+\s+)?$",
    re.I,
)


def _main_verb(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first verb of deciding that is not in a clause about an older decision."""
    for match in pattern.finditer(sentence):
        if not _OLDER_DECISION.search(sentence[max(0, match.start() - 120) : match.start()]):
            return match
    return None


_WHO = re.compile(r",?\s*(?:котор\w+|which|who)\b", re.I)
_DATED = re.compile(r"(?:\bdated|(?<![а-яё])от)\s+$", re.I)
_REVIEWED_BEFORE = re.compile(
    r"(?:decision|ruling|verdict|sentence|judgment|order|conviction)s?\s+(?:of|by|handed\s+down\s+by|issued\s+by)\s+(?:(?!court\b)[^\W\d][\w-]*\s+){0,5}$"
    # "решением Мосгорсуда", "приговором суда": by that court's decision, its own
    r"|(?<![а-яё])(?:приговор(?!ом)|решени(?!ем)|постановлени(?!ем)|определени(?!ем))[а-яё]*\s+$",
    re.I,
)
_REVIEWED_AFTER = re.compile(
    r"^[’']s?\s+(?:[\w-]+\s+)?(?:decision|ruling|verdict|sentence|judgment|order|conviction)\b",
    re.I,
)


def _reviewed(sentence: str, start: int, name: str) -> bool:
    """Whether the court at ``start`` is named as the maker of a decision the sentence is about,
    not as the one who decides: "upheld the Sughd regional court's verdict", "the decision of the
    investigating judge of Shevchenkivsky District Court", "приговор Кадомского районного суда"."""
    end = sentence.find(name, start)
    end = end + len(name) if end >= 0 else start
    if _WHO.match(sentence, end):
        return False  # "приговора Апелляционного суда, который назначил...": it decided
    return bool(
        _REVIEWED_BEFORE.search(sentence[max(0, start - 80) : start])
        or _REVIEWED_AFTER.search(sentence[end : end + 40])
        or _A_PLACE.search(sentence[max(0, start - 40) : start])
    )


# A court named as a place ("рядом со зданием Арбитражного суда", "outside the Moscow City
# Court") is where something happened, not who decided.
_A_PLACE = re.compile(
    r"(?:\b(?:outside|in\s+front\s+of|near|the\s+building\s+of|the\s+steps\s+of)\s+(?:the\s+)?"
    r"|(?<![а-яё])(?:здани\w*|у\s+здания|возле|около|напротив)\s+)$",
    re.I,
)


# Verbs that say a decision was made even when the text does not say of what kind.
_RULED = re.compile(
    r"\b(?:ruled|decided|held\s+that|found\s+(?:a\s+)?violation|(?:handed\s+down|delivered|issued)\s+(?:an?\s+|its\s+|the\s+)?(?:\w+\s+)?(?:verdict|judgment|ruling|decision))\b|(?<![а-яё])(?:вынес\w*\s+(?:\w+\s+)?(?:решение|приговор|постановление)|(?:решение|приговор|постановление)\s+вынес\w*|решил[аио]?|постановил[аио]?)(?![а-яё])",
    re.I,
)
# "Georgiou v. Greece", "Vegotex International S.A. v. Belgium", "Sanchez-Sanchez v. the United
# Kingdom": the applicant's name may have several words.
_CASE_NAME = re.compile(
    r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}(?:\s+and\s+Others)?\s+v\.\s+(?:the\s+)?[A-Z][\w’'-]+"
)
# Stems of every word a decision, a court or a period can be told with (the patterns below
# all need one): a sentence with none is passed over without running them.
_STEMS = (
    "court", "judge", "tribunal", "justice", "chamber", "echr", "ecthr", "appeal", "force",
    "effect", "final", "sentenc", "fine", "jail", "prison", "remand", "custody", "convict",
    "acquit", "parole", "release", "guilty", "verdict", "rul", "judgment", "decision", "decided",
    "upheld", "uphold", "overturn", "quash", "dismiss", "reject", "refused", "ordered", "granted",
    "denied", "cleared", "struck", "threw", "thrown", "tossed", "awarded", "imposed", "placed",
    "banned", "outlawed", "declared", "given", "sent", "turned", "sided",
    "violation", "arrest", "held", "barred", "extended", "handed", "gave", "confirmed",
    "суд", "судь", "коллеги", "еспч", "обжал", "апелляц", "кассац", "силу", "окончательн",
    "приговор", "осуд", "осужд", "оштраф", "штраф", "арест", "страж", "сизо", "оправда", "удо",
    "освобо", "виновн", "вердикт", "решени", "решил", "постанов", "определ", "удовлетвор",
    "отказ", "отмен", "остав", "назнач", "замен", "вынес", "признал", "отправил", "продлил",
    "отклонил", "смягч", "сократил", "снизил", "обязал", "запретил", "ликвидир", "избрал",
    "изменил", "огласил", "поместил", "срок", "суток", "дней", "рабочих", "недел", "месяц",
    "взял", "перевел", "ужесточ", "вернул", "прекратил", "взыскал", "признан", "объявил",
    "лишил", "присудил", "конфисков", "заблокиров", "санкционир", "подтверд", "принят",
)  # fmt: skip


_LATIN_STEMS = tuple(stem for stem in _STEMS if not _CYRILLIC.search(stem))


def _may_matter(sentence: str) -> bool:
    low = sentence.lower()
    # A sentence with no Cyrillic letter can only hold a Latin stem: half the stems to try.
    stems = _STEMS if _CYRILLIC.search(low) else _LATIN_STEMS
    return any(stem in low for stem in stems)


_ABOUT_ECHR = re.compile(
    r"European\s+Court\s+of\s+Human\s+Rights|\bECtHR\b|\bECHR\b|Human\s+Rights\s+building|ЕСПЧ|Европейск\w+\s+[Сс]уд\w*\s+по\s+правам"
    r"|Grand\s+Chamber\s+(?:judgment|decision|hearing)"
)
# A list of the Court's judgments: an item's title ("A.G. v. RUSSIA", "ANSHAKOV c. RUSSIE",
# "Green v. the United Kingdom") and what the Court found in it.
_CASE_TITLE = re.compile(
    r"[A-ZÀ-ÞĀ-Ž][\w.’'-]*(?:\s+[\w.’'-]+){0,5}\s+(?:v\.|c\.|против)\s+\S.{1,40}$"
)
_VIOLATION_FOUND = re.compile(
    r"(?:(?:an?|no)\s+)?(?:non-)?violations?\s+of\s+Articles?\b(?![^.;]{0,80}\b(?:alleg|complain|claim))"
    r"|Il\s+y\s+a\s+eu\s+(?:non-)?violation|(?:Нарушени|Отсутствие\s+нарушени)\w*\s+стать",
    re.I,
)
_INADMISSIBLE = re.compile(r"\binadmissible\b|неприемлем", re.I)
_THE_COURT = re.compile(
    r"\b[Tt]he\s+Court\s+(?:has\s+)?(?:held|found|ruled|decided|concluded|declared)\b"
)


def _is_echr(court: str) -> bool:
    return bool(_ABOUT_ECHR.search(court) or re.search(r"Strasbourg|[Сс]трасбург", court))


# "Days later, the same court convicted...", "На следующий день тот же суд...": another decision,
# after the one told before.
_LATER = re.compile(
    r"(?:(?:a\s+few\s+|several\s+|two\s+|three\s+|a\s+)?(?:days?|weeks?)\s+later|the\s+(?:next|following)\s+(?:day|week)"
    r"|(?:спустя|через)\s+(?:несколько\s+|пару\s+|два\s+|три\s+)?(?:дн|сут|недел)\w*|на\s+следующ\w+\s+(?:день|неделе))\b",
    re.I,
)


def _same_decision(a: _Draft, b: _Draft) -> bool:
    """Whether ``b``, told after ``a``, is the same decision told again."""
    if b.later:
        return False
    if a.case and b.case and a.case != b.case:
        return False
    if a.decision_date is not None and b.decision_date is not None:
        return a.decision_date == b.decision_date and (a.kind == b.kind or None in (a.kind, b.kind))
    if _different_courts(a, b):
        return False  # "The Tverskoy court arrested him. The City Court upheld it.": two
    # One of them undated (a headline, a sentence that refers back): the same court, or the
    # same kind of decision (or one of them of no stated kind).
    if (
        a.court is not None
        and b.court is not None
        and _court_words(a.court) == _court_words(b.court)
    ):
        return True  # "Мосгорсуд" and "судья Мосгорсуда": one court, whatever its case
    return a.kind == b.kind or None in (a.kind, b.kind)


def _told_in_full(announced: _Draft, draft: _Draft) -> bool:
    """Whether a decision announced in the lead and told again makes, with its two tellings,
    one decision of a known kind by a known court: "Activist given suspended sentence" and then
    "Moscow's Nagatino District Court on March 7 also banned him...", or the same kind told
    twice ("получили реальные сроки" ... "приговорили к 4,5 года колонии")."""
    kind = draft.kind or announced.kind
    if kind is None:
        return False
    return (draft.court or announced.court) is not None or draft.kind == announced.kind


def _absorb(draft: _Draft, announced: _Draft) -> None:
    """The lead's announcement merged into the decision told in full."""
    draft.kind = draft.kind or announced.kind
    if draft.court is None:
        draft.court, draft.court_named = announced.court, announced.court_named
    draft.quotes[:0] = [q for q in announced.quotes if q not in draft.quotes]
    draft.index = min(draft.index, announced.index)
    draft.told_twice = True


def _court_words(name: str) -> set[str]:
    """A court's name as a set of word stems, whatever its case: "Тверского районного суда"
    and "Тверской районный суд" give the same set."""
    return {w[:5] for w in re.findall(r"\w+", name.lower()) if w not in ("the", "of", "in")}


def _different_courts(a: _Draft, b: _Draft) -> bool:
    """Whether two drafts name, each in its own sentence, two courts by their full names that
    are not one court named twice ("Supreme Court", "Supreme Court of Ukraine"); a short or
    generic name ("Мосгорсуд", "Московский суд", "a court in Perm") may be either."""
    if not (a.court and b.court and a.court_named and b.court_named):
        return False
    first, second = _court_words(a.court), _court_words(b.court)
    if min(len(first), len(second)) < 3 or min(_court_rank(a), _court_rank(b)) < 2:
        return False
    if re.match(r"(?:the|an?)\s", a.court, re.I) or re.match(r"(?:the|an?)\s", b.court, re.I):
        return False  # "the appeals court in Renens": a description, maybe of the other
    return not (first <= second or second <= first)


def _court_rank(draft: _Draft) -> int:
    """How well a draft names its court: a court by its name in the body of the text beats one
    in the headline, which beats "a court in Moscow", which beats none."""
    if draft.court is None:
        return 0
    if re.match(r"an?\s|[Сс]уд\s+в\s", draft.court, re.I) or (
        re.match(r"(?i:the)\s+(?:[a-z]+\s+)?(?i:court)\b", draft.court)
        and " in " not in draft.court
    ):
        return 1
    if draft.index == 0 and re.fullmatch(r"[A-Z][a-z]+\s+Court", draft.court):
        return 1  # "Kazakh Court Upholds Order...": a headline's nationality, not a name
    if not draft.court_named:
        return 2
    return 3 if draft.index > 0 else 2


def _part_of(short: str, full: str) -> bool:
    """Whether the name ``short`` is a shorter form of the name ``full``."""
    short, full = short.lower().removeprefix("the "), full.lower().removeprefix("the ")
    return len(short) < len(full) and short in full and len(short.split()) >= 2


def _merge(drafts: list[_Draft]) -> list[ExtractedDecision]:
    """The same decision told twice (same date or one undated, same kind) is one decision."""
    merged: list[_Draft] = []
    for draft in drafts:
        twin = next((m for m in merged if _same_decision(m, draft)), None)
        if twin is None:
            merged.append(draft)
            continue
        twin.decision_date = twin.decision_date or draft.decision_date
        twin.case = twin.case or draft.case  # a list's lead told first, then its first item
        if twin.court and draft.court and _part_of(twin.court, draft.court):
            # "Superior Court" and "D.C. Superior Court": one court, the fuller name kept.
            twin.court, twin.court_named = draft.court, draft.court_named
        elif twin.court and draft.court and _part_of(draft.court, twin.court):
            pass
        elif _court_rank(draft) > _court_rank(twin):
            twin.court, twin.court_named = draft.court, draft.court_named
        # An appeal ruling is told with the sentence it upheld: the ruling is the news (the
        # European Court hears applications, not appeals: its decision stays a judgment).
        echr = twin.court is not None and _is_echr(twin.court)
        if (draft.kind == "appeal_ruling" and not echr) or twin.kind is None:
            twin.kind = draft.kind or twin.kind
        twin.appeal_period = twin.appeal_period or draft.appeal_period
        twin.in_force_period = twin.in_force_period or draft.in_force_period
        twin.in_force_date = twin.in_force_date or draft.in_force_date
        twin.quotes.extend(q for q in draft.quotes if q not in twin.quotes)
    return [
        ExtractedDecision(
            decision_date=d.decision_date,
            court=d.court,
            kind=d.kind,
            appeal_period=d.appeal_period,
            in_force_period=d.in_force_period,
            in_force_date=d.in_force_date,
            quote=" ".join(d.quotes),
        )
        for d in merged
    ]
