"""Delivery through a real SMTP server on 127.0.0.1: what an advocate's mailbox receives."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import Engine, func, select, update

from monitor.catalog import load_catalog
from monitor.db import session_scope
from monitor.models import Contact, DeliveryAttempt, Notification, Subscription
from monitor.notify.deliver import FileBackend, SmtpBackend
from monitor.notify.dispatch import DispatchPolicy, dispatch_due
from monitor.sync import sync_catalog
from tests.conftest import BEFORE_KOZLOV, SmtpServer

SENDER = "Court Deadline Monitor <monitor@example.org>"
SEVEN_DAYS_BEFORE = datetime(2016, 8, 13, 7, 0, tzinfo=UTC)  # 09:00 in Warsaw


def synced(engine: Engine, config_dir: Path) -> None:
    with session_scope(engine) as session:
        sync_catalog(session, load_catalog(config_dir), BEFORE_KOZLOV)


def dispatch(engine: Engine, server: SmtpServer, now: datetime, **kw: object):  # type: ignore[no-untyped-def]
    return dispatch_due(
        engine,
        SmtpBackend(server.url),
        now,
        worker="test",
        sender=SENDER,
        rng=random.Random(1),
        clock=lambda: now,
        **kw,  # type: ignore[arg-type]
    )


def test_a_reminder_arrives_as_text_html_and_calendar(
    engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    synced(engine, config_dir)
    report = dispatch(engine, smtp_server, SEVEN_DAYS_BEFORE)
    assert (report.sent, report.emails) == (1, 1)
    [envelope] = smtp_server.recorder.received
    assert envelope.rcpt_tos == ["advocate@example.org"]  # type: ignore[attr-defined]
    [message] = smtp_server.recorder.messages()
    assert message["Subject"] == "[Kozlov] Decision comes into force in 7 days: Sat 20 Aug 2016"
    assert message["To"] == "Anna Advocate <advocate@example.org>"
    assert message["From"] == SENDER
    with session_scope(engine) as session:
        row = session.scalars(select(Notification).where(Notification.status == "sent")).one()
        assert message["Message-ID"] == row.message_id
        assert row.sent_at == SEVEN_DAYS_BEFORE
        attempt = session.scalars(select(DeliveryAttempt)).one()
        assert (attempt.result, attempt.reply) == ("sent", "250 OK queued as 1")
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    for part in (text, html):
        assert "Kapshagai City Court of Almaty Province" in part
        assert "15 days counted from Fri 5 Aug 2016" in part
        assert "https://en.odfoundation.eu/" in part
        assert "The court decision will come into force in 15 days." in part
        assert "Olga Operator" in part  # who to ask to stop it
    assert "subscribed to the case Vladimir Kozlov: conditional early release as advocate" in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_content())
    [event] = list(calendar.walk("VEVENT"))
    assert event.decoded("dtstart") == date(2016, 8, 20)
    assert event.decoded("dtend") == date(2016, 8, 21)
    assert str(event["uid"]) == "kozlov.release-2016-08-04.in_force@court-deadline-monitor"
    assert list(event.walk("VALARM"))
    # Nothing is due until the next reminder: a second dispatch sends nothing.
    assert dispatch(engine, smtp_server, SEVEN_DAYS_BEFORE + timedelta(minutes=1)).sent == 0
    assert len(smtp_server.recorder.received) == 1


def test_the_escalation_goes_to_the_escalation_contact_in_russian(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    synced(sqlite_engine, config_dir)
    report = dispatch(sqlite_engine, smtp_server, datetime(2016, 8, 23, 3, 0, tzinfo=UTC))
    # Due by then: four in-force reminders (too late now: skipped), the confirmation, the escalation.
    assert (report.sent, report.skipped) == (2, 4)
    messages = {m["To"].addresses[0].addr_spec: m for m in smtp_server.recorder.messages()}  # type: ignore[attr-defined]
    escalation = messages["escalation@example.org"]
    assert escalation["Subject"] == "[Kozlov] Исполнение не подтверждено: срок вт, 23 августа 2016"
    body = escalation.get_body(preferencelist=("plain",)).get_content()
    assert "Никто не подтвердил исполнение решения" in body
    assert not list(escalation.iter_attachments())


def test_the_calendar_uid_is_stable_when_the_deadline_moves(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    from tests.test_config_check import replace

    synced(sqlite_engine, config_dir)
    dispatch(sqlite_engine, smtp_server, SEVEN_DAYS_BEFORE)
    replace(config_dir / "cases" / "kozlov.toml", 'date = "2016-08-04"', 'date = "2016-08-05"')
    with session_scope(sqlite_engine) as session:
        sync_catalog(session, load_catalog(config_dir), SEVEN_DAYS_BEFORE + timedelta(hours=1))
    dispatch(
        sqlite_engine, smtp_server, datetime(2016, 8, 16, 7, 0, tzinfo=UTC)
    )  # 7 days before 23 Aug
    first, second = smtp_server.recorder.messages()
    events = [
        next(
            iter(Calendar.from_ical(next(iter(m.iter_attachments())).get_content()).walk("VEVENT"))
        )
        for m in (first, second)
    ]  # type: ignore[attr-defined]
    assert events[0]["uid"] == events[1]["uid"]
    assert events[1].decoded("dtstart") == date(2016, 8, 23)
    assert int(events[1]["sequence"]) > int(events[0]["sequence"])


def test_a_late_reminder_says_so_and_counts_from_today(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    synced(sqlite_engine, config_dir)
    # The worker was down from before 13 Aug until 18 Aug 10:00 UTC: two reminders are late.
    report = dispatch(sqlite_engine, smtp_server, datetime(2016, 8, 18, 10, 0, tzinfo=UTC))
    assert report.sent == 2
    subjects = [m["Subject"] for m in smtp_server.recorder.messages()]  # type: ignore[index]
    assert subjects == [
        "[late] [Kozlov] Decision comes into force in 2 days: Sat 20 Aug 2016",
        "[late] [Kozlov] Decision comes into force in 2 days: Sat 20 Aug 2016",
    ]


def test_reminders_whose_deadline_passed_are_skipped_with_one_summary(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    from monitor.notify.alerts import plan_alerts

    synced(sqlite_engine, config_dir)
    now = datetime(2016, 8, 21, 10, 0, tzinfo=UTC)  # after entry into force
    report = dispatch(sqlite_engine, smtp_server, now)
    assert report.skipped == 4  # the four in-force reminders
    assert report.sent == 1  # the confirmation request is still useful
    with session_scope(sqlite_engine) as session:
        assert plan_alerts(session, now) == 1  # one summary, to the operator
        alert = session.scalars(select(Notification).where(Notification.kind == "alert")).one()
        assert session.get(Contact, alert.contact_id).key == "operator"  # type: ignore[union-attr]
    dispatch(sqlite_engine, smtp_server, now + timedelta(minutes=10))
    summary = smtp_server.recorder.messages()[-1]
    assert summary["Subject"] == "[Kozlov] Reminders skipped"  # type: ignore[index]
    assert "4 reminder(s) not sent" in summary.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]


def test_a_daily_digest_is_one_email(
    sqlite_engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    from tests.test_config_check import replace

    kozlov = config_dir / "cases" / "kozlov.toml"
    replace(
        kozlov, 'send_time = "09:00"', 'send_time = "09:00"\ndigest = "daily"\nappeal_offsets = [1]'
    )
    synced(sqlite_engine, config_dir)
    report = dispatch(sqlite_engine, smtp_server, datetime(2016, 8, 18, 7, 0, tzinfo=UTC))
    with session_scope(sqlite_engine) as session:
        subs = session.scalars(select(Subscription).where(Subscription.digest == "daily")).all()
        assert len(subs) == 1
    # 13 Aug (7 days), 17 Aug (3 days) and 18 Aug (appeal tomorrow) are all due: one digest.
    assert (report.sent, report.emails) == (3, 1)
    [digest] = smtp_server.recorder.messages()
    assert digest["Subject"] == "[Court Deadline Monitor] Daily digest for Thu 18 Aug 2016: 3 items"  # type: ignore[index]
    body = digest.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
    assert "Last day to appeal tomorrow: Fri 19 Aug 2016" in body


def test_batches_inside_one_use_of_the_backend_share_one_connection(
    engine: Engine, config_dir: Path, smtp_server: SmtpServer
) -> None:
    # Three reminders due on 19 Aug, one per batch: the worker holds its backend open across
    # the batches of a drain, and only the outermost exit closes the connection.
    synced(engine, config_dir)
    now = datetime(2016, 8, 19, 7, 0, tzinfo=UTC)
    backend = SmtpBackend(smtp_server.url)
    with backend:
        for _ in range(3):
            report = dispatch_due(
                engine, backend, now, worker="t", sender=SENDER, limit=1, clock=lambda: now
            )
            assert report.sent == 1
        assert backend._connection is not None
    assert backend._connection is None
    assert len(smtp_server.recorder.peers) == 3
    assert len(set(smtp_server.recorder.peers)) == 1
    # Alone, a batch opens and closes its own.
    with session_scope(engine) as session:
        session.execute(update(Notification).values(status="pending", next_attempt_at=now))
    for _ in range(2):
        dispatch_due(engine, backend, now, worker="t", sender=SENDER, limit=1, clock=lambda: now)
    assert len(set(smtp_server.recorder.peers)) == 3


def test_the_files_backend_writes_eml_files(
    sqlite_engine: Engine, config_dir: Path, tmp_path: Path
) -> None:
    synced(sqlite_engine, config_dir)
    outbox = tmp_path / "outbox"
    report = dispatch_due(
        sqlite_engine,
        FileBackend(outbox),
        SEVEN_DAYS_BEFORE,
        worker="t",
        sender=SENDER,
        policy=DispatchPolicy(),
        clock=lambda: SEVEN_DAYS_BEFORE,
    )
    assert report.sent == 1
    [path] = list(outbox.glob("*.eml"))
    assert b"Subject: [Kozlov] Decision comes into force in 7 days" in path.read_bytes()
    assert report.replies == [f"written to {path}"]
    with session_scope(sqlite_engine) as session:
        assert session.scalar(select(func.count()).where(Notification.status == "sent")) == 1
