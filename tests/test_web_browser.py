"""The web view in a real browser (Debian's chromium, driven by Playwright) against the real
WSGI server on 127.0.0.1: what an advocate and an operator actually do."""

from __future__ import annotations

import email
import email.policy
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor import links
from monitor.db import session_scope
from monitor.links import Links
from monitor.models import Subscription
from monitor.settings import secret_key
from tests.web_helpers import (
    ANSWERED_AT,
    LiveServer,
    Project,
    link,
    received_confirmation_request,
    russian_operator,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def served(
    run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Project, LiveServer]]:
    server = LiveServer()  # the port is ours before the emails carry its address
    project = received_confirmation_request(run, config_dir, monkeypatch, base_url=server.base)
    server.app = project.app(now=ANSWERED_AT, base_url=server.base)
    yield project, server
    server.close()


class Console:
    """Every console error and uncaught page error of one browser page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def test_an_advocate_answers_from_the_email_and_explain_shows_it(
    browser: Any, served: tuple[Project, LiveServer]
) -> None:
    project, _ = served
    message = project.email_to("advocate@example.org", "Has the decision been carried out?")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    console = Console(page)
    page.goto(link(message, "It was carried out"))
    assert page.locator("h1").inner_text() == "Court Deadline Monitor"
    assert "Nothing is recorded until you press the button" in page.content()
    page.fill("input[name=day]", "2016-08-20")
    page.click("button:has-text('It was carried out')")
    page.wait_for_selector("text=Recorded. Thank you.")
    assert "as carried out on Sat 20 Aug 2016" in page.inner_text("main")
    explained = project.run("explain", "kozlov")
    assert "facts: executed on Sat 20 Aug 2016" in explained.out
    outbox = project.run("outbox", "--json", now="2016-08-21T08:00:00+00:00").out
    assert '"cancelled: execution recorded on 2016-08-20"' in outbox
    page.reload()  # the same link again: what was recorded, and no button
    assert page.locator("button").count() == 0
    assert "already used" in page.inner_text("main")
    assert console.errors == []
    page.close()


def test_an_operator_logs_in_by_email_link_and_every_page_loads_without_console_errors(
    browser: Any, served: tuple[Project, LiveServer]
) -> None:
    project, server = served
    page = browser.new_page(viewport={"width": 375, "height": 800})
    console = Console(page)
    page.goto(f"{server.base}/")
    assert page.url.endswith("/login")
    before = set(project.outbox.glob("*.eml"))
    page.fill("input[name=email]", "operator@example.org")
    page.click("button:has-text('Email me a login link')")
    page.wait_for_selector("text=a login link is on its way")
    [sent] = set(project.outbox.glob("*.eml")) - before
    login_email = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    body = login_email.get_body(("plain",))
    assert body is not None
    url = re.search(r"(http://\S+/login/\S+)", body.get_content())
    assert url is not None
    page.goto(url.group(1))
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Overview')")
    visited = []
    for name in ("Outbox", "Sources", "Events", "Overview"):
        page.click(f"header.bar >> text={name}")
        page.wait_for_selector(f"h1:has-text('{name}')")
        visited.append(page.url)
    page.click("main >> a:has-text('kozlov')")
    page.wait_for_selector("h1:has-text('Vladimir Kozlov')")
    page.click("header.bar >> text=Outbox")
    page.click("main table a >> nth=0")
    page.wait_for_selector("h1:has-text('Email')")
    page.goto(f"{server.base}/outbox?status=sent&case=kozlov")
    assert "confirm_execution" in page.inner_text("main")
    page.click("button:has-text('Log out')")
    page.wait_for_selector("text=Email me a login link")
    assert len(visited) == 4
    assert console.errors == []
    page.close()


def test_one_click_unsubscribe_is_a_plain_post(served: tuple[Project, LiveServer]) -> None:
    project, _ = served
    message = project.email_to("advocate@example.org", "Has the decision been carried out?")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(message["List-Unsubscribe"]).strip("<>")
    # What a mail client does (RFC 8058): POST the form body, no cookie, no page.
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"List-Unsubscribe": "One-Click"}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    with session_scope(project.engine) as session:
        sub = session.scalars(select(Subscription).where(Subscription.role == "advocate")).one()
        assert sub.unsubscribed_at is not None
    assert "unsubscribed: advocate" in project.run("cases").out


def test_the_link_pages_fit_a_phone_screen(
    browser: Any, served: tuple[Project, LiveServer]
) -> None:
    project, server = served
    message = project.email_to("advocate@example.org", "Has the decision been carried out?")
    with session_scope(project.engine) as session:
        erlan = session.scalars(select(Subscription).where(Subscription.role == "escalation")).one()
        erlan_id = erlan.contact_id
    # Russian words are longer: the page of the escalation contact, who reads Russian, too
    russian = Links(server.base, secret_key(project.settings)).url(
        links.MY_DEADLINES, erlan_id, ANSWERED_AT
    )
    urls = [
        *(
            link(message, label)
            for label in ("It was carried out", "My deadlines", "Stop all emails about this case")
        ),
        russian,
    ]
    page = browser.new_page(viewport={"width": 375, "height": 800})
    for label in urls:
        page.goto(label)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{label}: the page is {width}px wide"
        # nor does a table hide part of itself behind a sideways scroll
        assert page.evaluate(
            "Array.from(document.querySelectorAll('.table-wrap'))"
            ".every(e => e.scrollWidth <= e.clientWidth)"
        ), label
    page.close()


def test_a_russian_operator_sees_the_overview_and_a_case_in_russian_on_a_phone(
    browser: Any, served: tuple[Project, LiveServer]
) -> None:
    project, _ = served
    russian_operator(project)
    login = project.run("login-link", "operator@example.org", now="2016-08-21T07:59:00+00:00")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    console = Console(page)
    page.goto(login.out.strip())
    page.click("button:has-text('Войти')")
    page.wait_for_selector("h1:has-text('Обзор')")
    assert page.get_attribute("html", "lang") == "ru"
    overview = page.inner_text("body")
    for label in ("Ближайшие сроки", "Дела", "Исходящие", "Источники", "События", "Выйти"):
        assert label in overview, label
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # a cell of a link and text ("kozlov/release-2016-08-04") reads as one line beside its label
    case_cell = page.locator("main table td:has(a:has-text('kozlov'))").first
    assert case_cell.bounding_box()["height"] < 40
    page.click("main >> a:has-text('kozlov')")
    page.wait_for_selector("h1:has-text('Vladimir Kozlov')")
    case = page.inner_text("main")
    for label in ("Факты", "Обжаловано: не отмечено", "Сроки", "Подписки", "События"):
        assert label in case, label
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert console.errors == []
    page.close()
