"""The web pages in their reader's language: a Russian contact's answer pages, and the
operators' pages in the logged-in operator's language."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor import links
from monitor.db import session_scope
from monitor.links import Links
from monitor.models import Contact, Decision
from monitor.settings import secret_key
from tests.web_helpers import (
    ANSWERED_AT,
    BASE_URL,
    Project,
    csrf_of,
    logged_in,
    path_of,
    received_confirmation_request,
    russian_operator,
)


@pytest.fixture
def project(run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return received_confirmation_request(run, config_dir, monkeypatch)


def executed_link_for_erlan(project: Project) -> str:
    """The "it was carried out" link of an email to Erlan Escalation, who reads Russian."""
    with session_scope(project.engine) as session:
        erlan = session.scalars(select(Contact).where(Contact.key == "escalation")).one()
        decision = session.scalars(select(Decision)).one()
        assert erlan.language == "ru"
        url = Links(BASE_URL, secret_key(project.settings)).url(
            links.EXECUTED, erlan.id, ANSWERED_AT, case_id=decision.case_id, decision_id=decision.id
        )
    return path_of(url)


def test_a_russian_operator_reads_the_operators_pages_in_russian(project: Project) -> None:
    russian_operator(project)
    client = project.app().test_client()
    url = path_of(
        project.run(
            "login-link", "operator@example.org", now="2016-08-21T07:59:00+00:00"
        ).out.strip()
    )
    confirm = client.get(url)
    assert "Войти как Olga Operator" in confirm.text
    client.post(url, data={"csrf": csrf_of(confirm.text)})
    expected = {
        "/": ["Обзор", "Ближайшие сроки", "Дела", "Исходящие", "Выйти"],
        "/cases/kozlov": ["Факты", "Исполнено: не отмечено", "Сроки", "вступление в силу"],
        "/outbox": ["Исходящие", "Показать", "кому", "отправлено", "пропущено"],
        "/outbox/1": ["Письмо 1", "составлено заново"],
        "/sources": ["Источники"],
        "/events": ["События", "сообщение"],
    }
    for path, labels in expected.items():
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="ru">' in page.text, path
        for label in labels:
            assert label in page.text, (path, label)
        assert "Log out" not in page.text and "Overview" not in page.text, path


def test_an_english_operator_keeps_the_english_pages(project: Project) -> None:
    client = logged_in(project)
    page = client.get("/cases/kozlov")
    assert '<html lang="en">' in page.text
    assert "Carried out: not recorded" in page.text and "Факты" not in page.text


def test_a_russian_contact_is_told_in_russian_why_nothing_was_recorded_and_what_was(
    project: Project,
) -> None:
    url = executed_link_for_erlan(project)
    client = project.app().test_client()
    csrf = csrf_of(client.get(url).text)
    future = client.post(url, data={"csrf": csrf, "day": "2016-08-25"})
    assert future.status_code == 400
    assert "Ничего не записано: чт, 25 августа 2016 ещё не наступило" in future.text
    before = client.post(url, data={"csrf": csrf, "day": "2016-08-01"})
    assert "пн, 1 августа 2016 раньше решения от чт, 4 августа 2016" in before.text
    garbled = client.post(url, data={"csrf": csrf, "day": "20.08.2016"})
    assert "20.08.2016 не является датой" in garbled.text
    done = client.post(url, data={"csrf": csrf, "day": "2016-08-20"})
    assert done.status_code == 200 and "Записано. Спасибо." in done.text
    sentence = "Erlan Escalation: записано, что решение от чт, 4 августа 2016"
    assert sentence in done.text and "исполнено сб, 20 августа 2016" in done.text
    assert "recorded" not in done.text
    again = client.get(url)  # the used link says the same, in Russian, later
    assert "уже использована" in again.text and sentence in again.text
    assert "recorded" not in again.text


def test_a_russian_operator_gets_the_login_email_in_russian(project: Project) -> None:
    russian_operator(project)
    client = project.app().test_client()
    before = set(project.outbox.glob("*.eml"))
    form = client.get("/login")
    client.post("/login", data={"csrf": csrf_of(form.text), "email": "operator@example.org"})
    [sent] = set(project.outbox.glob("*.eml")) - before
    message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    assert str(message["Subject"]) == "Ссылка для входа в Court Deadline Monitor"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("Здравствуйте, Olga Operator!") and "/login/" in text
