"""SMTP faults: nothing lost, nothing sent twice (but after a crash, once more at most)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from monitor.db import session_scope
from monitor.events import DELIVERY_FAILED
from monitor.models import (
    Case,
    Contact,
    Deadline,
    Decision,
    DeliveryAttempt,
    Event,
    Notification,
    Subscription,
)
from monitor.notify.alerts import plan_alerts
from monitor.notify.deliver import SmtpBackend
from monitor.notify.dispatch import DispatchPolicy, claim_due, dispatch_due, group_rows
from monitor.notify.plan import new_message_id
from tests.conftest import SmtpServer
from tests.test_deliver_smtp import SENDER, SEVEN_DAYS_BEFORE, synced

POLICY = DispatchPolicy(retry_base=timedelta(minutes=1), lease=timedelta(minutes=5))


def dispatch(engine: Engine, server: SmtpServer, now: datetime):  # type: ignore[no-untyped-def]
    return dispatch_due(
        engine,
        SmtpBackend(server.url),
        now,
        worker="w1",
        sender=SENDER,
        policy=POLICY,
        rng=random.Random(7),
        clock=lambda: now,
    )


def row_state(engine: Engine) -> tuple[str, int, datetime, str | None]:
    with session_scope(engine) as session:
        row = session.scalars(
            select(Notification).where(Notification.due_at == SEVEN_DAYS_BEFORE)
        ).one()
        return row.status, row.attempts, row.next_attempt_at, row.last_error


def test_refused_connections_then_accepted_delivers_once_after_backoff(
    sqlite_engine: Engine, config_dir: Path, smtp_port_unused: SmtpServer
) -> None:
    synced(sqlite_engine, config_dir)
    report = dispatch(sqlite_engine, smtp_port_unused, SEVEN_DAYS_BEFORE)
    assert (report.sent, report.retried) == (0, 1)
    status, attempts, next_at, error = row_state(sqlite_engine)
    assert (status, attempts) == ("pending", 1)
    assert "cannot connect" in (error or "")
    assert (
        SEVEN_DAYS_BEFORE + timedelta(minutes=1)
        <= next_at
        <= SEVEN_DAYS_BEFORE + timedelta(minutes=1.25)
    )
    # Before the backoff is over, nothing is tried.
    assert (
        dispatch(sqlite_engine, smtp_port_unused, SEVEN_DAYS_BEFORE + timedelta(seconds=30)).claimed
        == 0
    )
    smtp_port_unused.start()
    report = dispatch(sqlite_engine, smtp_port_unused, next_at)
    assert report.sent == 1
    assert len(smtp_port_unused.recorder.received) == 1
    assert row_state(sqlite_engine)[:2] == ("sent", 2)
    with session_scope(sqlite_engine) as session:
        attempts_made = [
            a.result for a in session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))
        ]
    assert attempts_made == ["transient", "sent"]


def test_451_then_250_delivers_once(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    synced(sqlite_engine, config_dir)
    smtp_server.recorder.script = ["451 4.3.0 try again later"]
    assert dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE).retried == 1
    status, _attempts, next_at, error = row_state(sqlite_engine)
    assert (status, error) == ("pending", "refused: 451 4.3.0 try again later")
    assert dispatch(sqlite_engine, smtp_server, next_at).sent == 1
    assert len(smtp_server.recorder.received) == 1


def test_backoff_grows_and_a_reminder_is_retried_until_its_deadline_not_its_age(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    """A reminder 7 days before the in-force date (Sat 20 Aug 2016), with a server that
    answers 451 to everything: it is tried again and again well past ``max_age``, until no
    try is left before the end of its deadline day in the contact's time zone (Warsaw)."""
    synced(sqlite_engine, config_dir)
    smtp_server.recorder.script = ["451 busy"] * 10_000
    policy = DispatchPolicy(
        retry_base=timedelta(minutes=1), retry_cap=timedelta(hours=1), max_age=timedelta(hours=6)
    )
    now, delays, tries = SEVEN_DAYS_BEFORE, [], []
    while True:
        tries.append(now)
        dispatch_due(
            sqlite_engine,
            SmtpBackend(smtp_server.url),
            now,
            worker="w",
            sender=SENDER,
            policy=policy,
            clock=lambda now=now: now,  # type: ignore[misc]
        )
        status, _attempts, next_at, _ = row_state(sqlite_engine)
        if status != "pending":
            break
        delays.append(next_at - now)
        now = next_at
    assert status == "failed"
    for attempt, delay in enumerate(delays):  # exponential, capped, with up to 25 % jitter
        nominal = min(policy.retry_base * 2 ** min(attempt, 30), policy.retry_cap)
        assert nominal <= delay <= nominal * 1.25, (attempt, delay)
    assert delays[0] >= timedelta(minutes=1) and delays[-1] <= policy.retry_cap * 1.25
    warsaw = ZoneInfo("Europe/Warsaw")
    last_try = tries[-1].astimezone(warsaw)
    end_of_deadline_day = datetime(2016, 8, 21, tzinfo=warsaw)
    assert last_try < end_of_deadline_day <= last_try + policy.retry_cap * 1.25
    assert tries[-1] - SEVEN_DAYS_BEFORE > policy.max_age
    with session_scope(sqlite_engine) as session:
        row_id = session.scalars(
            select(Notification.id).where(Notification.due_at == SEVEN_DAYS_BEFORE)
        ).one()
        failed = session.scalars(select(Event).where(Event.kind == DELIVERY_FAILED))
        # The later reminders failed too (same server); this one was reported once.
        assert [e for e in failed if row_id in e.data["notification_ids"]] != []
        assert (
            sum(
                row_id in e.data["notification_ids"]
                for e in session.scalars(select(Event).where(Event.kind == DELIVERY_FAILED))
            )
            == 1
        )


def test_550_fails_at_once_and_tells_the_operators_not_the_address(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    synced(sqlite_engine, config_dir)
    smtp_server.recorder.refuse_rcpt["advocate@example.org"] = "550 5.1.1 no such mailbox"
    report = dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE)
    assert (report.sent, report.failed, report.retried) == (0, 1, 0)
    status, attempts, _, error = row_state(sqlite_engine)
    assert (status, attempts, error) == (
        "failed",
        1,
        "recipient refused: 550 5.1.1 no such mailbox",
    )
    with session_scope(sqlite_engine) as session:
        [event] = session.scalars(select(Event).where(Event.kind == DELIVERY_FAILED))
        assert "Anna Advocate <advocate@example.org>" in event.message
        assert plan_alerts(session, SEVEN_DAYS_BEFORE) == 1
        alert = session.scalars(select(Notification).where(Notification.kind == "alert")).one()
        assert session.get(Contact, alert.contact_id).email == "operator@example.org"  # type: ignore[union-attr]
    dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE + timedelta(minutes=6))
    [alert_mail] = smtp_server.recorder.messages()
    assert alert_mail["To"] == "Olga Operator <operator@example.org>"  # type: ignore[index]
    assert alert_mail["Subject"] == "[Kozlov] Email delivery failed"  # type: ignore[index]


def test_connection_dropped_in_the_middle_of_data_retries_and_delivers_once(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    synced(sqlite_engine, config_dir)
    smtp_server.recorder.script = ["DROP"]
    report = dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE)
    assert report.retried == 1
    status, _, next_at, error = row_state(sqlite_engine)
    assert status == "pending" and "connection lost" in (error or "")
    assert dispatch(sqlite_engine, smtp_server, next_at).sent == 1
    assert len(smtp_server.recorder.received) == 1


def test_a_crash_between_send_and_mark_resends_once_with_the_same_message_id(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    from monitor.notify.compose import compose

    synced(sqlite_engine, config_dir)
    # A worker claims and sends, then dies before marking: the row stays "sending".
    with session_scope(sqlite_engine) as session:
        ids = claim_due(
            session, SEVEN_DAYS_BEFORE, "doomed#1", 10, POLICY.lease, lambda: SEVEN_DAYS_BEFORE
        )
        rows = list(session.scalars(select(Notification).where(Notification.id.in_(ids))))
        [email] = [compose(session, group, SENDER, SEVEN_DAYS_BEFORE) for group in group_rows(rows)]
    with SmtpBackend(smtp_server.url) as backend:
        backend.send(email.message)
    assert row_state(sqlite_engine)[0] == "sending"
    # While its claim lasts, nobody touches it; after, another worker resends it once.
    assert (
        dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE + timedelta(minutes=1)).claimed == 0
    )
    report = dispatch(
        sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE + POLICY.lease + timedelta(seconds=1)
    )
    assert report.sent == 1
    first, second = smtp_server.recorder.messages()
    assert first["Message-ID"] == second["Message-ID"] == email.message_id  # type: ignore[index]
    assert row_state(sqlite_engine)[0] == "sent"


def test_injection_in_names_and_scraped_quotes_adds_no_header_and_no_markup(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    """Values that bypass config validation (as text from the web would) stay inert."""
    now = SEVEN_DAYS_BEFORE
    with session_scope(sqlite_engine) as session:
        case = Case(
            key="evil",
            title="Evil case\r\nBcc: victim@example.org",
            label="Evil\nX-Injected: yes",
            jurisdiction="KZ",
            created_at=now,
            updated_at=now,
        )
        contact = Contact(
            key="c",
            name="Mallory\r\nBcc: victim2@example.org",
            email="mallory@example.org",
            language="en",
            timezone="UTC",
            created_at=now,
            updated_at=now,
        )
        session.add_all([case, contact])
        session.flush()
        decision = Decision(
            case_id=case.id,
            key="d",
            decided_on=date(2016, 8, 4),
            court="<b>Court</b>\r\nCc: x@example.org",
            kind="release",
            quote='<script>alert("x")</script><img src=x onerror=alert(1)>\r\n\r\nFake-Header: 1',
            rule="kz-criminal-appeal-15d",
            rule_options={},
            origin="source",
            source_url='https://example.org/"><script>alert(2)</script>',
            created_at=now,
            updated_at=now,
        )
        session.add(decision)
        session.flush()
        session.add(
            Deadline(
                decision_id=decision.id,
                kind="in_force",
                due_on=date(2016, 8, 20),
                rule="r",
                explanation="<i>explained</i>",
                computed_at=now,
            )
        )
        session.add(
            Subscription(
                case_id=case.id,
                contact_id=contact.id,
                role="advocate",
                offsets=[7],
                appeal_offsets=[],
                created_at=now,
                updated_at=now,
            )
        )
        session.add(
            Notification(
                dedup_key="x",
                kind="in_force_reminder",
                contact_id=contact.id,
                case_id=case.id,
                decision_id=decision.id,
                deadline_kind="in_force",
                deadline_date=date(2016, 8, 20),
                offset_days=7,
                due_at=now,
                next_attempt_at=now,
                message_id=new_message_id(),
                created_at=now,
                updated_at=now,
            )
        )
    assert dispatch(sqlite_engine, smtp_server, now).sent == 1
    [envelope] = smtp_server.recorder.received
    assert envelope.rcpt_tos == ["mallory@example.org"]  # type: ignore[attr-defined]
    [message] = smtp_server.recorder.messages()
    for header in ("Bcc", "Cc", "X-Injected", "Fake-Header"):
        assert header not in message  # type: ignore[operator]
    assert message["Subject"].strip().startswith("[Evil X-Injected: yes]")  # type: ignore[index]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[attr-defined]
    assert (
        "<script>" not in html
        and "<img" not in html
        and "<b>Court" not in html
        and "<i>explained" not in html
    )
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert 'href="https://example.org/&#34;&gt;&lt;script&gt;' in html
