"""Matching: which watched cases a text is about. Pure.

A case lists match terms: names in several scripts and inflections, and case numbers. A Latin
term matches as a whole word, case-insensitively. A Cyrillic name also matches with a short
inflectional ending (Козлов, Козлова, Козлову, Козловым), because Russian declines surnames
and no operator should have to list every case. Case numbers match as written, whatever the
surrounding punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CYRILLIC = re.compile(r"[а-яё]", re.I)


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    words = term.split()
    parts = []
    for index, word in enumerate(words):
        escaped = re.escape(word)
        if _CYRILLIC.search(word) and len(word) >= 4 and word[-1].isalpha():
            # Russian inflection: the last letters may change (Козлов -> Козлова, Козлову).
            stem = re.escape(word[:-1]) if word[-1].lower() in "аяеоыйь" else escaped
            escaped = stem + r"[а-яё]{0,3}"
        parts.append(escaped)
        if index < len(words) - 1:
            parts.append(r"\s+")
    return re.compile(r"(?<![\w])" + "".join(parts) + r"(?![\w])", re.I)


@dataclass(frozen=True)
class Mention:
    term: str
    start: int


def mentions(text: str, terms: list[str], case_numbers: list[str] | None = None) -> list[Mention]:
    """Every term (or case number) the text mentions, first occurrence each, in text order."""
    found: list[Mention] = []
    for term in terms:
        if term.strip():
            match = _term_pattern(term.strip()).search(text)
            if match:
                found.append(Mention(term, match.start()))
    for number in case_numbers or []:
        index = text.find(number.strip())
        if number.strip() and index >= 0:
            found.append(Mention(number, index))
    return sorted(found, key=lambda m: m.start)
