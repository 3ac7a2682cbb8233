"""Signed links from emails, over HTTP: a GET shows, a POST records once; bad links are 4xx."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor import links
from monitor.db import session_scope
from monitor.links import Links
from monitor.models import (
    Contact,
    DeadlineAck,
    Decision,
    Event,
    LinkUse,
    Notification,
    Subscription,
)
from monitor.notify.compose import compose
from monitor.settings import secret_key
from tests.web_helpers import (
    ANSWERED_AT,
    BASE_URL,
    Project,
    calendar_link,
    link,
    path_of,
    received_confirmation_request,
    synced,
)


@pytest.fixture
def project(run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return received_confirmation_request(run, config_dir, monkeypatch)


def _form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _decision(project: Project) -> Decision:
    with session_scope(project.engine) as session:
        return session.scalars(select(Decision)).one()


def test_the_email_carries_signed_links_and_one_click_unsubscribe_headers(
    project: Project,
) -> None:
    message = project.email_to("advocate@example.org", "Has the decision been carried out?")
    assert link(message, "It was carried out").startswith(f"{BASE_URL}/a/")
    assert link(message, "An appeal was lodged").startswith(f"{BASE_URL}/a/")
    assert link(message, "Stop all emails about this case").startswith(f"{BASE_URL}/a/")
    assert link(message, "My deadlines").startswith(f"{BASE_URL}/me/")
    assert calendar_link(message).startswith(f"{BASE_URL}/calendar/")
    assert str(message["List-Unsubscribe"]).startswith(f"<{BASE_URL}/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",))
    assert html is not None and "It was carried out</a>" in html.get_content()


def test_the_footer_offers_the_stop_link_and_operators_only_for_changes(
    project: Project,
) -> None:
    message = project.email_to("advocate@example.org", "Has the decision been carried out?")
    unsubscribe = str(message["List-Unsubscribe"]).strip("<>")
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    body = text.get_content()
    assert f"To stop these emails, open {unsubscribe} and confirm." in body
    assert "To change them, write to Olga Operator <operator@example.org>." in body
    assert "To stop these emails or change them, write to" not in body
    assert f'<a href="{unsubscribe}"' in html.get_content()


def test_without_a_base_url_emails_have_no_links_and_say_nothing_of_them(
    run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.worker_helpers import without_sources

    monkeypatch.delenv("MONITOR_BASE_URL", raising=False)
    without_sources(config_dir)
    run("db", "upgrade")
    run("sync")
    assert run("worker", "--once", now="2016-08-21T07:30:00+00:00").code == 0
    outbox = list((config_dir.parent / "var" / "outbox").glob("*.eml"))
    assert outbox
    for path in outbox:
        raw = path.read_text(encoding="utf-8")
        assert "List-Unsubscribe" not in raw
        assert "one click" not in raw.lower() and "/a/" not in raw and "calendar/" not in raw
    assert not (config_dir.parent / "var" / "secret_key").exists()


def test_a_preview_carries_no_links_even_with_a_base_url(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_BASE_URL", BASE_URL)
    out = tmp_path / "preview"
    assert (
        run("preview", "--from", "2016-08-01", "--to", "2016-08-31", "--write", str(out)).code == 0
    )
    for path in out.glob("*.eml"):
        raw = path.read_text(encoding="utf-8")
        assert "List-Unsubscribe" not in raw and BASE_URL not in raw


def test_the_operators_alert_email_names_who_answered(project: Project) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    client = project.app().test_client()
    client.post(url, data={"csrf": _form_csrf(client.get(url).text), "day": "2016-08-20"})
    assert project.run("worker", "--once", now="2016-08-21T08:10:00+00:00").code == 0
    alert = project.email_to("operator@example.org", "alert")
    body = alert.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Answered from an email link" in text
    assert "Anna Advocate recorded the release" in text
    # In words, not only the log line: who, what, and how to undo it.
    assert "Anna Advocate recorded, from a link in an email, that the decision of" in text
    assert "was carried out on Sat 20 Aug 2016" in text
    assert "--clear-executed" in text
    assert str(alert["List-Unsubscribe"]).startswith(f"<{BASE_URL}/u/")


def test_a_get_shows_a_page_and_changes_nothing(project: Project) -> None:
    url = link(project.email_to("advocate@", "carried out"), "It was carried out")
    client = project.app().test_client()
    for _ in range(3):  # a mail scanner may open it several times
        page = client.get(path_of(url))
        assert page.status_code == 200
        assert "It was carried out</button>" in page.text
        assert 'type="date" value="2016-08-21"' in page.text
    assert _decision(project).executed_on is None
    with session_scope(project.engine) as session:
        assert session.scalars(select(LinkUse)).all() == []


def test_pressing_the_button_records_the_fact_replans_and_tells_the_operators(
    project: Project,
) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    client = project.app().test_client()
    csrf = _form_csrf(client.get(url).text)
    done = client.post(url, data={"csrf": csrf, "day": "2016-08-20"})
    assert done.status_code == 200 and "Recorded. Thank you." in done.text
    assert "Anna Advocate recorded the release" in done.text
    explained = json.loads(project.run("explain", "kozlov", "--json").out)
    assert explained["decisions"][0]["executed_on"] == "2016-08-20"
    with session_scope(project.engine) as session:
        escalation = session.scalars(
            select(Notification).where(Notification.kind == "execution_escalation")
        ).one()
        assert escalation.status == "cancelled"
        assert escalation.last_error == "cancelled: execution recorded on 2016-08-20"
        event = session.scalars(select(Event).where(Event.kind == "recorded_from_email")).one()
        assert event.message.startswith(
            "Anna Advocate recorded the release (kozlov/release-2016-08-04) as carried out on"
            " Sat 20 Aug 2016, from an email link"
        )
        told = [
            contact_key
            for alert, contact_key in session.execute(
                select(Notification, Contact.key)
                .join(Contact, Notification.contact_id == Contact.id)
                .where(Notification.kind == "alert")
            ).all()
            if alert.payload["event_id"] == event.id
        ]
        assert told == ["operator"]  # the case's operator, once


def test_a_used_link_shows_what_was_recorded_and_offers_no_second_change(project: Project) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    client = project.app().test_client()
    csrf = _form_csrf(client.get(url).text)
    client.post(url, data={"csrf": csrf, "day": "2016-08-20"})
    later = project.app(now=ANSWERED_AT + timedelta(hours=2)).test_client()
    again = later.get(url)
    assert again.status_code == 200
    assert "Anna Advocate already used this link on Sun 21 Aug 2016, 08:00 (UTC)" in again.text
    assert "<button" not in again.text
    second = later.post(url, data={"csrf": csrf, "day": "2016-08-19"})
    assert "already used" in second.text
    assert _decision(project).executed_on.isoformat() == "2016-08-20"  # type: ignore[union-attr]


def test_a_fact_someone_else_recorded_is_shown_not_recorded_twice(project: Project) -> None:
    assert (
        project.run(
            "record", "kozlov", "--executed", "2016-08-20", now="2016-08-21T07:50:00+00:00"
        ).code
        == 0
    )
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    page = project.app().test_client().get(url)
    assert "This is already recorded: carried out on Sat 20 Aug 2016" in page.text
    assert "<button" not in page.text


@pytest.mark.parametrize(
    ("mangle", "status", "words"),
    [
        (lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"), 403, "not valid"),
        (lambda t: "x" + t, 403, "not valid"),
        (lambda t: t.split(".")[0], 403, "not valid"),
    ],
)
def test_a_tampered_link_is_a_clear_4xx_page_never_a_traceback(
    project: Project, mangle: Any, status: int, words: str
) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    token = url.rsplit("/", 1)[1]
    client = project.app().test_client()
    for method in (client.get, client.post):
        page = method(f"/a/{mangle(token)}")
        assert page.status_code == status
        assert words in page.text and "Traceback" not in page.text


def test_a_link_signed_with_another_key_is_refused(project: Project) -> None:
    forged = Links(BASE_URL, "not the key").url(
        links.EXECUTED, 1, ANSWERED_AT, decision_id=1, case_id=1
    )
    page = project.app().test_client().get(path_of(forged))
    assert page.status_code == 403


def test_an_expired_link_is_gone(project: Project) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    late = project.app(now=ANSWERED_AT + timedelta(days=61)).test_client()
    page = late.get(url)
    assert page.status_code == 410 and "expired" in page.text
    assert late.post(url, data={"csrf": "x"}).status_code == 410
    assert _decision(project).executed_on is None


def test_a_link_used_for_another_purpose_is_refused(project: Project) -> None:
    message = project.email_to("advocate@", "carried out")
    answer = link(message, "It was carried out").rsplit("/", 1)[1]
    unsubscribe = str(message["List-Unsubscribe"]).strip("<>").rsplit("/", 1)[1]
    mine = link(message, "My deadlines").rsplit("/", 1)[1]
    client = project.app().test_client()
    assert client.post(f"/u/{answer}", data={"List-Unsubscribe": "One-Click"}).status_code == 403
    assert client.get(f"/a/{unsubscribe}").status_code == 403
    assert client.get(f"/a/{mine}").status_code == 403
    assert client.get(f"/calendar/{answer}.ics").status_code == 403
    assert client.get(f"/login/{answer}").status_code == 403


def test_a_post_without_the_pages_csrf_token_records_nothing(project: Project) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    client = project.app().test_client()
    for data in ({"day": "2016-08-20"}, {"csrf": "forged", "day": "2016-08-20"}):
        refused = client.post(url, data=data)
        assert refused.status_code == 400 and "did not come from this page" in refused.text
    assert _decision(project).executed_on is None


def test_one_click_unsubscribe_acts_on_a_plain_post_and_survives_sync(project: Project) -> None:
    message = project.email_to("advocate@", "carried out")
    url = path_of(str(message["List-Unsubscribe"]).strip("<>"))
    client = project.app().test_client()
    assert "Unsubscribe</button>" in client.get(url).text  # a GET only shows
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with session_scope(project.engine) as session:
        sub = session.scalars(select(Subscription).where(Subscription.role == "advocate")).one()
        assert sub.unsubscribed_at == ANSWERED_AT
        assert len(session.scalars(select(Event).where(Event.kind == "unsubscribed")).all()) == 1
    # config still lists the subscription: sync does not bring the contact back
    assert project.run("sync", now="2016-08-22T08:00:00+00:00").code == 0
    with session_scope(project.engine) as session:
        sub = session.scalars(select(Subscription).where(Subscription.role == "advocate")).one()
        assert sub.unsubscribed_at == ANSWERED_AT
    cases = json.loads(project.run("cases", "--json").out)["cases"]
    assert cases[0]["unsubscribed"] == ["advocate"]
    assert "unsubscribed: advocate" in project.run("cases").out
    check = project.run("config", "check")
    assert "advocate unsubscribed from kozlov" in check.out


def test_stop_all_emails_about_the_case_cancels_only_this_contacts_emails(project: Project) -> None:
    url = path_of(
        link(project.email_to("advocate@", "carried out"), "Stop all emails about this case")
    )
    client = project.app().test_client()
    csrf = _form_csrf(client.get(url).text)
    assert "Stop emails about this case</button>" in client.get(url).text
    client.post(url, data={"csrf": csrf})
    with session_scope(project.engine) as session:
        subs = {s.role: s.unsubscribed_at for s in session.scalars(select(Subscription))}
        assert subs == {"advocate": ANSWERED_AT, "escalation": None, "operator": None}
        escalation = session.scalars(
            select(Notification).where(Notification.kind == "execution_escalation")
        ).one()
        assert escalation.status == "pending"


def test_got_it_stops_the_reminders_of_that_deadline_to_that_contact_only(
    run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first in-force reminder (7 days before) goes out on 13 Aug 2016.
    project = synced(run, config_dir, monkeypatch)
    assert run("worker", "--once", now="2016-08-13T07:30:00+00:00").code == 0
    message = project.email_to("advocate@", "comes into force in 7 days")
    url = path_of(link(message, "Got it, stop reminding me of this deadline"))
    client = project.app(now=ANSWERED_AT - timedelta(days=8)).test_client()
    page = client.get(url)
    assert "entry into force: Sat 20 Aug 2016" in page.text
    client.post(url, data={"csrf": _form_csrf(page.text)})
    with session_scope(project.engine) as session:
        assert len(session.scalars(select(DeadlineAck)).all()) == 1
        rows = {
            (n.kind, n.offset_days): n.status
            for n in session.scalars(select(Notification).where(Notification.contact_id == 1))
        }
    assert rows[("in_force_reminder", 7)] == "sent"
    assert rows[("in_force_reminder", 3)] == "cancelled"
    assert rows[("in_force_reminder", 0)] == "cancelled"
    assert rows[("confirm_execution", -1)] == "pending"  # not a reminder of the date
    # a full replan (sync) keeps it so
    assert run("sync", now="2016-08-13T07:45:00+00:00").code == 0
    with session_scope(project.engine) as session:
        statuses = {
            (n.kind, n.offset_days): n.status
            for n in session.scalars(select(Notification).where(Notification.contact_id == 1))
        }
    assert statuses == rows
    # "got it" from a later email of the same deadline: already so, nothing breaks
    assert run("worker", "--once", now="2016-08-13T08:00:00+00:00").code == 0
    signer = Links(BASE_URL, secret_key(project.settings))
    again = signer.url(
        links.ACK, 1, ANSWERED_AT, case_id=1, decision_id=1, deadline_kind="in_force"
    )
    page = client.post(path_of(again), data={"csrf": "x"})
    assert page.status_code == 400  # without the page's CSRF field
    page = client.get(path_of(again))
    assert "This is already recorded" in page.text and "<button" not in page.text


def test_the_calendar_feed_has_the_attachments_uids_and_follows_changes(project: Project) -> None:
    message = project.email_to("advocate@", "carried out")
    url = path_of(calendar_link(message))
    client = project.app().test_client()
    feed = client.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    text = feed.text
    attachment = next(
        p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
    )
    uid = re.search(r"UID:(\S+)", attachment.get_content()).group(1)  # type: ignore[union-attr]
    assert f"UID:{uid}" in text
    assert text.count("BEGIN:VEVENT") == 3 and "STATUS:CANCELLED" not in text
    before = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"UID:(\S+)\r\n(?:.*\r\n)*?SEQUENCE:(\d+)", text)
    }
    # an appeal cancels the entry into force and the execution date
    project.run("record", "kozlov", "--appealed", "2016-08-10", now="2016-08-22T08:00:00+00:00")
    after = client.get(url).text
    assert after.count("STATUS:CANCELLED") == 2
    later = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"UID:(\S+)\r\n(?:.*\r\n)*?SEQUENCE:(\d+)", after)
    }
    assert all(later[k] > before[k] for k in before)
    assert project.app().test_client().get(url[:-6] + "x.ics").status_code == 403


def test_calendar_url_and_login_link_commands_print_signed_addresses(project: Project) -> None:
    printed = project.run("calendar-url", "advocate").out.strip()
    assert printed.startswith(f"{BASE_URL}/calendar/") and printed.endswith(".ics")
    login = project.run("login-link", "operator@example.org").out.strip()
    assert login.startswith(f"{BASE_URL}/login/")
    refused = project.run("login-link", "advocate@example.org")
    assert refused.code == 1 and "not an operator" in refused.err


def test_rotating_one_contacts_calendar_address_refuses_the_old_one_only(
    project: Project,
) -> None:
    client = project.app().test_client()
    old = path_of(calendar_link(project.email_to("advocate@", "carried out")))
    erlan = path_of(project.run("calendar-url", "escalation").out.strip())
    assert client.get(old).status_code == 200
    rotated = project.run("calendar-url", "advocate", "--rotate")
    assert rotated.code == 0
    new = path_of(rotated.out.strip())
    assert new != old and new.endswith(".ics")
    gone = client.get(old)
    assert gone.status_code == 410
    # in the language of the contact the genuine (if given up) address names
    assert "replaced by a new one" in gone.text and "заменён новым" not in gone.text
    assert client.get(new).status_code == 200
    assert client.get(erlan).status_code == 200  # other contacts keep their addresses
    # the contact's own page and the command (without --rotate) give the new address
    assert path_of(project.run("calendar-url", "advocate").out.strip()) == new
    mine = client.get(path_of(link(project.email_to("advocate@", "carried out"), "My deadlines")))
    assert new in mine.text and old not in mine.text
    # and so do the next emails
    links.configure(BASE_URL, secret_key(project.settings))
    with session_scope(project.engine) as session:
        row = session.scalars(
            select(Notification).where(Notification.kind == "confirm_execution")
        ).one()
        again = compose(session, [row], "monitor@example.org", ANSWERED_AT).message
    assert path_of(calendar_link(again)) == new


def test_commands_that_print_links_need_a_base_url(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_BASE_URL", raising=False)
    run("db", "upgrade")
    run("sync")
    refused = run("calendar-url", "advocate")
    assert refused.code == 1 and "MONITOR_BASE_URL" in refused.err


def test_operators_can_undo_a_fact_with_an_event(project: Project) -> None:
    project.run("record", "kozlov", "--executed", "2016-08-20", now="2016-08-21T09:00:00+00:00")
    cleared = project.run("record", "kozlov", "--clear-executed", now="2016-08-21T10:00:00+00:00")
    assert cleared.code == 0 and "executed on Sat 20 Aug 2016 cleared" in cleared.out
    assert "1 reminder(s) that it had cancelled are pending again" in cleared.out
    assert _decision(project).executed_on is None
    with session_scope(project.engine) as session:
        escalation = session.scalars(
            select(Notification).where(Notification.kind == "execution_escalation")
        ).one()
        assert escalation.status == "pending"  # the escalation is back
        assert session.scalars(select(Event).where(Event.kind == "fact_cleared")).one()
    again = project.run("record", "kozlov", "--clear-executed", now="2016-08-21T10:00:00+00:00")
    assert again.code == 1 and "no executed date is recorded" in again.err


def test_the_secret_key_is_generated_once_for_the_owner_only(project: Project) -> None:
    path = project.settings.var_dir / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert secret_key(project.settings) == path.read_text().strip()
    shown = project.run("config", "show").out
    assert f"generated, kept in {path}" in shown
    assert path.read_text().strip() not in shown


def test_pages_carry_the_security_headers_and_healthz_follows_status(project: Project) -> None:
    client = project.app().test_client()
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    page = client.get(url)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "<script" not in page.text
    # the worker of the fixture has stopped: no worker alive, as `monitor status` says
    health = client.get("/healthz")
    assert health.status_code == 503 and "no worker is alive" in health.text
    assert project.run("status", now="2016-08-21T08:00:00+00:00").code == 1


def test_pages_speak_the_contacts_language(project: Project) -> None:
    with session_scope(project.engine) as session:
        sub = session.scalars(select(Subscription).where(Subscription.role == "escalation")).one()
        contact_id, case_id = sub.contact_id, sub.case_id
    signer = Links(BASE_URL, secret_key(project.settings))
    url = signer.url(links.STOP_CASE, contact_id, ANSWERED_AT, case_id=case_id)
    page = project.app().test_client().get(path_of(url))
    assert 'lang="ru"' in page.text and "Отписаться от этого дела" in page.text


def test_an_unsubscribed_advocate_gets_no_more_reminders_even_after_sync(
    run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = synced(run, config_dir, monkeypatch)
    assert run("worker", "--once", now="2016-08-13T07:30:00+00:00").code == 0
    message = project.email_to("advocate@", "comes into force in 7 days")
    url = path_of(str(message["List-Unsubscribe"]).strip("<>"))
    client = project.app(now=ANSWERED_AT - timedelta(days=8)).test_client()
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    def statuses() -> dict[tuple[str, str], str]:
        with session_scope(project.engine) as session:
            return {
                (key, f"{n.kind}:{n.offset_days}"): n.status
                for n, key in session.execute(
                    select(Notification, Contact.key).join(
                        Contact, Notification.contact_id == Contact.id
                    )
                ).all()
                if n.kind != "alert"
            }

    after = statuses()
    assert after[("advocate", "in_force_reminder:7")] == "sent"
    assert after[("advocate", "in_force_reminder:3")] == "cancelled"
    assert after[("advocate", "confirm_execution:-1")] == "cancelled"
    assert after[("escalation", "execution_escalation:0")] == "pending"
    assert run("sync", now="2016-08-14T08:00:00+00:00").code == 0
    assert statuses() == after


def test_an_answer_is_recorded_once_on_each_database(
    database_url: str, run: Any, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATABASE_URL", database_url)
    project = received_confirmation_request(run, config_dir, monkeypatch)
    assert project.settings.database_url == database_url
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    client = project.app().test_client()
    csrf = _form_csrf(client.get(url).text)
    assert "Recorded" in client.post(url, data={"csrf": csrf, "day": "2016-08-20"}).text
    assert "already used" in client.post(url, data={"csrf": csrf, "day": "2016-08-19"}).text
    with session_scope(project.engine) as session:
        assert len(session.scalars(select(LinkUse)).all()) == 1
        assert session.scalars(select(Decision)).one().executed_on.isoformat() == "2016-08-20"  # type: ignore[union-attr]
    project.engine.dispose()


def test_a_day_in_the_future_records_nothing_and_says_why_on_the_same_page(
    project: Project,
) -> None:
    url = path_of(link(project.email_to("advocate@", "carried out"), "It was carried out"))
    client = project.app().test_client()
    csrf = _form_csrf(client.get(url).text)
    page = client.post(url, data={"csrf": csrf, "day": "2016-08-25"})
    assert page.status_code == 400
    assert "Nothing was recorded: Thu 25 Aug 2016 is in the future" in page.text
    assert "It was carried out</button>" in page.text  # the form again, to correct the day
    assert _decision(project).executed_on is None
    with session_scope(project.engine) as session:
        assert session.scalars(select(LinkUse)).all() == []
    assert "Recorded." in client.post(url, data={"csrf": csrf, "day": "2016-08-20"}).text
