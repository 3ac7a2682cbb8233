"""Texts for the extractor, written for it: English and Russian, several date formats,
decisions with and without periods, negatives and hard negatives. Each expected decision
lists every field except the quote (checked separately: it must contain ``quote_has``).

Used by tests/test_extract.py (field by field) and by ``python -m tests.extraction_report``
(precision and recall per field).
"""

from __future__ import annotations

from datetime import date
from typing import Any

D = date


def dec(
    decision_date: date | None,
    court: str | None = None,
    kind: str | None = None,
    period: str | None = None,
    in_force_date: date | None = None,
    quote_has: str = "",
    appeal: str | None = None,
) -> dict[str, Any]:
    """``period``: the in-force period ("comes into force in 15 days"); ``appeal``: the appeal
    period ("can be appealed within 10 days"). A text usually states one of them."""
    return {
        "decision_date": decision_date,
        "court": court,
        "kind": kind,
        "appeal_period": appeal,
        "in_force_period": period,
        "in_force_date": in_force_date,
        "quote_has": quote_has,
    }


# (id, as_of, text, expected decisions)
CORPUS: list[tuple[str, date | None, str, list[dict[str, Any]]]] = [
    # ---------------------------------------------------------------- English, positives
    (
        "en-fixture-style",
        None,
        "On 4 August, 2016, the Kapshagai City Court of Almaty Province ordered the conditional release of "
        "opposition politician Vladimir Kozlov. The court decision will come into force in 15 days.",
        [
            dec(
                D(2016, 8, 4),
                "Kapshagai City Court of Almaty Province",
                "parole",
                "15d",
                quote_has="come into force in 15 days",
            )
        ],
    ),
    (
        "en-mdy",
        None,
        "On August 4, 2016, the Moscow City Court sentenced the activist to three years in a penal colony. "
        "The sentence can be appealed within ten days.",
        [dec(D(2016, 8, 4), "Moscow City Court", "sentence", appeal="10d")],
    ),
    (
        "en-dotted",
        None,
        "By a decision of 04.08.2016 the Almaty District Court released the journalist. The decision enters into force in 10 working days.",
        [dec(D(2016, 8, 4), "Almaty District Court", "release", "10wd")],
    ),
    (
        "en-iso",
        None,
        "Judgment delivered 2016-08-04: the European Court of Human Rights found a violation of Article 5. "
        "It will become final in three months.",
        [dec(D(2016, 8, 4), "European Court of Human Rights", "judgment", "3m")],
    ),
    (
        "en-echr-final-date",
        None,
        "In its judgment of 26 February 2002 the European Court of Human Rights ruled that the detention was unlawful. "
        "The judgment became final on 26 May 2002.",
        [dec(D(2002, 2, 26), "European Court of Human Rights", "judgment", None, D(2002, 5, 26))],
    ),
    (
        "en-no-year-as-of",
        D(2016, 8, 10),
        "On 4 August the Supreme Court rejected the appeal of the defence. The ruling enters into force in 5 days.",
        [dec(D(2016, 8, 4), "Supreme Court", "appeal_ruling", "5d")],
    ),
    (
        "en-no-year-unknown",
        None,
        "On 4 August the Supreme Court rejected the appeal of the defence. The ruling enters into force in 5 days.",
        [dec(None, "Supreme Court", "appeal_ruling", "5d")],
    ),
    (
        "en-weekday",
        D(2016, 8, 12),
        "On Thursday the Astana City Court acquitted the blogger. The prosecution has 15 days to appeal.",
        [dec(D(2016, 8, 11), "Astana City Court", "acquittal", appeal="15d")],
    ),
    (
        "en-has-30-days",
        None,
        "On 1 March 2021 the Regional Court of Warsaw convicted the officer. The defence has 30 days to appeal.",
        [dec(D(2021, 3, 1), "Regional Court of Warsaw", "sentence", appeal="30d")],
    ),
    (
        "en-within-weeks",
        None,
        "On 3 May 2019 the Minsk City Court granted parole to the prisoner. The decision may be appealed within two weeks.",
        [dec(D(2019, 5, 3), "Minsk City Court", "parole", appeal="2w")],
    ),
    (
        "en-one-year",
        None,
        "On 12 June 2018 the Tbilisi City Court ordered the release of the detainee. The order comes into force in one year.",
        [dec(D(2018, 6, 12), "Tbilisi City Court", "release", "1y")],
    ),
    (
        "en-in-force-on",
        None,
        "On 4 August 2016 the court of first instance ordered the release of Mr Ivanov; the decision will enter into force on 20 August 2016.",
        [dec(D(2016, 8, 4), None, "release", None, D(2016, 8, 20))],
    ),
    (
        "en-ordinal",
        None,
        "On the 5th of September 2017 the Bishkek City Court upheld the sentence of the journalist. The appeal ruling enters into force in 10 days.",
        [dec(D(2017, 9, 5), "Bishkek City Court", "appeal_ruling", "10d")],
    ),
    (
        "en-two-decisions",
        None,
        "On 8 October 2012 the Aktau City Court sentenced him to 7.5 years. On 4 August 2016 the Kapshagai City Court "
        "ordered his conditional release. The court decision will come into force in 15 days.",
        [
            dec(D(2012, 10, 8), "Aktau City Court", "sentence"),
            dec(D(2016, 8, 4), "Kapshagai City Court", "parole", "15d"),
        ],
    ),
    (
        "en-same-decision-twice",
        None,
        "On 4 August 2016 the Kapshagai City Court granted the petition for early release. "
        "Lawyers welcomed the news. On 4 August 2016, the court ordered the conditional release of the prisoner.",
        [dec(D(2016, 8, 4), "Kapshagai City Court", "parole")],
    ),
    (
        "en-sentenced-no-court-word",
        None,
        "On 8 October 2012, Vladimir Kozlov was sentenced to 7.5 years' imprisonment.",
        [dec(D(2012, 10, 8), None, "sentence")],
    ),
    (
        "en-yesterday",
        D(2020, 11, 3),
        "Yesterday the Minsk District Court sentenced the protester to two years. The verdict can be appealed within 10 days.",
        [dec(D(2020, 11, 2), "Minsk District Court", "sentence", appeal="10d")],
    ),
    (
        "en-appeal-court-of",
        None,
        "On 15 March 2019 the Court of Appeal of Paris overturned the conviction. The ruling comes into effect in 2 months.",
        [dec(D(2019, 3, 15), "Court of Appeal of Paris", "appeal_ruling", "2m")],
    ),
    # ---------------------------------------------------------------- English, negatives
    (
        "en-neg-postponed",
        None,
        "On 4 August 2016 the Kapshagai City Court postponed the hearing on the release of Vladimir Kozlov to 10 August.",
        [],
    ),
    (
        "en-neg-appeal-filed",
        None,
        "On 5 August 2016 his lawyers filed an appeal against the decision of the Kapshagai City Court.",
        [],
    ),
    (
        "en-neg-documents",
        None,
        "The defence was given five days to receive the documents of the case from the court registry.",
        [],
    ),
    (
        "en-neg-appeal-takes",
        None,
        "Lawyers say the appeal will take up to three months, and the hearing is scheduled for 1 September 2016.",
        [],
    ),
    (
        "en-neg-no-decision",
        None,
        "On 23 January 2012 Vladimir Kozlov was arrested upon his return from Brussels.",
        [],
    ),
    (
        "en-neg-will-consider",
        None,
        "On 10 August 2016 the Supreme Court will consider the complaint of the prosecution.",
        [],
    ),
    (
        "en-neg-three-months-later",
        None,
        "Three months later the activist left the country; the trial had ended in 2015.",
        [],
    ),
    (
        "en-neg-vague",
        None,
        "Courts have repeatedly denied his release on parole over the past year.",
        [],
    ),
    # ---------------------------------------------------------------- Russian, positives
    (
        "ru-genitive",
        None,
        "4 августа 2016 года Капшагайский городской суд Алматинской области удовлетворил ходатайство об условно-досрочном "
        "освобождении Владимира Козлова. Постановление суда вступит в законную силу через 15 суток.",
        [dec(D(2016, 8, 4), "Капшагайский городской суд Алматинской области", "parole", "15d")],
    ),
    (
        "ru-appeal-within",
        None,
        "12 марта 2019 года Мещанский районный суд Москвы приговорил активиста к трем годам лишения свободы. "
        "Приговор может быть обжалован в течение 10 суток.",
        [dec(D(2019, 3, 12), "Мещанский районный суд Москвы", "sentence", appeal="10d")],
    ),
    (
        "ru-month",
        None,
        "15.06.2020 Верховный суд отменил приговор и освободил журналиста. Решение может быть обжаловано в течение месяца.",
        [dec(D(2020, 6, 15), "Верховный суд", "appeal_ruling", appeal="1m")],
    ),
    (
        "ru-no-year",
        D(2021, 2, 20),
        "16 февраля Алматинский областной суд оставил без изменения приговор блогеру. Определение вступает в законную силу через 10 дней.",
        [dec(D(2021, 2, 16), "Алматинский областной суд", "appeal_ruling", "10d")],
    ),
    (
        "ru-no-year-unknown",
        None,
        "16 февраля Алматинский областной суд оставил без изменения приговор блогеру.",
        # The day without a year or a publication date: reported undated, for the operators.
        [dec(None, "Алматинский областной суд", "appeal_ruling")],
    ),
    (
        "ru-in-force-date",
        None,
        "Решение Есильского районного суда от 2 сентября 2019 года об освобождении активиста вступило в законную силу 18 сентября 2019 года.",
        [dec(D(2019, 9, 2), "Есильского районного суда", "release", None, D(2019, 9, 18))],
    ),
    (
        "ru-weekday",
        D(2018, 5, 26),
        "В пятницу Ленинский районный суд оправдал журналиста. Прокуратура может обжаловать приговор в течение 15 суток.",
        [dec(D(2018, 5, 25), "Ленинский районный суд", "acquittal", appeal="15d")],
    ),
    (
        "ru-iso",
        None,
        "2017-11-20 Мосгорсуд освободил фигуранта дела из-под стражи. Постановление вступит в законную силу через десять суток.",
        [dec(D(2017, 11, 20), "Мосгорсуд", "release", "10d")],
    ),
    (
        "ru-working-days",
        None,
        "3 апреля 2022 года Октябрьский районный суд постановил освободить задержанного. Решение может быть обжаловано в течение 5 рабочих дней.",
        [dec(D(2022, 4, 3), "Октябрьский районный суд", "release", appeal="5wd")],
    ),
    (
        "ru-echr",
        None,
        "20 октября 2020 года Европейский суд по правам человека вынес решение по делу активиста и признал нарушение статьи 5 Конвенции. "
        "Решение вступит в силу через три месяца.",
        [dec(D(2020, 10, 20), "Европейский суд по правам человека", "judgment", "3m")],
    ),
    (
        "ru-yesterday",
        D(2016, 8, 5),
        "Вчера Капшагайский городской суд удовлетворил ходатайство Козлова об УДО.",
        [dec(D(2016, 8, 4), "Капшагайский городской суд", "parole")],
    ),
    (
        "ru-convicted-passive",
        None,
        "8 октября 2012 года Козлов был осужден на 7,5 лет лишения свободы.",
        [dec(D(2012, 10, 8), None, "sentence")],
    ),
    (
        "ru-two-weeks",
        None,
        "1 декабря 2023 года Бостандыкский районный суд заменил наказание на штраф. Постановление может быть обжаловано в течение двух недель.",
        # A fine is a penalty: the kind is "sentence", as for a fine imposed in the first place.
        [dec(D(2023, 12, 1), "Бостандыкский районный суд", "sentence", appeal="2w")],
    ),
    # ---------------------------------------------------------------- Russian, negatives
    (
        "ru-neg-postponed",
        None,
        "4 августа 2016 года Капшагайский городской суд отложил рассмотрение ходатайства Козлова до 10 августа.",
        [],
    ),
    (
        "ru-neg-appeal-filed",
        None,
        "5 августа 2016 года адвокаты подали апелляционную жалобу на решение суда.",
        [],
    ),
    ("ru-neg-documents", None, "Защите дали пять дней на ознакомление с материалами дела.", []),
    (
        "ru-neg-hearing-scheduled",
        None,
        "Рассмотрение апелляции назначено на 1 сентября 2016 года, суд рассмотрит жалобу в течение двух месяцев.",
        [],
    ),
    (
        "ru-neg-detention",
        None,
        "23 января 2012 года Козлов был задержан по возвращении из Брюсселя.",
        [],
    ),
    ("ru-neg-will-consider", None, "10 августа Верховный суд рассмотрит жалобу прокуратуры.", []),
    (
        "ru-neg-general",
        None,
        "Суды неоднократно отказывали в переводе Козлова на обычные условия содержания.",
        [],
    ),
    # ---------------------------------------------------------------- mixed, tricky
    (
        "en-ru-mixed-page",
        None,
        "News. 4 августа 2016 года суд вынес решение. On 4 August 2016 the Kapshagai City Court ordered the release.",
        [dec(D(2016, 8, 4), "Kapshagai City Court", "release")],
    ),
    (
        "en-initials",
        None,
        "On 2 May 2019 the Almaty City Court sentenced V. A. Petrov to four years. The verdict enters into force in 15 days.",
        [dec(D(2019, 5, 2), "Almaty City Court", "sentence", "15d")],
    ),
    (
        "en-invalid-date",
        None,
        "On 31 February 2016 the court ordered the release of the detainee.",
        [],
    ),
]
