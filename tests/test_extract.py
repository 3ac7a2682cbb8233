"""Extraction, field by field, over the corpus; and the fixture that started the project."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from monitor.sources.extract import extract, sentences
from tests.conftest import FIXTURES
from tests.extraction_corpus import CORPUS

FIELDS = ("decision_date", "court", "kind", "in_force_period", "in_force_date")


@pytest.mark.parametrize(
    ("as_of", "text", "expected"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_extraction_field_by_field(
    as_of: date | None, text: str, expected: list[dict[str, Any]]
) -> None:
    found = extract(text, as_of)
    assert len(found) == len(expected), [f.as_dict() for f in found]
    for got, want in zip(found, expected, strict=True):
        for name in FIELDS:
            assert getattr(got, name) == want[name], (name, got.as_dict())
        assert want["quote_has"] in got.quote
        # The quote is the text's own words: each of its sentences stands in the text as written.
        assert got.quote
        assert all(part in " ".join(text.split()) for part in sentences(got.quote))


def test_the_corpus_is_big_enough_and_has_both_languages() -> None:
    assert len(CORPUS) >= 40
    assert sum(1 for c in CORPUS if c[0].startswith("ru")) >= 15
    assert sum(1 for c in CORPUS if not c[3]) >= 12  # negatives


def test_the_fixture_press_release() -> None:
    text = (FIXTURES / "odf-kozlov-release-2016-08-04.txt").read_text(encoding="utf-8")
    first = extract(text)[0]
    assert first.decision_date == date(2016, 8, 4)
    assert first.court == "Kapshagai City Court of Almaty Province"
    assert first.in_force_period == "15d"
    assert "The court decision will come into force in 15 days" in first.quote


def test_extract_command_prints_one_json_object() -> None:
    path = FIXTURES / "odf-kozlov-release-2016-08-04.txt"
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "extract", str(path), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    first = payload["decisions"][0]
    assert (first["decision_date"], first["court"], first["in_force_period"]) == (
        "2016-08-04",
        "Kapshagai City Court of Almaty Province",
        "15d",
    )
    assert set(first) == {
        "decision_date",
        "court",
        "kind",
        "in_force_period",
        "in_force_date",
        "quote",
    }


def test_extract_reads_standard_input_with_a_publication_date() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "extract", "-", "--as-of", "2021-02-20", "--json"],
        input="16 февраля Алматинский областной суд оставил без изменения приговор. Определение вступает в законную силу через 10 дней.",
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(result.stdout)["decisions"][0]["decision_date"] == "2021-02-16"


def test_the_precision_and_recall_report_runs_and_the_corpus_scores_fully() -> None:
    from tests.extraction_report import report, scores

    for tp, predicted, truth in scores(CORPUS).values():
        assert tp == predicted == truth
    text = report("corpus", CORPUS)
    assert "decision_date" in text and "precision" in text
