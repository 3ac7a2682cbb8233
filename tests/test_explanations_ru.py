"""Explanations in the contact's language: the same steps and facts in English and Russian."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from monitor.catalog import load_catalog
from monitor.db import session_scope
from monitor.deadlines.calendars import CourtCalendar
from monitor.deadlines.rules import APPEAL_UNTIL, IN_FORCE, compute, preset
from monitor.notify.deliver import SmtpBackend
from monitor.notify.dispatch import dispatch_due
from monitor.sync import sync_catalog
from tests.conftest import BEFORE_KOZLOV, SmtpServer

RULES = [
    ("kz-criminal-appeal-15d", "KZ"),
    ("echr-chamber-final", "ECHR"),
    ("us-frcp-days:14", "US"),
    ("working-days:10", "KZ"),
    ("calendar-days:10", "RU"),
    ("months:1", "PL"),
    ("weeks:2", "PL"),
]


def both(rule: str, jurisdiction: str, trigger: date) -> tuple[list, list]:  # type: ignore[type-arg]
    calendar = CourtCalendar(jurisdiction)
    kw = {"grace_days": 3}
    return (
        compute(preset(rule), trigger, calendar, **kw),  # type: ignore[arg-type]
        compute(preset(rule), trigger, calendar, language="ru", **kw),  # type: ignore[arg-type]
    )


def test_kozlov_in_russian_says_the_same_steps() -> None:
    _, ru = both("kz-criminal-appeal-15d", "KZ", date(2016, 8, 4))
    text = {d.kind: d.explanation for d in ru}
    assert text[APPEAL_UNTIL] == (
        "решение оглашено чт, 4 августа 2016; 15 дней отсчитываются с пт, 5 августа 2016;"
        " 15-й день: пт, 19 августа 2016; пт, 19 августа 2016: рабочий день в Казахстане:"
        " последний день обжалования: пт, 19 августа 2016"
        " (kz-criminal-appeal-15d: УПК РК, ч. 1 ст. 418, ч. 2–4 ст. 48, ч. 1 ст. 470)."
    )
    assert "вступает в силу сб, 20 августа 2016" in text[IN_FORCE]
    assert "Не бесспорно: ч. 1 ст. 470" in text[IN_FORCE]


def test_each_skipped_day_is_named_in_russian() -> None:
    _, ru = both("kz-criminal-appeal-15d", "KZ", date(2016, 8, 5))
    text = ru[0].explanation
    assert "сб, 20 августа 2016: выходной (суббота)" in text
    assert "вс, 21 августа 2016: выходной (воскресенье)" in text
    assert "переносится на пн, 22 августа 2016, следующий рабочий день" in text


def test_holiday_names_are_in_russian_where_the_calendar_has_them() -> None:
    _, ru = both("calendar-days:10", "RU", date(2016, 12, 26))
    assert "чт, 5 января 2017: праздник: Новогодние каникулы" in ru[0].explanation


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    rule=st.sampled_from(RULES),
    trigger=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
)
def test_russian_and_english_give_the_same_dates_and_flags(
    rule: tuple[str, str], trigger: date
) -> None:
    en, ru = both(rule[0], rule[1], trigger)
    assert [(d.kind, d.date, d.uncertain) for d in en] == [
        (d.kind, d.date, d.uncertain) for d in ru
    ]
    # The same number of steps: one "; " per step in each language.
    for e, r in zip(en, ru, strict=True):
        assert e.explanation.count(";") == r.explanation.count(";")
        assert ("Uncertain" in e.explanation) == ("Не бесспорно" in r.explanation)


def test_explain_language_ru(run) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    result = run("explain", "kozlov", "--language", "ru")
    assert result.code == 0, result.err
    flat = " ".join(result.out.split())
    assert "15 дней отсчитываются с пт, 5 августа 2016" in flat
    assert "исполнить до вт, 23 августа 2016" in flat
    # Dates are never split over two lines.
    assert "пт,\n" not in result.out and "\n    августа" not in result.out


def test_a_court_closure_unknown_to_the_email_keeps_the_stored_english(
    run,  # type: ignore[no-untyped-def]
    config_dir: Path,
) -> None:
    (config_dir / "calendars.toml").write_text(
        '[[closures]]\njurisdiction = "KZ"\ndate = "2016-08-19"\nreason = "renovation"\n',
        encoding="utf-8",
    )
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    # explain reads the config, so it knows the closure and says it in Russian...
    flat = " ".join(run("explain", "kozlov", "--language", "ru").out.split())
    assert "суд закрыт (renovation)" in flat
    # ...and an email, which has only the database, keeps the English that was computed.
    from monitor.db import make_engine
    from monitor.decisions import explanations_in, find_decision

    engine = make_engine(f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}")
    with session_scope(engine) as session:
        decision = find_decision(session, "kozlov", None)
        text = explanations_in(decision, "ru")
        assert "the court is closed (renovation)" in text[APPEAL_UNTIL]
    engine.dispose()


def test_a_russian_contact_gets_the_explanation_in_russian(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    with session_scope(sqlite_engine) as session:
        sync_catalog(session, load_catalog(config_dir), BEFORE_KOZLOV)
    dispatch_due(
        sqlite_engine,
        SmtpBackend(smtp_server.url),
        datetime(2016, 8, 23, 3, 0, tzinfo=UTC),
        worker="test",
        sender="Monitor <monitor@example.org>",
        rng=random.Random(1),
    )
    messages = {m["To"].addresses[0].addr_spec: m for m in smtp_server.recorder.messages()}  # type: ignore[attr-defined]
    body = messages["escalation@example.org"].get_body(preferencelist=("plain",)).get_content()
    assert "Как вычислена дата:" in body
    assert "(на английском)" not in body
    assert "исполнить до вт, 23 августа 2016" in body
