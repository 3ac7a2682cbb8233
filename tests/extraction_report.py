"""Precision and recall of the extractor per field: ``python -m tests.extraction_report``.

Prints the figures for the texts written with the rules and their held-out companions
(tests/extraction_corpus.py, tests/extraction_heldout.py), then for the real-text corpus,
``dev``, ``heldout``, ``fresh`` and ``fresh2`` separately (tests/corpus/real/). ``--dev-only``
prints the dev part alone, ``--fresh-only`` the fresh part alone, ``--fresh2-only`` the fresh2
part alone. ``--texts`` also lists, text by text, what the extractor got wrong on ``dev``,
``fresh`` and ``fresh2``; never on ``heldout``, whose texts are not read one by one so that no
rule is ever tuned on them.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from monitor.sources.extract import ExtractedDecision, extract
from tests.extraction_corpus import CORPUS
from tests.extraction_heldout import HELDOUT
from tests.extraction_real import RealText, load, same_court

FIELDS = ("decision_date", "court", "kind", "appeal_period", "in_force_period", "in_force_date")
REAL_FIELDS = (
    "decision_date",
    "court",
    "kind",
    "appeal_period",
    "in_force_period",
    "in_force_date",
)
Corpus = list[tuple[str, date | None, str, list[dict[str, Any]]]]
Table = dict[str, tuple[int, int, int]]


def _align(
    found: list[ExtractedDecision], expected: list[dict[str, Any]]
) -> list[tuple[ExtractedDecision | None, dict[str, Any] | None]]:
    """Each expected decision with the found one of the same date, else the first one left."""
    pairs: list[tuple[ExtractedDecision | None, dict[str, Any] | None]] = []
    left = list(found)
    for want in expected:
        match = next(
            (f for f in left if f.decision_date == want.get("decision_date")),
            left[0] if left else None,
        )
        if match is not None:
            left.remove(match)
        pairs.append((match, want))
    pairs.extend((f, None) for f in left)
    return pairs


def _same(name: str, got: Any, want: dict[str, Any]) -> bool:
    if name == "court":
        return same_court(got, want)
    return bool(got == want.get(name))


def _count(
    table: dict[str, list[int]],
    fields: tuple[str, ...],
    found: list[ExtractedDecision],
    expected: list[dict[str, Any]],
) -> list[str]:
    """Adds one text to ``table``; returns what it got wrong, one line a field."""
    wrong = []
    table["decision"][1] += len(found)
    table["decision"][2] += len(expected)
    for got, want in _align(found, expected):
        if got is not None and want is not None:
            table["decision"][0] += 1
        elif got is not None:
            wrong.append(f"  extra decision: {got.as_dict()}")
        else:
            wrong.append(f"  missed decision: {want}")
        for name in fields:
            predicted = getattr(got, name, None) if got is not None else None
            truth = want.get(name) if want is not None else None
            right = predicted is not None and want is not None and _same(name, predicted, want)
            table[name][1] += predicted is not None
            table[name][2] += truth is not None
            table[name][0] += right
            if got is not None and want is not None and (predicted or truth) and not right:
                wrong.append(f"  {name}: found {predicted!r}, expected {truth!r}")
    return wrong


def scores(corpus: Corpus) -> Table:
    """field -> (true positives, predicted non-null, expected non-null)."""
    table = {name: [0, 0, 0] for name in ("decision", *FIELDS)}
    for _, as_of, text, expected in corpus:
        _count(table, FIELDS, extract(text, as_of), expected)
    return {name: (tp, predicted, truth) for name, (tp, predicted, truth) in table.items()}


def real_scores(texts: list[RealText]) -> tuple[Table, int, int, dict[str, list[str]]]:
    """Per field as ``scores``; the negatives with a reported decision, the negatives; and what
    each text got wrong."""
    table = {name: [0, 0, 0] for name in ("decision", *REAL_FIELDS)}
    negatives = reported = 0
    wrong: dict[str, list[str]] = {}
    for text in texts:
        found = extract(text.text, text.published)
        if not text.decision_reported:
            negatives += 1
            reported += bool(found)
        misses = _count(table, REAL_FIELDS, found, text.decisions)
        if misses:
            wrong[text.name] = misses
    counts = {name: (tp, predicted, truth) for name, (tp, predicted, truth) in table.items()}
    return counts, reported, negatives, wrong


def _lines(table: Table) -> list[str]:
    lines = [f"{'field':16} {'precision':>10} {'recall':>8}   (correct / predicted / expected)"]
    for name, (tp, predicted, truth) in table.items():
        precision = tp / predicted if predicted else 1.0
        recall = tp / truth if truth else 1.0
        lines.append(
            f"{name:16} {precision:>10.2f} {recall:>8.2f}   ({tp} / {predicted} / {truth})"
        )
    return lines


def report(title: str, corpus: Corpus) -> str:
    return "\n".join([f"{title} ({len(corpus)} texts)", *_lines(scores(corpus))])


def real_report(part: str, texts: list[RealText], by_text: bool = False) -> str:
    table, reported, negatives, wrong = real_scores(texts)
    languages = ", ".join(
        f"{sum(t.language == lang for t in texts)} {lang}" for lang in ("en", "ru")
    )
    lines = [f"real texts, {part} ({len(texts)} texts: {languages})", *_lines(table)]
    lines.append(f"negatives with a reported decision: {reported} of {negatives}")
    if by_text and part != "heldout":
        for name, misses in wrong.items():
            lines += [name, *misses]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report("corpus written with the rules", CORPUS))
    print()
    print(report("held-out texts written with the rules", HELDOUT))
    parts = ["dev", "heldout", "fresh", "fresh2"]
    for only in ("dev", "fresh", "fresh2"):
        if f"--{only}-only" in sys.argv:
            parts = [only]
    for part in parts:
        print()
        print(real_report(part, load(part), by_text="--texts" in sys.argv))
