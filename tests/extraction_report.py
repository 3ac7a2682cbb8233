"""Precision and recall of the extractor per field: ``python -m tests.extraction_report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.sources.extract import ExtractedDecision, extract
from tests.extraction_corpus import CORPUS
from tests.extraction_heldout import HELDOUT

FIELDS = ("decision_date", "court", "kind", "in_force_period", "in_force_date")
Corpus = list[tuple[str, date | None, str, list[dict[str, Any]]]]


def _align(
    found: list[ExtractedDecision], expected: list[dict[str, Any]]
) -> list[tuple[ExtractedDecision | None, dict[str, Any] | None]]:
    pairs: list[tuple[ExtractedDecision | None, dict[str, Any] | None]] = []
    left = list(found)
    for want in expected:
        match = next(
            (f for f in left if f.decision_date == want["decision_date"]), left[0] if left else None
        )
        if match is not None:
            left.remove(match)
        pairs.append((match, want))
    pairs.extend((f, None) for f in left)
    return pairs


def scores(corpus: Corpus) -> dict[str, tuple[int, int, int]]:
    """field -> (true positives, predicted non-null, expected non-null)."""
    table = {name: [0, 0, 0] for name in (*FIELDS, "decision")}
    for _, as_of, text, expected in corpus:
        found = extract(text, as_of)
        table["decision"][1] += len(found)
        table["decision"][2] += len(expected)
        for got, want in _align(found, expected):
            if got is not None and want is not None:
                table["decision"][0] += 1
            for name in FIELDS:
                predicted = getattr(got, name) if got is not None else None
                truth = want[name] if want is not None else None
                table[name][1] += predicted is not None
                table[name][2] += truth is not None
                table[name][0] += predicted is not None and predicted == truth
    return {name: (tp, predicted, truth) for name, (tp, predicted, truth) in table.items()}


def report(title: str, corpus: Corpus) -> str:
    lines = [
        f"{title} ({len(corpus)} texts)",
        f"{'field':16} {'precision':>10} {'recall':>8}   (correct / predicted / expected)",
    ]
    for name, (tp, predicted, truth) in scores(corpus).items():
        precision = tp / predicted if predicted else 1.0
        recall = tp / truth if truth else 1.0
        lines.append(
            f"{name:16} {precision:>10.2f} {recall:>8.2f}   ({tp} / {predicted} / {truth})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report("corpus written with the rules", CORPUS))
    print()
    print(report("held-out texts", HELDOUT))
