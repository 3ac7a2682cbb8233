"""Alerts are emails in the reader's language: what happened, the decision, every deadline
with its explanation, the source and quote, what to do; ids and config keys for operators only."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine

from monitor.db import session_scope
from monitor.notify.alerts import plan_alerts
from monitor.notify.deliver import FileBackend
from monitor.notify.dispatch import dispatch_due
from tests.conftest import Page, Site
from tests.test_config_check import replace
from tests.test_poll import NOW, ONE_SOURCE, RELEASE, poll, setup


def found_alerts(
    engine: Engine, config_dir: Path, site: Site, tmp_path: Path, advocate_language: str
) -> dict[str, EmailMessage]:
    replace(config_dir / "contacts.toml", 'language = "en"', f'language = "{advocate_language}"')
    site.pages["/news"] = Page(RELEASE.encode())
    setup(engine, config_dir, site, ONE_SOURCE)
    poll(engine, config_dir)
    with session_scope(engine) as session:
        plan_alerts(session, NOW)
    out = tmp_path / "out"
    dispatch_due(
        engine, FileBackend(out), NOW + timedelta(minutes=6), worker="t", sender="M <m@example.org>"
    )
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in out.glob("*.eml")
    ]
    return {m["To"].addresses[0].username: m for m in messages}  # type: ignore[misc]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_new_decision_alert_in_english_states_every_deadline_and_what_to_do(
    sqlite_engine: Engine, config_dir: Path, site: Site, tmp_path: Path
) -> None:
    body = text_of(found_alerts(sqlite_engine, config_dir, site, tmp_path, "en")["advocate"])
    assert (
        "A source reports a new decision in the case Vladimir Kozlov: conditional early release.\n"
        "Decision: parole, Kapshagai City Court of Almaty Province, Thu 4 Aug 2016" in body
    )
    assert "- last day to appeal: Fri 19 Aug 2016" in body
    assert "- entry into force: Sat 20 Aug 2016 (uncertain)" in body
    assert "15 days counted from Fri 5 Aug 2016" in body
    assert "The court decision will come into force in 15 days." in body
    assert "What you may want to do: Check the decision against the source." in body
    assert "2016-08-05 10:00 Europe/Warsaw" in body  # local time, named
    # No internal ids or config keys for an advocate.
    assert "odf" not in body.replace("odfoundation", "") and "kozlov:" not in body
    assert "Details (for operators)" not in body


def test_new_decision_alert_in_russian(
    sqlite_engine: Engine, config_dir: Path, site: Site, tmp_path: Path
) -> None:
    alerts = found_alerts(sqlite_engine, config_dir, site, tmp_path, "ru")
    message = alerts["advocate"]
    assert message["Subject"] == "[Kozlov] Найдено новое решение"
    body = text_of(message)
    assert "Источник сообщает о новом решении по делу «Vladimir Kozlov: conditional" in body
    assert "Решение: условно-досрочное освобождение, Kapshagai City Court" in body
    assert "- последний день обжалования: пт, 19 августа 2016" in body
    assert "- вступление в силу: сб, 20 августа 2016 (не бесспорно)" in body
    assert "15 дней отсчитываются с пт, 5 августа 2016" in body
    assert "Что можно сделать: Сверьте решение с источником." in body


def test_operators_get_the_details_and_are_not_told_to_write_to_themselves(
    sqlite_engine: Engine, config_dir: Path, site: Site, tmp_path: Path
) -> None:
    message = found_alerts(sqlite_engine, config_dir, site, tmp_path, "en")["operator"]
    body = text_of(message)
    assert "Details (for operators): kozlov: odf reports a parole decision" in body
    assert "write to Olga Operator" not in body
    assert message["Reply-To"] is None


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_recorded_fact_reaches_the_advocate_in_words(
    run, config_dir: Path, language: str
) -> None:  # type: ignore[no-untyped-def]
    replace(config_dir / "contacts.toml", 'language = "en"', f'language = "{language}"')
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    later = "2016-08-21T08:00:00+00:00"
    assert run("record", "kozlov", "--executed", "2016-08-20", now=later).code == 0
    shown = run("outbox", "--kind", "alert", "--json", now=later)
    import json

    [row] = json.loads(shown.out)["notifications"]
    text = run("outbox", "show", str(row["id"]), now=later).out
    if language == "en":
        assert "Recorded for the decision of Thu 4 Aug 2016 in the case" in text
        assert ": carried out on Sat 20 Aug 2016." in text
    else:
        assert "записано: исполнено сб, 20 августа 2016" in text
