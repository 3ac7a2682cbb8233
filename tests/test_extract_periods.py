"""Appeal and in-force periods as real texts state them: two different facts."""

from __future__ import annotations

import pytest

from monitor.sources.extract import find_periods


@pytest.mark.parametrize(
    ("sentence", "appeal", "in_force"),
    [
        ("У защиты есть 10 дней на обжалование.", "10d", None),
        ("На подачу апелляционной жалобы отводится 15 суток.", "15d", None),
        ("Апелляционную жалобу можно подать в течение 15 суток.", "15d", None),
        ("Срок на обжалование — 10 суток.", "10d", None),
        ("The sentence can be appealed to the Supreme Court within 15 days.", "15d", None),
        ("The ruling may be appealed to the regional court within ten days.", "10d", None),
        ("Either party may request referral to the Grand Chamber within three months.", "3m", None),
        ("The ruling takes effect in 10 days if not appealed.", None, "10d"),
        ("Постановление вступит в силу через 10 суток.", None, "10d"),
    ],
)
def test_periods_are_read_as_the_fact_they_state(
    sentence: str, appeal: str | None, in_force: str | None
) -> None:
    assert find_periods(sentence) == (appeal, in_force)
