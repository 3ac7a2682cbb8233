"""Extraction read as a document: a decision announced in one place and told in another."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from monitor.sources.extract import extract, sentences


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


def test_a_digest_of_echr_judgments_gives_one_judgment_per_case_dated_by_its_heading() -> None:
    text = (
        "Judgments of the week concerning Moldova\n\n"
        "On 4 March 2025 the European Court of Human Rights delivered three judgments"
        " concerning Moldova.\n\n"
        "4 March 2025\n\n"
        "POPESCU v. MOLDOVA\n\n"
        "A violation of Article 6 of the Convention on account of the decision of 12 May 2019.\n\n"
        "RUSU c. MOLDAVIE\n\n"
        "Il y a eu violation de l'article 8 de la Convention.\n\n"
        "CIOBANU v. MOLDOVA\n\n"
        "No violation of Article 10 of the Convention."
    )
    found = extract(text, date(2025, 3, 7))
    assert [(d.decision_date, d.court, d.kind) for d in found] == [
        (date(2025, 3, 4), "European Court of Human Rights", "judgment")
    ] * 3


def test_a_violation_alleged_in_a_list_is_not_a_judgment() -> None:
    text = (
        "Cases communicated to the Government\n\n"
        "4 March 2025\n\n"
        "POPESCU v. MOLDOVA\n\n"
        "A violation of Article 6 of the Convention is alleged by the applicant."
    )
    assert extract(text, date(2025, 3, 7)) == []


def test_a_caption_ending_in_a_date_dates_the_court_news_below_it() -> None:
    text = (
        "Chamber News\n\n"
        "The main hall of the Human Rights building seen from the gallery 08/04/25\n\n"
        "In the case of Petrov v. Bulgaria (no. 2) the Court held that there had been a"
        " violation of the right to a fair trial."
    )
    assert _facts(text, date(2025, 4, 15)) == [
        (date(2025, 4, 8), "European Court of Human Rights", "judgment", None, None)
    ]


def test_an_application_declared_inadmissible_by_the_grand_chamber_is_not_a_judgment() -> None:
    text = (
        "Grand Chamber judgment concerning Malta 03/11/2022 The Court has declared"
        " inadmissible the application in the case of Borg v. Malta."
    )
    assert _facts(text, date(2022, 11, 3)) == [
        (date(2022, 11, 3), "European Court of Human Rights", "other", None, None)
    ]


def test_judgments_on_the_same_day_in_different_cases_stay_apart() -> None:
    text = (
        "Grand Chamber judgment concerning Belgium\n\n"
        "03/11/2022 In the case of Dupont Logistics S.A. v. Belgium the Court held that there"
        " had been a violation of the right to a fair hearing.\n\n"
        "Grand Chamber judgment concerning Spain\n\n"
        "03/11/2022 In the case of Garcia-Garcia v. Spain the Court held that there had been"
        " no violation of the right to a fair hearing."
    )
    assert len(extract(text, date(2022, 11, 3))) == 2


def test_an_abbreviation_in_brackets_does_not_end_the_sentence() -> None:
    text = "In the case of Petrov v. Bulgaria (no. 2) the Court held that there was a violation."
    assert sentences(text) == [text]


THURSDAY = date(2024, 5, 16)


def test_the_court_that_sat_and_its_day_carry_to_it_in_the_next_sentence() -> None:
    text = (
        "On Tuesday the Leninsky District Court of Perm heard the case of the journalist."
        " It sentenced him to five years in a penal colony."
    )
    assert _facts(text, THURSDAY) == [
        (date(2024, 5, 14), "Leninsky District Court of Perm", "sentence", None, None)
    ]


def test_it_without_a_court_in_the_sentence_before_is_no_decision() -> None:
    text = "The journalist spoke to reporters on Tuesday. It sentenced nobody."
    assert extract(text, THURSDAY) == []


@pytest.mark.parametrize(
    "text",
    [
        "Ленинский суд Перми приговорил блогера к пяти годам колонии. Приговор был оглашен"
        " во вторник.",
        "The Leninsky District Court of Perm found the blogger guilty. The verdict was announced"
        " on May 14.",
    ],
)
def test_the_day_a_decision_was_announced_told_next_dates_it(text: str) -> None:
    assert [d.decision_date for d in extract(text, THURSDAY)] == [date(2024, 5, 14)]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Мещанский суд Москвы накануне арестовал блогера на два месяца.", date(2024, 5, 15)),
        ("Накануне заседания суда блогера арестовал Мещанский суд Москвы.", None),
    ],
)
def test_nakanune_alone_is_the_day_before_and_before_a_noun_is_the_eve_of_it(
    text: str, day: date | None
) -> None:
    assert [d.decision_date for d in extract(text, THURSDAY)] == [day]


def test_a_relative_day_inside_a_quotation_is_not_resolved() -> None:
    text = (
        "«Заседание прошло накануне. В кассации приговор отменили», — рассказал адвокат."
        " Решение принял Девятый кассационный суд общей юрисдикции."
    )
    assert [d.decision_date for d in extract(text, THURSDAY)] == [None]


@pytest.mark.parametrize(
    "text",
    [
        "Earlier on Tuesday the Leninsky District Court of Perm sentenced the blogger to five"
        " years.",
        "Ранее во вторник Ленинский районный суд Перми приговорил блогера к пяти годам.",
    ],
)
def test_earlier_on_a_day_of_this_week_is_the_news_not_the_background(text: str) -> None:
    assert [d.decision_date for d in extract(text, THURSDAY)] == [date(2024, 5, 14)]


@pytest.mark.parametrize(
    "text",
    [
        "The Leninsky District Court of Perm found the well-known blogger guilty.",
        "Ленинский районный суд Перми признал блогера Ивана Петрова виновным.",
    ],
)
def test_found_guilty_with_a_name_between_is_a_sentence(text: str) -> None:
    assert [d.kind for d in extract(text, THURSDAY)] == ["sentence"]


def test_an_undated_decision_by_the_court_of_an_older_one_recalled_is_background() -> None:
    text = (
        "OSH, May 16, 2024 – The Supreme Court of Kyrgyzstan has upheld the Osh regional court's"
        " verdict against a local reporter.\n\n"
        "The Osh regional court sentenced Bakyt Asanov, the reporter of a local weekly, to three"
        " years in prison on March 1 for his posts.\n\n"
        "Two other men tried with him in the same court were convicted of the same charge."
    )
    assert _facts(text, date(2024, 5, 16)) == [
        (date(2024, 5, 16), "Supreme Court of Kyrgyzstan", "appeal_ruling", None, None)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The blogger faces up to five years in prison if convicted by the Leninsky District"
        " Court of Perm.",
        "Ленинский районный суд Перми во вторник отказался комментировать дело блогера.",
    ],
)
def test_a_penalty_faced_and_a_court_that_would_not_comment_are_no_decision(text: str) -> None:
    assert extract(text, THURSDAY) == []


def test_the_kind_is_the_one_told_after_the_verb() -> None:
    text = (
        "The activist arrested for shouting in the chamber on May 2 pleaded guilty on Tuesday"
        " in the Vilnius District Court and received a light sentence."
    )
    assert [d.kind for d in extract(text, THURSDAY)] == ["sentence"]


def test_a_sentence_left_in_force_is_an_appeal_ruling_not_a_jailing() -> None:
    text = (
        "The Vilnius Regional Court on Tuesday left in force the sentence given to an ally of"
        " jailed blogger Jonas Petraitis."
    )
    assert _facts(text, THURSDAY) == [
        (date(2024, 5, 14), "Vilnius Regional Court", "appeal_ruling", None, None)
    ]


def test_a_court_named_short_and_in_full_keeps_the_full_name() -> None:
    text = (
        "On Tuesday the blogger pleaded guilty in D.C. Superior Court and received a light"
        " sentence.\n\n"
        "Superior Court Judge Ann Lee sentenced him to time served."
    )
    assert [d.court for d in extract(text, THURSDAY)] == ["D.C. Superior Court"]


@pytest.mark.parametrize(
    "text",
    [
        "Defence appeals blogger's sentence\n\nThe lawyers of the blogger lodged an appeal with"
        " the Perm Regional Court on Tuesday.\n\nOn 2 April the Leninsky District Court of Perm"
        " sentenced him to six years in a penal colony.",
        "Blogger sentenced last year released\n\nThe blogger, who was sentenced to two years by"
        " a Perm court last year, walked free on Tuesday after serving his term.",
        "The Leninsky District Court of Perm on Tuesday granted the prosecution's request to"
        " extend the investigation.",
        "Суд во вторник отклонил ходатайство защиты о вызове свидетелей.",
    ],
)
def test_an_appeal_a_decision_of_last_year_and_a_motion_on_the_trial_are_no_decision(
    text: str,
) -> None:
    assert extract(text, THURSDAY) == []


def test_a_motion_for_an_arrest_granted_is_an_arrest() -> None:
    text = "Ленинский районный суд Перми во вторник удовлетворил ходатайство следствия об аресте блогера."
    assert [d.kind for d in extract(text, THURSDAY)] == ["arrest"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Appeal court upholds blogger's sentence\n\nThe Perm Regional Court on Tuesday"
            " rejected the blogger's appeal against his six-year sentence.",
            "appeal_ruling",
        ),
        (
            "Суд освободил блогера по УДО\n\nВо вторник Соликамский городской суд удовлетворил"
            " ходатайство блогера об условно-досрочном освобождении.",
            "parole",
        ),
        (
            "Блогера арестовали на два месяца\n\nБасманный суд Москвы во вторник отправил блогера"
            " под стражу до 14 июля.",
            "arrest",
        ),
    ],
)
def test_the_kind_of_a_decision_told_in_the_headline_and_the_body(text: str, kind: str) -> None:
    assert [(d.decision_date, d.kind) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), kind)
    ]


def test_a_magistrate_decides_as_a_court_does() -> None:
    text = "A magistrate in Perm fined the blogger 30,000 roubles on Tuesday."
    assert [(d.decision_date, d.kind) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), "sentence")
    ]


def test_two_decisions_by_two_courts_named_in_full_stay_two_when_one_is_undated() -> None:
    text = (
        "On Tuesday the Leninsky District Court of Perm placed the blogger under house arrest.\n\n"
        "The Perm Regional Court also upheld the ban on his posts."
    )
    found = extract(text, THURSDAY)
    assert [(d.decision_date, d.court) for d in found] == [
        (date(2024, 5, 14), "Leninsky District Court of Perm"),
        (None, "Perm Regional Court"),
    ]


def test_one_court_named_in_full_and_by_its_abbreviation_is_one_decision() -> None:
    text = (
        "Мосгорсуд во вторник оставил в силе приговор блогеру.\n\n"
        "Московский городской суд отклонил апелляционную жалобу защиты."
    )
    assert len(extract(text, THURSDAY)) == 1


def test_a_decision_behind_a_state_since_a_month_of_a_year_is_background() -> None:
    text = (
        "Суд № 2 города Тараза во вторник приговорил активистов к ограничению свободы.\n\n"
        "Партия запрещена в Казахстане с мая 2020 года: Есильский районный суд Астаны решил,"
        " что она продолжает деятельность запрещенной организации."
    )
    assert [d.court for d in extract(text, THURSDAY)] == ["Суд № 2 города Тараза"]


def test_a_decision_confirming_what_had_been_decided_is_the_news() -> None:
    text = (
        "On May 14, a Federal Court of Appeal confirmed that two reporters had been sentenced"
        " to jail for refusing to name their sources."
    )
    assert _facts(text, THURSDAY) == [
        (date(2024, 5, 14), "Federal Court of Appeal", "appeal_ruling", None, None)
    ]


def test_a_sentence_kept_by_a_court_named_later_is_an_appeal_ruling_by_that_court() -> None:
    text = (
        "Prison terms given in April to two activists were upheld by a Perm court on Tuesday.\n\n"
        "Perm's regional court kept a three-year sentence for the blogger, his lawyer said."
    )
    assert _facts(text, THURSDAY) == [
        (date(2024, 5, 14), "Perm's regional court", "appeal_ruling", None, None)
    ]


def test_a_court_named_after_a_past_year_is_not_the_court_of_an_unnamed_decision() -> None:
    text = (
        "ALMATY, May 14 - The head of the journalists' union received a six-year prison"
        " sentence on Tuesday.\n\n"
        "At the end of 2019 a Kazakh court closed a magazine that often criticised the"
        " government."
    )
    assert [(d.decision_date, d.court) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), None)
    ]


def test_a_court_named_next_with_an_old_date_after_it_is_still_the_court() -> None:
    text = (
        "Суд решил оставить приговор без изменений.\n\n"
        "Третий апелляционный суд рассматривал жалобу на приговор двум участникам акции"
        " 5 ноября 2017 года."
    )
    assert [d.court for d in extract(text, THURSDAY)] == ["Третий апелляционный суд"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("A court in Perm on Tuesday handed the blogger a six-year sentence.", "sentence"),
        ("A court in Perm on Tuesday gave the blogger six years in prison.", "sentence"),
        ("A court in Perm on Tuesday put the blogger under house arrest.", "arrest"),
        ("A court in Perm on Tuesday freed the blogger.", "release"),
        ("The blogger was handed a six-year sentence by a court in Perm on Tuesday.", "sentence"),
        ("The blogger was found guilty by a court in Perm on Tuesday.", "sentence"),
        ("Суд в Перми во вторник дал блогеру шесть лет колонии.", "sentence"),
        ("Суд в Перми во вторник дал блогеру условный срок.", "sentence"),
        ("Суд в Перми во вторник отпустил блогера под подписку о невыезде.", "release"),
    ],
)
def test_more_verbs_of_deciding_as_news_tells_them(text: str, kind: str) -> None:
    assert [(d.decision_date, d.court is not None, d.kind) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), True, kind)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Суд во вторник дал защите две недели на ознакомление с делом.",
        "The blogger, sentenced by a Perm court in 2019, was freed on Tuesday after serving his"
        " term.",
    ],
)
def test_time_given_to_the_defence_and_a_decision_of_an_earlier_year_are_no_news(
    text: str,
) -> None:
    assert extract(text, THURSDAY) == []


def test_an_earlier_year_after_a_dated_decision_is_about_something_else() -> None:
    text = "A Perm court on Tuesday sentenced the blogger for posts he wrote in 2019."
    assert [d.decision_date for d in extract(text, THURSDAY)] == [date(2024, 5, 14)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The verdict read out, told in passing while the judge explains it.
        (
            "Судья Ленинского районного суда, оглашая во вторник приговор, пояснил, что"
            " подсудимые нарушили порядок.",
            (date(2024, 5, 14), "Ленинского районного суда", "sentence"),
        ),
        # "Такое решение ... принял": words between the decision and its verb; a live report.
        (
            "Блогер останется под стражей до 1 августа.\n\nТакое решение несколько минут назад"
            " принял Басманный суд Москвы.",
            (THURSDAY, "Басманный суд Москвы", "arrest"),
        ),
        (
            "The Perm court extended his custody a few minutes ago.",
            (THURSDAY, "The Perm court", None),
        ),
        # A complaint against a decision of a court, rejected: an appeal ruling.
        (
            "Мосгорсуд во вторник отклонил жалобу на постановление Тверского суда об аресте"
            " блогера.",
            (date(2024, 5, 14), "Мосгорсуд", "appeal_ruling"),
        ),
    ],
)
def test_decisions_told_in_passing_live_or_as_a_complaint_rejected(
    text: str, expected: tuple[Any, ...]
) -> None:
    assert [(d.decision_date, d.court, d.kind) for d in extract(text, THURSDAY)] == [expected]


def test_custody_extended_is_an_arrest() -> None:
    text = "Суд в Твери во вторник продлил арест блогера на два месяца."
    assert [d.kind for d in extract(text, THURSDAY)] == ["arrest"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "parole-like" qualifies a sentence; "the banned movement" is an adjective, not a verb.
        (
            "A court in Almaty has given a parole-like sentence to an activist of the banned"
            " movement.",
            (None, "A court in Almaty", "sentence"),
        ),
        # A district court named with the region it sits in.
        (
            "The Ili district court in the Almaty region on Tuesday sentenced the activist to one"
            " year of freedom limitation.",
            (date(2024, 5, 14), "The Ili district court in the Almaty region", "sentence"),
        ),
    ],
)
def test_a_sentence_like_parole_and_a_court_with_its_region(
    text: str, expected: tuple[Any, ...]
) -> None:
    assert [(d.decision_date, d.court, d.kind) for d in extract(text, THURSDAY)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Members of the banned movement came to the Almaty city court on Tuesday.",
        "The Almaty city court heard on Tuesday the case of the banned movement's leader.",
    ],
)
def test_a_group_the_text_calls_banned_is_no_decision(text: str) -> None:
    assert extract(text, THURSDAY) == []


def test_a_decision_taken_on_a_day_told_in_the_next_sentence() -> None:
    text = (
        "Мосгорсуд заменил блогеру условный срок на реальный.\n\nРешение было принято"
        " 14 мая. Приговор может быть обжалован."
    )
    assert [(d.decision_date, d.court) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), "Мосгорсуд")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Защита блогера обжаловала приговор Мосгорсуда\n\nАдвокаты подали апелляционную жалобу"
        " в Верховный суд.\n\nВо вторник Мосгорсуд приговорил блогера к пяти годам колонии.",
        "Lawyers have appealed the Perm Regional Court's verdict\n\nThe defence filed an appeal"
        " with the Supreme Court.\n\nOn Tuesday the Perm Regional Court sentenced the blogger"
        " to five years in prison.",
    ],
)
def test_a_recent_decision_of_the_court_whose_decision_was_appealed_is_the_one_appealed(
    text: str,
) -> None:
    assert extract(text, THURSDAY) == []


def test_a_decision_of_another_court_after_an_appeal_lodged_is_news() -> None:
    text = (
        "Защита блогера обжаловала приговор Мосгорсуда\n\nВо вторник Верховный суд России"
        " отменил приговор блогеру."
    )
    assert [(d.decision_date, d.court) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), "Верховный суд России")
    ]


def test_a_ruling_that_someone_be_held_until_a_day_is_an_arrest() -> None:
    text = "A Moscow district court on Tuesday ruled that the reporter be held until August 30."
    assert [(d.decision_date, d.kind) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), "arrest")
    ]


def test_the_court_whose_decision_is_appealed_is_not_the_judge_referred_back_to() -> None:
    text = (
        "The Appeal Court on Tuesday rejected the appeal of the opposition figures.\n\n"
        "The defendants had appealed against the Phnom Penh Municipal Court's verdict.\n\n"
        "On Tuesday the judge decided to reject the appeal, a lawyer said."
    )
    assert [(d.decision_date, d.court) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), "Appeal Court")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Passive, with the court in the instrumental: the court decided.
        (
            "Продление ареста блогера признано законным решением Мосгорсуда, сообщили в"
            " прокуратуре.",
            (None, "Мосгорсуда", "appeal_ruling"),
        ),
        (
            "Райсуд Бишкека во вторник удовлетворил заявление мэрии и ввел запрет на мирные"
            " собрания в центре города.",
            (date(2024, 5, 14), "Райсуд Бишкека", "other"),
        ),
    ],
)
def test_a_decision_told_in_the_passive_and_a_ban_on_assemblies(
    text: str, expected: tuple[Any, ...]
) -> None:
    assert [(d.decision_date, d.court, d.kind) for d in extract(text, THURSDAY)] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A wire's dateline dates the item, not the decision it reports.
        (
            "МОСКВА, 14 мая - РАПСИ. Мосгорсуд продлил арест блогера, сообщили в пресс-службе"
            " суда.",
            None,
        ),
        # Told from the courtroom: the decision is taken on the dateline's day.
        (
            "МОСКВА, 14 мая - РИА Новости. Мосгорсуд продлил арест блогера, передает"
            " корреспондент из зала суда.",
            date(2024, 5, 14),
        ),
    ],
)
def test_a_dateline_dates_a_decision_only_when_it_is_told_from_the_courtroom(
    text: str, expected: date | None
) -> None:
    assert [d.decision_date for d in extract(text, THURSDAY)] == [expected]


def test_the_judge_announcing_on_a_day_dates_the_ruling_of_her_court() -> None:
    text = (
        "Мосгорсуд признал законным приговор блогеру.\n\n«Приговор оставить без изменений»,"
        " — огласила во вторник судья Мосгорсуда."
    )
    assert [(d.decision_date, d.court, d.kind) for d in extract(text, THURSDAY)] == [
        (date(2024, 5, 14), "Мосгорсуда", "appeal_ruling")
    ]


def test_a_hearing_put_off_makes_a_decision_of_weeks_before_background() -> None:
    text = (
        "The Delhi High Court has put off the hearing of the activist's appeal.\n\n"
        "On April 20 the High Court suspended her sentence and directed her release until"
        " further orders."
    )
    assert extract(text, THURSDAY) == []


def test_until_further_orders_is_no_verb_of_deciding() -> None:
    text = "The Delhi High Court on Tuesday said the activist remains free until further orders."
    assert extract(text, THURSDAY) == []


@pytest.mark.parametrize(
    "text",
    [
        "On Monday the Baku Grave Crimes Court sentenced three journalists to nine years in"
        " prison. Days later, the same court convicted an economist.",
        "В понедельник Мещанский районный суд Москвы приговорил журналиста к шести годам"
        " колонии. На следующий день тот же суд приговорил его редактора.",
    ],
)
def test_a_decision_told_as_days_later_is_another_decision(text: str) -> None:
    found = extract(text, THURSDAY)
    assert [(d.decision_date, d.kind) for d in found] == [
        (date(2024, 5, 13), "sentence"),
        (None, "sentence"),
    ]
    assert found[0].court == found[1].court


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A fine announced in the lead; the court it was imposed in is named right after.
        (
            "Активистку оштрафовали на 15 тысяч рублей за акцию с плакатом.\n\nВ Тверском суде"
            " Москвы активистка признала участие в акции.",
            (None, "Тверском суде Москвы", "sentence"),
        ),
        # The passive, and the court named in the next sentence.
        (
            "Приговор журналистке оставлен в силе, написала она сама.\n\nЖалобу рассматривал"
            " Апелляционный военный суд.",
            (None, "Апелляционный военный суд", "appeal_ruling"),
        ),
    ],
)
def test_a_decision_announced_in_the_lead_takes_the_court_named_right_after_it(
    text: str, expected: tuple[Any, ...]
) -> None:
    assert [(d.decision_date, d.court, d.kind) for d in extract(text, THURSDAY)] == [expected]


def test_an_announced_decision_takes_no_court_named_far_below_it() -> None:
    text = (
        "Активистку оштрафовали на 15 тысяч рублей за акцию с плакатом.\n\nАкция прошла у"
        " мэрии.\n\nПолиция задержала троих.\n\nСторонники пришли к зданию мэрии.\n\nОни"
        " требовали отставки мэра.\n\nВ Тверском суде Москвы слушается другое дело."
    )
    assert extract(text, THURSDAY) == []


@pytest.mark.parametrize(
    ("text", "court"),
    [
        (
            "A Perm court today ordered the paper to pay damages to three deputies.\n\nThe editor"
            " said the ruling was unlawful and that the paper will appeal to the Regional Court of"
            " Appeals.\n\nIt is the second suit against the paper: in 2022 a deputy sued over an"
            " article, and the court ruled in his favour.",
            "A Perm court",
        ),
        (
            "Суд в Перми сегодня обязал газету выплатить компенсацию трем депутатам.\n\nРедактор"
            " назвал решение незаконным и сказал, что газета обжалует его в Пермский краевой суд."
            "\n\nЭто второй иск к газете: в 2022 году депутат подал иск из-за статьи, и суд решил"
            " дело в его пользу.",
            "Суд в Перми",
        ),
    ],
)
def test_the_court_an_appeal_will_go_to_is_not_the_court_referred_back_to(
    text: str, court: str
) -> None:
    assert [(d.decision_date, d.court) for d in extract(text, THURSDAY)] == [(THURSDAY, court)]
