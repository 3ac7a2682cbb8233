"""The command line and the operators' pages read the same views: what one shows, the other
shows too (in its own layout)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from monitor.db import make_engine
from monitor.web.app import create_app
from tests.conftest import free_port
from tests.web_helpers import (
    ANSWERED_AT,
    Project,
    logged_in,
    received_confirmation_request,
    russian_operator,
)

NOW = ANSWERED_AT.isoformat()


@pytest.fixture
def project(run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return received_confirmation_request(run, config_dir, monkeypatch)


def test_the_outbox_page_shows_each_emails_subject_and_case_as_the_command_does(
    project: Project,
) -> None:
    listed = json.loads(project.run("outbox", "--json", now=NOW).out)["notifications"]
    page = logged_in(project).get("/outbox").text
    for row in listed:
        assert row["subject"] and str(escape(row["subject"])) in page
    assert 'href="/cases/kozlov">Kozlov</a>' in page


def test_the_outbox_page_filters_by_a_contacts_address_as_the_command_does(
    project: Project,
) -> None:
    listed = json.loads(
        project.run("outbox", "--to", "ESCALATION@example.org", "--json", now=NOW).out
    )["notifications"]
    assert [r["kind"] for r in listed] == ["execution_escalation"]
    page = logged_in(project).get("/outbox?contact=ESCALATION@example.org").text
    assert "execution_escalation" in page and "confirm_execution" not in page
    assert (
        "execution_escalation" in logged_in(project).get("/outbox?kind=execution_escalation").text
    )


def test_healthz_and_the_overview_report_a_broken_config_on_disk_as_status_does(
    project: Project,
) -> None:
    (project.config_dir / "cases" / "kozlov.toml").write_text("[case\n", encoding="utf-8")
    status = project.run("status", now=NOW)
    assert status.code == 1 and "the config on disk is broken" in status.out
    client = logged_in(project)
    health = client.get("/healthz")
    assert health.status_code == 503 and "the config on disk is broken" in health.text
    assert "the config on disk is broken" in client.get("/").text


def test_the_overview_marks_the_facts_of_the_next_deadlines_as_deadlines_does(
    project: Project,
) -> None:
    assert project.run("record", "kozlov", "--executed", "2016-08-20", now=NOW).code == 0
    [escalation] = [
        d
        for d in json.loads(project.run("deadlines", "--json", now=NOW).out)["deadlines"]
        if d["kind"] == "execution_due"
    ]
    assert escalation["executed_on"] == "2016-08-20"
    assert "carried out on Sat 20 Aug 2016" in logged_in(project).get("/").text


def test_a_russian_operator_reads_the_explanations_explain_gives_in_russian(
    project: Project,
) -> None:
    russian_operator(project)
    explained = json.loads(
        project.run("explain", "kozlov", "--language", "ru", "--json", now=NOW).out
    )
    words = [d["explanation"] for d in explained["decisions"][0]["deadlines"]]
    assert words and all(any("а" <= ch <= "я" for ch in text) for text in words)
    page = logged_in(project).get("/cases/kozlov").text
    for text in words:
        assert str(escape(text)) in page


def test_healthz_says_in_one_line_that_the_database_is_unreachable_as_status_does(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql+psycopg://monitor@127.0.0.1:{free_port()}/monitor"  # nothing listens
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    status = project.run("status", now=NOW)
    assert status.code == 1 and status.err.startswith("error: cannot connect to the database")
    settings = replace(project.settings, database_url=url)
    app = create_app(settings, make_engine(url), clock=lambda: ANSWERED_AT)
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.mimetype == "text/plain"
    assert health.text == status.err
