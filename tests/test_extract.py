"""Extraction, field by field, over the corpus; and the fixture that started the project."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from monitor.sources.extract import (
    MAX_SENTENCE,
    ExtractedDecision,
    bounded_pieces,
    extract,
    read,
    sentences,
)
from monitor.sources.parse import MAX_DEPTH, flatten_deep, html_to_text
from monitor.sources.record import choose_rule
from tests.conftest import FIXTURES
from tests.extraction_corpus import CORPUS
from tests.extraction_real import PARTS, load, same_court

FIELDS = ("decision_date", "court", "kind", "appeal_period", "in_force_period", "in_force_date")


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
    assert payload["truncated"] is False
    assert set(first) == {
        "decision_date",
        "court",
        "kind",
        "appeal_period",
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


# ------------------------------------------------------------------ bounded, linear work


def test_pieces_of_a_long_line_are_never_longer_than_the_bound_and_keep_every_word() -> None:
    line = " ".join(f"word{i}" for i in range(50_000)) + " " + "x" * 5_000 + " end"
    pieces = bounded_pieces(line, 1_000)
    assert max(len(p) for p in pieces) <= 1_000
    assert "".join("".join(pieces).split()) == "".join(line.split())


def test_no_sentence_is_longer_than_the_bound_whatever_the_line() -> None:
    hearings = "4 August 2016, 10:00, case 1-234/2016, room 5, judge Abenov; " * 5_000
    assert len(hearings) > 100 * MAX_SENTENCE
    assert max(len(s) for s in sentences(hearings + "\n\n" + "Art. 5 St. 4 " * 5_000)) <= (
        MAX_SENTENCE
    )


def test_a_long_line_reads_the_same_as_its_bounded_pieces_in_paragraphs() -> None:
    decision = (
        "on 4 August 2016 the Kapshagai City Court of Almaty Province ordered the conditional release"
        " of Vladimir Kozlov and the court decision will come into force in 15 days "
    )
    line = ("the hearing gathered journalists and diplomats " * 60 + decision) * 40
    assert len(sentences(line)) > 1
    found = extract(line)
    assert found and found[0].in_force_period == "15d"
    assert found == extract("\n\n".join(bounded_pieces(" ".join(line.split()))))


def test_a_text_past_the_budget_is_cut_and_says_so() -> None:
    text = FIXTURES.joinpath("odf-kozlov-release-2016-08-04.txt").read_text(encoding="utf-8")
    whole = read(text + "\n\nfiller " * 1_000, budget=len(text) + 10)
    assert whole.truncated
    assert whole.decisions == extract(text)
    assert not read(text).truncated


def _depth(node: Any) -> int:
    """The deepest element under ``node``, walked without recursion."""
    deepest = 0
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        child = current.child
        while child is not None:
            stack.append((child, depth + 1))
            child = child.next
    return deepest


def test_a_page_nesting_100000_elements_is_parsed_flattened_and_keeps_its_text() -> None:
    html = "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "<p>after</p>"
    flattened = flatten_deep(html)
    assert _depth(LexborHTMLParser(flattened).root) <= MAX_DEPTH + 5
    assert html_to_text(html).text == "deep text\n\nafter"


def test_a_page_of_ordinary_depth_is_parsed_as_it_is() -> None:
    html = (
        "<html><head><title>T</title><script>if (a<b) { x = '<div>' }</script></head><body>"
        "<div><p>One<p>Two<ul><li>three<li>four</ul></div><!-- <div><div> --></body></html>"
    )
    assert flatten_deep(html) is html
    assert flatten_deep("<div>" * 10 + "x", max_depth=3) == "<div>" * 3 + "<br>" * 7 + "x"


def test_a_page_whose_text_is_past_the_budget_is_cut_and_says_so() -> None:
    html = "<html><body>" + "<p>The court ruled.</p>" * 1_000 + "</body></html>"
    page = html_to_text(html, budget=1_000)
    assert page.truncated and len(page.text) == 1_000
    assert not html_to_text(html).truncated


# ------------------------------------------------------------------ the real-text corpus


def test_a_court_is_the_same_whatever_its_case_article_and_spacing() -> None:
    gold = {"court": "Тверского районного суда Москвы", "court_canonical": "Tverskoy Court"}
    assert same_court("Тверской районный  суд Москвы", gold)
    assert same_court("the tverskoy court", gold)
    assert same_court("TVERSKOY COURT.", gold)


def test_a_court_that_is_only_part_of_the_name_or_another_court_is_not_the_same() -> None:
    gold = {"court": "The Khimki city court", "court_canonical": "Khimki City Court"}
    assert not same_court("City Court", gold)
    assert not same_court("Moscow City Court", gold)
    assert not same_court(None, gold)
    assert not same_court("Мещанский районный суд", {"court": "Тверской районный суд"})


def test_the_real_corpus_loads_and_the_report_counts_both_parts() -> None:
    from tests.extraction_report import real_report, real_scores

    for part in PARTS:
        texts = load(part)
        assert texts and all(t.language in ("en", "ru") for t in texts)
        table, reported, negatives, _ = real_scores(texts)
        assert table["decision"][2] == sum(len(t.decisions) for t in texts)
        assert 0 <= reported <= negatives
    text = real_report("heldout", load("heldout"), by_text=True)
    assert "negatives with a reported decision" in text and "  missed decision" not in text


# ------------------------------------------------------------------ the rule a found decision uses


def _found(**fields: Any) -> ExtractedDecision:
    base: dict[str, Any] = {
        "decision_date": date(2023, 3, 14),
        "court": None,
        "kind": None,
        "in_force_period": None,
        "in_force_date": None,
        "quote": "",
    }
    return ExtractedDecision(**{**base, **fields})


def test_an_echr_judgment_final_under_article_44_uses_the_echr_preset() -> None:
    found = extract(
        "JUDGMENT\n\nSTRASBOURG\n\n14 March 2023\n\nThis judgment will become final in the"
        " circumstances set out in Article 44 § 2 of the Convention.\n\nThe European Court of"
        " Human Rights (Third Section), sitting as a Chamber"
    )
    assert [(f.decision_date, f.court, f.kind, f.in_force_period) for f in found] == [
        (date(2023, 3, 14), "European Court of Human Rights", "judgment", "3m")
    ]
    rule, why = choose_rule(found[0], "ECHR")
    assert rule == "echr-chamber-final" and "Article 44 § 2" in why


def test_a_kazakh_decision_with_15_days_uses_the_kazakh_preset_and_others_a_generic_rule() -> None:
    release = _found(court="Kapshagai City Court", kind="parole", in_force_period="15d")
    assert choose_rule(release, "KZ")[0] == "kz-criminal-appeal-15d"
    assert choose_rule(release, "RU")[0] == "calendar-days:15"
    assert choose_rule(_found(kind="appeal_ruling", in_force_period="15d"), "KZ")[0] == (
        "calendar-days:15"
    )


def test_the_appeal_period_counts_when_no_in_force_period_is_stated() -> None:
    rule, why = choose_rule(_found(kind="sentence", appeal_period="10d"), "RU")
    assert rule == "calendar-days:10" and "appeal period 10d" in why
    both = _found(kind="sentence", appeal_period="10d", in_force_period="1m")
    assert choose_rule(both, "RU")[0] == "months:1"
    assert choose_rule(_found(kind="sentence"), "RU") == (
        "",
        "no rule: the source states no period",
    )


def test_extract_command_reports_both_periods_in_its_text_output() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "extract", "-", "--as-of", "2019-03-13"],
        input="12 марта 2019 года Мещанский районный суд Москвы приговорил активиста к трем годам. "
        "Приговор может быть обжалован в течение 10 суток.",
        capture_output=True,
        text=True,
        check=False,
    )
    assert "appeal period 10d" in result.stdout and "in-force period" not in result.stdout


# ------------------------------------------------------------------ reading real texts


def _facts(text: str, as_of: date | None = None) -> list[tuple[Any, ...]]:
    return [
        (d.decision_date, d.court, d.kind, d.appeal_period, d.in_force_period)
        for d in extract(text, as_of)
    ]


def test_a_court_named_once_is_the_court_the_next_sentences_speak_of() -> None:
    text = (
        "Khimki court jails Navalny\n\nThe Khimki City Court heard the case on Monday.\n\n"
        "On 2 February 2021 the court ruled that the suspended sentence be replaced with a real"
        " term. The decision can be appealed within 10 days."
    )
    assert _facts(text) == [(date(2021, 2, 2), "Khimki City Court", "sentence", "10d", None)]


def test_a_court_named_after_the_decision_is_its_court() -> None:
    text = (
        "Суд решил оставить приговор без изменений.\n\n"
        "Третий апелляционный суд рассматривал жалобу на приговор двум студентам."
    )
    assert _facts(text) == [(None, "Третий апелляционный суд", "appeal_ruling", None, None)]


def test_a_headline_and_the_body_telling_one_decision_are_one_decision() -> None:
    text = (
        "Tbilisi Court Sentences Protesters\n\nOn January 20, 2025, the Tbilisi City Court handed"
        " prison terms to three people who took part in the protests."
    )
    assert _facts(text) == [(date(2025, 1, 20), "Tbilisi City Court", "sentence", None, None)]


def test_dates_as_real_texts_write_them() -> None:
    cases = {
        "Суд в Екатеринбурге 4 авг. 2016 приговорил блогера к двум годам.": date(2016, 8, 4),
        "Печерский районный суд Киева 11 жовтня 2011 года приговорил Тимошенко.": date(
            2011, 10, 11
        ),
        "The Strasbourg court ruled on 12/05/2020 that Russia had violated Article 10.": date(
            2020, 5, 12
        ),
        "A court in Khimki on Tuesday ordered Navalny held for 30 days.": date(2021, 1, 19),
        "Во вторник Тверской районный суд Москвы арестовал активиста.": date(2021, 1, 19),
    }
    for text, decided in cases.items():
        # Each read as published the week of its decision.
        assert [d.decision_date for d in extract(text, decided + timedelta(days=2))] == [decided], (
            text
        )


def test_courts_as_real_texts_name_them() -> None:
    cases = {
        "Суд в Екатеринбурге 4 августа 2016 года приговорил блогера.": "Суд в Екатеринбурге",
        "4 августа 2016 года Оболонский райсуд Киева вынес приговор.": "Оболонский райсуд Киева",
        "4 августа 2016 года Мосгорсуд оставил приговор в силе.": "Мосгорсуд",
        "On 4 August 2016 a court in Khimki remanded him.": "a court in Khimki",
        "On 4 August 2016 the Khimki city court remanded him.": "the Khimki city court",
        "On 4 August 2016 the Strasbourg court found a violation.": "European Court of Human Rights",
        "4 августа 2016 года Судебная коллегия по уголовным делам Камчатского краевого суда"
        " оставила приговор без изменения.": "Судебная коллегия по уголовным делам Камчатского"
        " краевого суда",
        "4 августа 2016 года Ленинский районный суд Ростова-на-Дону арестовал активиста.": (
            "Ленинский районный суд Ростова-на-Дону"
        ),
    }
    for text, court in cases.items():
        assert [d.court for d in extract(text)] == [court], text


def test_periods_as_real_texts_state_them() -> None:
    cases = {
        "Приговор может быть обжалован в 10-дневный срок.": ("10d", None),
        "Решение суда вступит в законную силу в течение десяти суток.": (None, "10d"),
        "The ruling can be appealed within a month.": ("1m", None),
        "Срок апелляционного обжалования приговора составляет 15 суток.": ("15d", None),
        "The judgment will come into force in 15 days.": (None, "15d"),
    }
    for sentence, periods in cases.items():
        text = "On 3 May 2019 the Minsk City Court sentenced the blogger. " + sentence
        assert [(d.appeal_period, d.in_force_period) for d in extract(text)] == [periods], text


def test_an_echr_judgment_with_a_final_stamp_gives_its_in_force_date() -> None:
    text = (
        "CASE OF X v. RUSSIA\n\nJUDGMENT\n\nSTRASBOURG\n\n1 July 2004\n\nFINAL\n\n1 October 2004"
        "\n\nThis judgment will become final in the circumstances set out in Article 44 § 2 of"
        " the Convention.\n\nThe European Court of Human Rights (First Section), sitting as a"
        " Chamber\n\nThe domestic court had ruled on 3 March 2001 that the claim failed."
    )
    [found] = extract(text)
    assert (found.decision_date, found.court, found.in_force_period, found.in_force_date) == (
        date(2004, 7, 1),
        "European Court of Human Rights",
        "3m",
        date(2004, 10, 1),
    )


def test_a_national_judgment_is_read_from_its_header() -> None:
    text = (
        "Дело № 22-647/2023\n\nАПЕЛЛЯЦИОННОЕ ОПРЕДЕЛЕНИЕ\n\nг. Петропавловск-Камчатский 18 июля"
        " 2023 года\n\nСудебная коллегия по уголовным делам Камчатского краевого суда рассмотрела"
        " жалобу на приговор Елизовского районного суда от 25 мая 2023 года."
    )
    assert _facts(text) == [
        (
            date(2023, 7, 18),
            "Судебная коллегия по уголовным делам Камчатского краевого суда",
            "appeal_ruling",
            None,
            None,
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The court declined to comment on the case of the journalist on 3 May 2019.",
        "The hearing in the Moscow City Court was set for 3 May 2019.",
        "Lawyers lodged an appeal against the sentence with the Moscow City Court on 3 May 2019.",
        "A decision by the Tverskoy District Court is expected on 3 May 2019.",
        "Рассмотрение дела в Тверском районном суде Москвы отложено до 3 мая 2019 года.",
        "Защита подала апелляционную жалобу на приговор Мещанского районного суда 3 мая 2019 года.",
        "Присяжные Мосгорсуда вынесли обвинительный вердикт 3 мая 2019 года.",
        "Hearing postponed again\n\nThe Baku court put off the hearing on 3 May 2019. In 2015 the"
        " Baku Grave Crimes Court sentenced him to nine years.",
    ],
)
def test_what_is_not_a_decision(text: str) -> None:
    assert extract(text, date(2019, 5, 3)) == []


def test_an_older_decision_recalled_past_the_lead_is_context() -> None:
    text = (
        "Pardoned activist freed\n\nThe activist left prison on Friday.\n\nShe thanked her"
        " supporters.\n\nHer family was waiting.\n\nJournalists gathered.\n\nOn 23 February"
        " 2017 the Phnom Penh Municipal Court convicted her of assault."
    )
    assert extract(text, date(2018, 8, 21)) == []


def test_a_decision_of_long_ago_is_context_even_in_the_lead() -> None:
    text = (
        "Pardoned activist freed\n\nOn 23 February 2017 the Phnom Penh Municipal Court convicted"
        " her of assault."
    )
    assert extract(text, date(2018, 8, 21)) == []
    assert [d.decision_date for d in extract(text, date(2017, 2, 24))] == [date(2017, 2, 23)]


def test_links_deep_in_a_flattened_page_are_kept() -> None:
    from monitor.sources.parse import links

    html = "<html><body>" + "<div>" * 1_000 + '<a href="/news/1">one</a>' + "</div>" * 1_000
    assert links(html, "https://example.org/", r"/news/\d+") == ["https://example.org/news/1"]


def test_a_decision_dated_after_the_publication_is_a_hearing_ahead() -> None:
    text = "The Tverskoy District Court ordered the hearing to resume on 12 May 2019."
    assert extract(text, date(2019, 5, 3)) == []


def test_a_decision_that_might_be_is_not_one() -> None:
    assert extract("If the court convicts him on 3 May 2019, he could be jailed for years.") == []
    assert extract("Если суд 3 мая 2019 года признает его виновным, он может быть осужден.") == []


def test_such_a_decision_takes_its_kind_from_the_sentence_before() -> None:
    text = (
        "Главу района приговорили к двум годам условно за нападение на журналиста. Такое"
        " решение вынесла судья Черногорского городского суда."
    )
    assert _facts(text) == [(None, "Черногорского городского суда", "sentence", None, None)]


def test_the_court_whose_decision_is_reviewed_is_not_the_deciding_court() -> None:
    english = (
        "On May 15, 2023, Kyiv's Court of Appeal heard the appeal against the decision of the"
        " investigating judge of Shevchenkivsky District Court of Kyiv dated April 25, 2023 and"
        " upheld it."
    )
    found = extract(english, date(2023, 5, 15))
    assert [(d.decision_date, d.court) for d in found] == [
        (date(2023, 5, 15), "Kyiv's Court of Appeal")
    ]
    russian = (
        "27 января коллегия по уголовным делам областного суда отменила приговор Кадомского"
        " районного суда."
    )
    assert [d.court for d in extract(russian, date(2020, 1, 29))] == [
        "коллегия по уголовным делам областного суда"
    ]


def test_a_court_that_decided_in_a_relative_clause_keeps_its_decision() -> None:
    text = (
        "Апелляционный суд Одессы, который 31 мая назначил ему год условно, отклонил ходатайство."
    )
    courts = [d.court for d in extract(text, date(2021, 5, 31))]
    assert courts and (courts[0] or "").startswith("Апелляционный суд"), courts


@pytest.mark.parametrize(
    "text",
    [
        "We will recall that on October 14 the Sughd regional court sentenced him to three years.",
        "Напомним, 14 октября областной суд Согдийской области приговорил его к трём годам.",
        "As reported, on 14 October a court banned the gathering in the village.",
    ],
)
def test_a_decision_recalled_is_background(text: str) -> None:
    assert extract(text, date(2011, 11, 1)) == []


def test_a_verb_about_an_older_decision_in_a_relative_clause_is_not_the_news() -> None:
    text = (
        "Her appeal was filed against the Binagadi court decision of 23 February 2015, which"
        " upheld the complaint and fined her 2,500 manat."
    )
    assert extract(text, date(2015, 3, 1)) == []


def test_the_day_of_the_ruling_told_in_a_later_sentence_dates_it() -> None:
    text = (
        "Egypt upholds jail sentence of activists\n\nAn Egyptian court has confirmed a"
        " three-year prison sentence against three activists.\n\nMonday's ruling deepens the"
        " rift between the opposition and the government."
    )
    assert [d.decision_date for d in extract(text, date(2014, 4, 7))] == [date(2014, 4, 7)]


def test_menus_and_weather_above_the_headline_do_not_push_the_news_out_of_the_lead() -> None:
    text = (
        "Прямая трансляция\n\nАстана\n\nАстана\n\n11°C\n\nМеню\n\nБиртанову приговор оставили"
        " без изменений\n\nВ городском суде Астаны рассмотрели апелляционную жалобу на приговор"
        " бывшему министру.\n\nАпелляция оставила приговор без изменений."
    )
    found = extract(text, date(2022, 3, 1))
    assert [(d.court, d.kind) for d in found] == [("городском суде Астаны", "appeal_ruling")]


@pytest.mark.parametrize(
    ("text", "court"),
    [
        (
            "Суд Ленинского района Екатеринбурга 2 мая арестовал блогера.",
            "Суд Ленинского района Екатеринбурга",
        ),
        ("Горсуд Бишкека 2 мая оставил арест в силе.", "Горсуд Бишкека"),
        (
            "Специализированный межрайонный суд по уголовным делам Алматы 2 мая вынес приговор.",
            "Специализированный межрайонный суд по уголовным делам Алматы",
        ),
        ("On 2 May Judge Ivan Petrov ordered him detained.", None),
    ],
)
def test_more_courts_as_real_texts_name_them(text: str, court: str | None) -> None:
    assert [d.court for d in extract(text, date(2024, 5, 2))] == [court]


def test_a_judge_named_refers_to_the_court_last_named() -> None:
    text = (
        "The Tbilisi City Court heard the case of two activists.\n\nAt the August 18 hearing,"
        " Judge Eka Barbakadze turned down the request for bail and ordered them to stay in"
        " custody."
    )
    found = extract(text, date(2025, 8, 19))
    assert [(d.decision_date, d.court, d.kind) for d in found] == [
        (date(2025, 8, 18), "Tbilisi City Court", "arrest")
    ]


def test_as_reported_by_someone_names_a_source_not_an_older_decision() -> None:
    text = (
        "As reported by her husband, the Supreme Court has rejected the appeal against the"
        " verdict on September 20."
    )
    found = extract(text, date(2022, 9, 20))
    assert [(d.decision_date, d.court) for d in found] == [(date(2022, 9, 20), "Supreme Court")]


def test_a_ruling_posted_on_a_date_is_dated_by_it() -> None:
    text = (
        "The European Court of Human Rights has ordered Russia to pay the activists.\n\nThe"
        " ruling was posted on the court's website on February 7."
    )
    assert [d.decision_date for d in extract(text, date(2017, 2, 7))] == [date(2017, 2, 7)]


@pytest.mark.parametrize(
    "text",
    [
        "Prosecutors asked the court to jail him for six years on 3 May 2019.",
        "On 3 May 2019 the prosecution demanded that the Tverskoy District Court sentence him.",
        "Прокурор 3 мая 2019 года запросил для журналиста шесть лет колонии.",
        "Гособвинение 3 мая 2019 года попросило суд приговорить его к шести годам.",
    ],
)
def test_a_request_by_the_prosecution_is_not_a_decision(text: str) -> None:
    assert extract(text, date(2019, 5, 3)) == []


def test_a_request_told_in_the_past_perfect_leaves_the_decision_that_followed() -> None:
    text = (
        "Prosecutors had asked for six years, but on 3 May 2019 the Tverskoy District Court"
        " sentenced him to five."
    )
    assert [d.decision_date for d in extract(text, date(2019, 5, 3))] == [date(2019, 5, 3)]


def test_a_headline_about_an_appeal_makes_the_decision_appealed_background() -> None:
    text = (
        "Blogger's Lawyer Files Appeal\n\nThe lawyer has lodged an appeal with the city court."
        "\n\nThe Nauryzbay District Court found him guilty of incitement."
    )
    assert extract(text) == []
    recent = (
        "Two journalists convicted over their work have appealed. On October 14 they were"
        " found guilty by Tajik courts in Khujand."
    )
    assert extract(recent, date(2011, 11, 2)) == []


def test_a_court_named_in_lower_case_with_its_jurisdiction_and_city() -> None:
    text = (
        "On 2 May Judge R. Aliyeva of the specialized inter-district court for administrative"
        " offenses in Almaty found the bureau guilty."
    )
    assert [d.court for d in extract(text, date(2024, 5, 2))] == [
        "the specialized inter-district court for administrative offenses in Almaty"
    ]


def test_an_appeal_left_without_satisfaction_is_an_appeal_ruling() -> None:
    text = "Мосгорсуд 27 июня оставил кассационные жалобы осуждённых без удовлетворения."
    found = extract(text, date(2015, 6, 27))
    assert [(d.decision_date, d.court, d.kind) for d in found] == [
        (date(2015, 6, 27), "Мосгорсуд", "appeal_ruling")
    ]


def test_the_appeal_instance_as_the_subject_is_the_court_named_next() -> None:
    text = (
        "Кассация отменила 8 августа приговор бывшему вице-мэру.\n\nОб этом сообщили во Втором"
        " кассационном суде общей юрисдикции."
    )
    found = extract(text, date(2024, 8, 8))
    assert [(d.decision_date, d.court, d.kind) for d in found] == [
        (date(2024, 8, 8), "Втором кассационном суде общей юрисдикции", "appeal_ruling")
    ]


def test_this_morning_is_the_day_of_publication() -> None:
    text = "The Moscow City Court this morning upheld the sentence."
    assert [d.decision_date for d in extract(text, date(2024, 5, 2))] == [date(2024, 5, 2)]


def test_a_headline_nationality_court_gives_way_to_the_court_in_the_body() -> None:
    text = (
        "Kazakh Court Upholds Order To Close Media Outlet\n\nThe appeals court in Almaty on"
        " Thursday turned down the outlet's appeal against the lower court's decision."
    )
    found = extract(text, date(2015, 2, 27))
    assert [(d.decision_date, d.court) for d in found] == [
        (date(2015, 2, 26), "The appeals court in Almaty")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "On 2 May the Tverskoy District Court sided with the prosecutors against the newspaper.",
        "Тверской районный суд Москвы 2 мая лишил журналиста аккредитации.",
        "Мещанский районный суд Москвы 2 мая заблокировал сайт издания.",
    ],
)
def test_more_verbs_courts_decide_with(text: str) -> None:
    assert [d.decision_date for d in extract(text, date(2024, 5, 2))] == [date(2024, 5, 2)]


# ------------------------------------------------------------------ read from the fresh corpus


@pytest.mark.parametrize(
    ("text", "court"),
    [
        (
            "Ленинский районный суд г. Махачкалы Республики Дагестан 30 августа приговорил"
            " директора к штрафу.",
            "Ленинский районный суд г. Махачкалы Республики Дагестан",
        ),
        ("Щербинский суд столицы 30 августа арестовал двоих.", "Щербинский суд столицы"),
        (
            "Штраф 30 августа назначил сыктывкарский городской суд, рядом со зданием"
            " Арбитражного суда нельзя проводить пикеты.",
            "сыктывкарский городской суд",
        ),
        (
            "Beijing's intermediate court on 30 August upheld the two sentences.",
            "Beijing's intermediate court",
        ),
    ],
)
def test_courts_with_their_city_region_or_in_lower_case(text: str, court: str) -> None:
    assert [d.court for d in extract(text, date(2021, 8, 31))] == [court]


def test_a_capitalised_noun_before_court_is_not_a_court_and_the_named_court_wins() -> None:
    text = (
        "Московский суд постановил арестовать подростка.\n\n‒ Постановлением суда удовлетворено"
        " ходатайство следствия о заключении под стражу, ‒ сказал пресс-секретарь Пресненского"
        " суда, где и было принято решение."
    )
    assert [(d.court, d.kind) for d in extract(text)] == [("Пресненского суда", "arrest")]


def test_a_court_named_by_its_district_beats_a_court_named_by_its_city() -> None:
    text = (
        "A Moscow court on Wednesday sentenced a protester to two years.\n\nThe Tverskoi court"
        " sentenced him for kicking two officers."
    )
    found = extract(text, date(2017, 9, 6))
    assert [(d.decision_date, d.court) for d in found] == [(date(2017, 9, 6), "The Tverskoi court")]


def test_the_echr_by_its_abbreviation_is_the_court_and_gives_judgments() -> None:
    text = (
        "ЕСПЧ присудил компенсации активистам, жаловавшимся на арест и штрафы.\n\nЕвропейский"
        " суд по правам человека (ЕСПЧ) в четверг, 10 ноября, постановил выплатить заявителям"
        " компенсации. Одного из них поместили под арест до рассмотрения апелляции."
    )
    found = extract(text, date(2022, 11, 10))
    assert [(d.decision_date, d.court, d.kind) for d in found] == [
        (date(2022, 11, 10), "European Court of Human Rights", "judgment")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The Khamovniki district court on Friday fined her 30,000 rubles.",
        "Фрунзенский районный суд Иванова в пятницу оштрафовал активиста на 21 тысячу рублей.",
    ],
)
def test_a_fine_is_a_sentence(text: str) -> None:
    assert [d.kind for d in extract(text, date(2021, 11, 5))] == ["sentence"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The day of the rally, not of the arrest: the dateline above tells it.
        (
            "МОСКВА, 2 авг - РИА Новости. Пресненский суд Москвы арестовал участника акции 27"
            " июля, передает корреспондент из зала суда.",
            date(2019, 8, 2),
        ),
        # The day the court's spokesman spoke, not of the fine.
        (
            "Железнодорожный суд Воронежа назначил штрафы двум участникам акции, сообщил ТАСС"
            " в пятницу представитель суда.",
            None,
        ),
        # The day the judge announced it, right after the verb of announcing.
        (
            "«Приговор оставить без изменений», — объявила 24 июля судья Мосгорсуда.",
            date(2019, 7, 24),
        ),
    ],
)
def test_which_date_after_the_verb_is_the_decisions(text: str, expected: date | None) -> None:
    assert [d.decision_date for d in extract(text, date(2019, 8, 2))] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Адвокаты добиваются, чтобы Верховный суд пересмотрел решение и изменил приговор.",
        "С 15 марта 2022 года Страсбург вынес 513 решений по жалобам против России.",
        "За полтора года ЕСПЧ присудил заявителям против России более 227 млн евро.",
        "Андрей был осужден мировым судом Тверского района Москвы в апреле 2024 года.",
    ],
)
def test_wished_counted_and_recalled_decisions_are_not_reported(text: str) -> None:
    assert extract(text, date(2025, 3, 1)) == []


@pytest.mark.parametrize(
    ("text", "court", "kind"),
    [
        (
            "Дело № 12-1/2018\nРешение\nг. Асино 1 февраля 2018 года\nСудья Асиновского"
            " городского суда Томской области рассмотрела жалобу.",
            "Асиновского городского суда Томской области",
            "judgment",
        ),
        (
            "А П Е Л Л Я Ц И О Н Н О Е О П Р Е Д Е Л Е Н И Е\n1 февраля 2018 года г. Архангельск\n"
            "Судебная коллегия по уголовным делам Архангельского областного суда рассмотрела"
            " жалобу.",
            "Судебная коллегия по уголовным делам Архангельского областного суда",
            "appeal_ruling",
        ),
        (
            "АПЕЛЛЯЦИОННОЕ ОПРЕДЕЛЕНИЕ\nВеликий Новгород 1 февраля 2018 года\nСудебная коллегия"
            " по уголовным делам Новгородского областного суда рассмотрела жалобу.",
            "Судебная коллегия по уголовным делам Новгородского областного суда",
            "appeal_ruling",
        ),
    ],
)
def test_national_judgment_headers_as_courts_lay_them_out(text: str, court: str, kind: str) -> None:
    found = extract(text)
    assert [(d.decision_date, d.court, d.kind) for d in found] == [(date(2018, 2, 1), court, kind)]


def test_an_arrest_confirmed_on_appeal_and_a_three_day_appeal_period() -> None:
    upheld = extract("Мосгорсуд 20 июля подтвердил арест двух фигурантов дела.", date(2012, 7, 21))
    assert [(d.court, d.kind) for d in upheld] == [("Мосгорсуд", "appeal_ruling")]
    text = (
        "МОСКВА, 24 апр - РАПСИ. Хамовнический суд Москвы в понедельник санкционировал арест"
        " москвича. У защиты есть право обратиться в Мосгорсуд с жалобой в течение трех дней."
    )
    found = extract(text, date(2012, 4, 24))
    assert [(d.decision_date, d.kind, d.appeal_period) for d in found] == [
        (date(2012, 4, 23), "arrest", "3d")
    ]


def test_a_court_named_as_a_place_is_not_the_court_that_decided() -> None:
    text = "Пикетчицу, стоявшую у здания Арбитражного суда, суд 2 мая оштрафовал на 10 тысяч."
    assert [(d.decision_date, d.court) for d in extract(text, date(2024, 5, 3))] == [
        (date(2024, 5, 2), None)
    ]


def test_a_decision_told_as_a_noun_with_its_day_and_its_court() -> None:
    text = (
        "The group said today it was worried by yesterday's decision by a federal appeal court"
        " in Washington confirming that two reporters must go to prison."
    )
    found = extract(text, date(2005, 4, 20))
    assert [(d.decision_date, d.court, d.kind) for d in found] == [
        (date(2005, 4, 19), "a federal appeal court in Washington", "appeal_ruling")
    ]
