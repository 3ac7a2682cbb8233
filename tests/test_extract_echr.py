"""Judgments of the European Court of Human Rights as copies of them show their finality."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.sources.extract import extract

HEADER = "CASE OF Y v. MOLDOVA\n\nJUDGMENT\n\nSTRASBOURG\n\n3 March 2015\n\n"
COURT = "\n\nThe European Court of Human Rights (Second Section), sitting as a Committee"


@pytest.mark.parametrize(
    ("text", "in_force_period", "in_force_date"),
    [
        # A Committee's judgment is final the day it is delivered.
        (
            HEADER + "This judgment is final but it may be subject to editorial revision." + COURT,
            None,
            date(2015, 3, 3),
        ),
        # A copy that ran the header into one line and lost the section sign.
        (
            "CASE OF Y v. MOLDOVA JUDGMENT STRASBOURG 3 March 2015 FINAL 03/06/2015 This"
            " judgment has become final under Article 44 2 of the Convention." + COURT,
            "3m",
            date(2015, 6, 3),
        ),
        # A stray space inside the stamp's date.
        (
            HEADER + "FINAL\n03/06 /2015\n\nThis judgment has become final under Article 44 § 2"
            " of the Convention." + COURT,
            "3m",
            date(2015, 6, 3),
        ),
        # A Chamber judgment not yet final: its period, no date.
        (
            HEADER + "This judgment will become final in the circumstances set out in Article"
            " 44 § 2 of the Convention." + COURT,
            "3m",
            None,
        ),
    ],
)
def test_the_finality_of_a_judgment_as_its_header_states_it(
    text: str, in_force_period: str | None, in_force_date: date | None
) -> None:
    [found] = extract(text)
    assert (found.decision_date, found.in_force_period, found.in_force_date) == (
        date(2015, 3, 3),
        in_force_period,
        in_force_date,
    )


def test_a_final_that_is_not_a_stamp_gives_no_in_force_date() -> None:
    text = HEADER + "The FINAL 20 pages of the file were missing." + COURT
    [found] = extract(text)
    assert found.in_force_date is None
