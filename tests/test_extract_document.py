"""Extraction read as a document: a decision announced in one place and told in another."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.sources.extract import extract


def _facts(text: str, as_of: date | None = None) -> list[tuple[Any, ...]]:
    return [
        (d.decision_date, d.court, d.kind, d.appeal_period, d.in_force_period)
        for d in extract(text, as_of)
    ]


def test_a_headline_without_a_court_takes_the_court_of_the_next_sentence() -> None:
    text = (
        "Blogger has been given a suspended three-year prison sentence over his posts.\n\n"
        "Riga's Central District Court also barred the blogger from posting online for a year."
    )
    assert _facts(text) == [(None, "Riga's Central District Court", "sentence", None, None)]


def test_a_decision_announced_in_the_headline_and_told_after_the_lead_is_the_news() -> None:
    text = (
        "Court rejects editor's appeal against the search of his flat\n\n"
        "The editor went to the Oktyabrsky District Court of Grodno on Monday morning.\n\n"
        "He had been held for three days in October.\n\n"
        "His laptop and two phones were taken by the police.\n\n"
        "He is accused of insulting an official in a post.\n\n"
        "His lawyer filed the complaint a week after the search.\n\n"
        "The hearing was closed to the press, but the court rejected the appeal."
    )
    assert _facts(text) == [
        (None, "Oktyabrsky District Court of Grodno", "appeal_ruling", None, None)
    ]


def test_a_sentence_told_in_the_headline_and_again_in_the_body_is_one_decision() -> None:
    text = (
        "Участники драки у стадиона получили реальные сроки.\n\n"
        "Об этом сообщили в пресс-службе.\n\n"
        "По версии обвинения, драка началась из-за шарфа.\n\n"
        "Пострадали три болельщика и охранник.\n\n"
        "Двое обвиняемых признали вину частично.\n\n"
        "В итоге зачинщика приговорили к трем годам колонии."
    )
    assert _facts(text, date(2024, 5, 2)) == [(None, None, "sentence", None, None)]


def test_a_headline_alone_without_a_court_or_a_kind_reports_nothing() -> None:
    text = (
        "Court rejects complaint\n\n"
        "The editor says he will go on writing.\n\n"
        "He was questioned by the police in October."
    )
    assert extract(text, date(2024, 5, 2)) == []


def test_an_announced_decision_is_not_completed_by_a_hearing_scheduled_later() -> None:
    text = (
        "Activist has been given a suspended sentence\n\n"
        "His lawyer said the decision would be appealed.\n\n"
        "The appeal hearing at the Moscow City Court is scheduled for 3 June."
    )
    assert _facts(text, date(2024, 5, 2)) == []
