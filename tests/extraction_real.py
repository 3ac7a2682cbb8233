"""The real-text corpus (tests/corpus/real/): loading it, and comparing the extractor with it.

Court names are compared after a normalisation that forgives only what does not change which
court is meant: letter case, spacing and punctuation, a leading article ("the", "a"), "ё" for
"е", and Russian case endings (each Cyrillic word is cut to a stem, so "Тверского районного
суда Москвы" equals "Тверской районный суд Москвы"). The court found must then equal, word for
word, either the span the text names ("court") or the full name ("court_canonical"). A court
that is only a part of the name ("District Court" for "Khimki District Court") or a different
court of the same city does not count.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REAL = Path(__file__).parent / "corpus" / "real"
PARTS = ("dev", "heldout", "fresh", "fresh2")


@dataclass(frozen=True)
class RealText:
    name: str
    language: str
    genre: str
    published: date | None
    decision_reported: bool
    text: str
    decisions: list[dict[str, Any]] = field(default_factory=list)


def load(part: str) -> list[RealText]:
    texts = []
    for path in sorted((REAL / part).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        texts.append(
            RealText(
                name=path.stem,
                language=data["language"],
                genre=data.get("genre", ""),
                published=data.get("published"),
                decision_reported=data["decision_reported"],
                text=data["text"],
                decisions=list(data.get("decisions", [])),
            )
        )
    return texts


_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_RU_ENDING = re.compile(
    r"(?:ого|его|ому|ему|ыми|ими|ой|ей|ый|ий|ая|яя|ое|ее|ую|юю|ым|им|ом|ем|ых|их|ые|ие|ам|ям|ах|ях|а|я|у|ю|е|ы|и|о)$"
)


def court_key(name: str) -> str:
    """A court's name in the form compared: see the module's docstring."""
    text = name.casefold().replace("ё", "е")
    text = re.sub(r"[^\w\s-]", " ", text)
    text = _ARTICLE.sub("", " ".join(text.split()))
    words = []
    for word in text.split():
        if re.search(r"[а-я]", word) and len(word) > 3:
            word = _RU_ENDING.sub("", word)
        words.append(word)
    return " ".join(words)


def same_court(found: str | None, gold: dict[str, Any]) -> bool:
    if not found:
        return False
    names = [gold.get("court"), gold.get("court_canonical")]
    return court_key(found) in {court_key(n) for n in names if n}
