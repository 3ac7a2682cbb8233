"""Dates as real texts write them, resolved against the publication date, never the clock."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.sources.extract import find_dates

THURSDAY = date(2024, 5, 16)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("в минувший вторник суд", date(2024, 5, 14)),
        ("в прошлую пятницу суд", date(2024, 5, 10)),
        ("в прошлый четверг суд", date(2024, 5, 9)),
        ("last Thursday the court", date(2024, 5, 9)),
        ("last Tuesday the court", date(2024, 5, 14)),
        ("3-го мая суд", date(2024, 5, 3)),
        ("14.05.24 суд", date(2024, 5, 14)),
        ("Мещанский суд накануне", date(2024, 5, 15)),
    ],
)
def test_a_date_as_real_texts_write_it(text: str, day: date) -> None:
    assert [d.value for d in find_dates(text, THURSDAY)] == [day]


@pytest.mark.parametrize("text", ["version 1.2.3", "на 12.5.2 этапе", "накануне заседания"])
def test_numbers_and_words_that_are_no_date(text: str) -> None:
    assert [d.value for d in find_dates(text, THURSDAY) if d.value] == []
