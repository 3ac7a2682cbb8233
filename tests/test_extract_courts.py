"""Courts as real texts name them: each form found whole, so that the court compared is the
court meant, not a part of its name."""

from __future__ import annotations

import pytest

from monitor.sources.extract import extract, find_court


@pytest.mark.parametrize(
    ("sentence", "court"),
    [
        ("Суд в Санкт-Петербурге оштрафовал блогера.", "Суд в Санкт-Петербурге"),
        ("Суд в Перми оштрафовал блогера.", "Суд в Перми"),
        ("Суд в Нижнем Новгороде оштрафовал блогера.", "Суд в Нижнем Новгороде"),
        ("Вчера суд в Нур-Султане арестовал блогера.", "суд в Нур-Султане"),
        (
            "Октябрьский районный суд Санкт-Петербурга оштрафовал блогера.",
            "Октябрьский районный суд Санкт-Петербурга",
        ),
        (
            "Верховный суд Кабардино-Балкарии отменил приговор блогеру.",
            "Верховный суд Кабардино-Балкарии",
        ),
        (
            "Второй западный окружной военный суд приговорил журналистку к штрафу.",
            "Второй западный окружной военный суд",
        ),
        (
            "Военная коллегия Верховного суда оставила приговор без изменений.",
            "Военная коллегия Верховного суда",
        ),
        (
            "Вчера специализированный межрайонный суд по уголовным делам города Алматы вынес"
            " приговор.",
            "специализированный межрайонный суд по уголовным делам города Алматы",
        ),
        ("Суд Набережных Челнов оштрафовал шестерых горожан.", "Суд Набережных Челнов"),
        ("Вчера суд Ингушетии оштрафовал блогера.", "суд Ингушетии"),
        ("Суд города Астаны оштрафовал блогера.", "Суд города Астаны"),
        (
            "Суд Ленинского района города Грозного оштрафовал блогера.",
            "Суд Ленинского района города Грозного",
        ),
        (
            "Ленинский районный суд города Грозного оштрафовал блогера.",
            "Ленинский районный суд города Грозного",
        ),
        (
            "Суд Ханты-Мансийского автономного округа оштрафовал блогера.",
            "Суд Ханты-Мансийского автономного округа",
        ),
        (
            "Ленинский районный суд г. Махачкалы Республики Дагестан вынес приговор.",
            "Ленинский районный суд г. Махачкалы Республики Дагестан",
        ),
        (
            "Европейский суд по правам человека (Третья секция) вынес постановление.",
            "Европейский суд по правам человека (Третья секция)",
        ),
    ],
)
def test_russian_courts_are_found_whole(sentence: str, court: str) -> None:
    assert find_court(sentence) == court


@pytest.mark.parametrize(
    "sentence",
    [
        # A person after "суд": the trial of someone, not a court's seat.
        "Суд Марии Алехиной начался в понедельник.",
        "Приговор суда Кирилла Серебренникову не понравился.",
        # A country is not a court's seat: "суд в России" names no court.
        "Суд в России вынес приговор блогеру.",
    ],
)
def test_a_person_after_the_word_court_is_not_a_place(sentence: str) -> None:
    assert find_court(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "court"),
    [
        (
            "On Monday the 7th U.S. Circuit Court of Appeals ruled for the city.",
            "7th U.S. Circuit Court of Appeals",
        ),
        (
            "Istanbul's 25th High Criminal Court sentenced the editor.",
            "Istanbul's 25th High Criminal Court",
        ),
        ("A Cairo criminal court sentenced the editor.", "Cairo criminal court"),
        (
            "The Tashkent city criminal court sentenced the editor.",
            "The Tashkent city criminal court",
        ),
        ("An Algerian court of appeals upheld the sentence.", "An Algerian court of appeals"),
        (
            "The Appeals Chamber of the High Anti-Corruption Court upheld the sentence.",
            "Appeals Chamber of the High Anti-Corruption Court",
        ),
        ("Moscow's Meshchansky court fined the editor.", "Moscow's Meshchansky court"),
        ("The Meshchansky court in Moscow fined the editor.", "The Meshchansky court in Moscow"),
        (
            "The Medeu district court of Almaty sentenced the editor.",
            "The Medeu district court of Almaty",
        ),
        ("A magistrate's court in Moscow fined the editor.", "A magistrate's court in Moscow"),
    ],
)
def test_english_courts_are_found_whole(sentence: str, court: str) -> None:
    assert find_court(sentence) == court


def test_a_judge_alone_is_not_a_court() -> None:
    assert find_court("A federal judge in Washington ordered the release.") is None


@pytest.mark.parametrize(
    ("sentence", "court"),
    [
        ("Суд в Тверской области приговорил активиста к году условно.", "Суд в Тверской области"),
        ("В четверг российский суд признал активиста виновным.", "российский суд"),
        (
            "Суд № 2 Сарыаркинского района города Астаны приговорил активистку.",
            "Суд № 2 Сарыаркинского района города Астаны",
        ),
        # A Latin "C" typed into a Russian word.
        ("Cуд в Перми приговорил блогера.", "Суд в Перми"),
    ],
)
def test_russian_courts_by_region_country_number_and_with_a_latin_letter(
    sentence: str, court: str
) -> None:
    assert [d.court for d in extract(sentence)] == [court]


@pytest.mark.parametrize(
    ("sentence", "court"),
    [
        (
            "The Leninski District Court in Minsk on Tuesday sentenced the activist.",
            "Leninski District Court in Minsk",
        ),
        (
            "The Supreme Court in January upheld the sentence.",
            "Supreme Court",
        ),
        (
            "On May 14, the Court of Serious Crimes in Armenia's capital Yerevan sentenced the"
            " editor to six years in prison.",
            "the Court of Serious Crimes in Armenia's capital Yerevan",
        ),
    ],
)
def test_english_courts_with_the_city_they_sit_in(sentence: str, court: str) -> None:
    assert [d.court for d in extract(sentence)] == [court]
