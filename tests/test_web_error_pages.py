"""Every refusal of the web view is a page of its own, with the right status, in its reader's
language: the operator's, the language of the contact a genuine link names, or else the one
the browser asks for. Never the server's default page, never a traceback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from monitor import links
from monitor.db import session_scope
from monitor.links import Links
from monitor.models import Contact, Decision
from monitor.settings import secret_key
from monitor.web.words import words
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

BROWSER = {"en": "en-GB,en;q=0.9", "ru": "ru-RU,ru;q=0.9,en;q=0.5"}
# The example's advocate reads English; its escalation contact, Erlan, reads Russian.
CONTACT = {"en": "advocate", "ru": "escalation"}


@pytest.fixture
def project(run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return received_confirmation_request(run, config_dir, monkeypatch)


def says(page: Any, status: int, language: str, key: str, **values: Any) -> None:
    assert page.status_code == status, page.text
    assert page.mimetype == "text/html"
    assert f'<html lang="{language}">' in page.text
    assert str(escape(words(language)(key, **values))) in page.text, page.text
    for default in ("Traceback", "Werkzeug", "<title>4", "<title>5"):
        assert default not in page.text


def signed(project: Project, language: str, action: str, now: Any = ANSWERED_AT) -> str:
    with session_scope(project.engine) as session:
        contact = session.scalars(select(Contact).where(Contact.key == CONTACT[language])).one()
        assert contact.language == language
        decision = session.scalars(select(Decision)).one()
        url = Links(BASE_URL, secret_key(project.settings)).url(
            action, contact.id, now, case_id=decision.case_id, decision_id=decision.id
        )
    return path_of(url)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_unknown_address_is_a_404_page_in_the_browsers_language(
    project: Project, language: str
) -> None:
    page = (
        project.app()
        .test_client()
        .get("/no/such/page", headers={"Accept-Language": BROWSER[language]})
    )
    says(page, 404, language, "error.not_found")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_login_flood_is_a_429_page_in_the_browsers_language(
    project: Project, language: str
) -> None:
    client = project.app().test_client()
    headers = {"Accept-Language": BROWSER[language]}
    form = client.get("/login", headers=headers)
    assert f'<html lang="{language}">' in form.text
    asked = [
        client.post(
            "/login",
            data={"csrf": csrf_of(form.text), "email": "operator@example.org"},
            headers=headers,
        )
        for _ in range(4)
    ]
    assert [a.status_code for a in asked] == [200, 200, 200, 429]
    says(asked[-1], 429, language, "error.login_flood")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_login_form_without_its_csrf_token_is_a_400_page_in_the_browsers_language(
    project: Project, language: str
) -> None:
    page = (
        project.app()
        .test_client()
        .post(
            "/login",
            data={"email": "operator@example.org"},
            headers={"Accept-Language": BROWSER[language]},
        )
    )
    says(page, 400, language, "error.form_page")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_operators_refusals_speak_the_operators_language(
    project: Project, language: str
) -> None:
    if language == "ru":
        russian_operator(project)
    client = logged_in(project)
    # The browser asks for the other language: the operator's own wins.
    other = {"Accept-Language": BROWSER["en" if language == "ru" else "ru"]}
    for path in ("/cases/nobody", "/sources/nowhere", "/snapshots/999", "/outbox/999", "/nothing"):
        says(client.get(path, headers=other), 404, language, "error.not_found")
    says(client.get("/logout", headers=other), 405, language, "error.method")
    missing_csrf = client.post(
        "/cases/kozlov/facts", data={"fact": "executed", "day": "2016-08-20"}, headers=other
    )
    says(missing_csrf, 400, language, "error.form_page")
    assert "Court Deadline Monitor</a></strong>" in missing_csrf.text  # the operators' bar
    csrf = csrf_of(client.get("/").text)
    not_a_date = client.post(
        "/cases/kozlov/facts",
        data={"csrf": csrf, "fact": "executed", "day": "the 20th"},
        headers=other,
    )
    assert not_a_date.status_code == 400
    assert str(escape(words(language)("refused.not_a_date", day="the 20th"))) in not_a_date.text
    unknown = client.get("/outbox?status=nonsense", headers=other)
    says(unknown, 400, language, "error.refused", detail="unknown status 'nonsense'")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_genuine_links_refusals_speak_its_contacts_language(
    project: Project, language: str
) -> None:
    other = {"Accept-Language": BROWSER["en" if language == "ru" else "ru"]}
    answer = signed(project, language, links.EXECUTED)
    late = project.app(now=ANSWERED_AT + timedelta(days=61)).test_client()
    says(late.get(answer, headers=other), 410, language, "error.expired")
    client = project.app().test_client()
    no_csrf = client.post(answer, data={"day": "2016-08-20"}, headers=other)
    says(no_csrf, 400, language, "error.form")
    mine = signed(project, language, links.MY_DEADLINES).rsplit("/", 1)[1]
    says(client.get(f"/a/{mine}", headers=other), 403, language, "error.wrong_scope")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_tampered_link_speaks_the_browsers_language(project: Project, language: str) -> None:
    forged = Links(BASE_URL, "not the key").url(
        links.EXECUTED, 1, ANSWERED_AT, decision_id=1, case_id=1
    )
    page = (
        project.app()
        .test_client()
        .get(path_of(forged), headers={"Accept-Language": BROWSER[language]})
    )
    says(page, 403, language, "error.tampered")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_link_whose_case_was_removed_says_so_in_its_contacts_language(
    project: Project, language: str
) -> None:
    answer = signed(project, language, links.EXECUTED)
    (project.config_dir / "cases" / "kozlov.toml").unlink()
    assert project.run("sync", now=ANSWERED_AT.isoformat()).code == 0
    page = project.app().test_client().get(answer)
    says(page, 404, language, "error.gone.case")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_crash_is_a_500_page_in_the_readers_language(project: Project, language: str) -> None:
    app = project.app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    page = app.test_client().get("/boom", headers={"Accept-Language": BROWSER[language]})
    says(page, 500, language, "error.crash")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_too_large_a_form_is_a_413_page(project: Project, language: str) -> None:
    page = (
        project.app()
        .test_client()
        .post(
            "/login",
            data={"email": "x" * (70 * 1024)},
            headers={"Accept-Language": BROWSER[language]},
        )
    )
    says(page, 413, language, "error.too_large")
