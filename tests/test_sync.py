"""Sync: config applied all or nothing, idempotent, archiving and recomputing; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from monitor.catalog import load_catalog
from monitor.db import session_scope
from monitor.decisions import find_decision, record_fact
from monitor.models import Case, Deadline, Decision, Event, Notification
from monitor.notify.plan import new_message_id, plan_reminders
from monitor.sync import sync_catalog
from tests.conftest import BEFORE_KOZLOV
from tests.test_config_check import replace

KOZLOV_FILE = ("cases", "kozlov.toml")


def sync(engine: Engine, config_dir: Path, now: datetime = BEFORE_KOZLOV):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return sync_catalog(session, load_catalog(config_dir), now)


def statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {n.dedup_key: n.status for n in session.scalars(select(Notification))}


def events(engine: Engine, kind: str) -> list[Event]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def deadlines(engine: Engine) -> dict[str, date]:
    with session_scope(engine) as session:
        return {d.kind: d.due_on for d in session.scalars(select(Deadline))}


def test_first_sync_adds_everything_and_plans_the_example(engine: Engine, config_dir: Path) -> None:
    report = sync(engine, config_dir)
    assert "case kozlov" in report.added
    assert "decision kozlov/release-2016-08-04" in report.added
    assert deadlines(engine) == {
        "appeal_until": date(2016, 8, 19),
        "in_force": date(2016, 8, 20),
        "execution_due": date(2016, 8, 23),
    }
    assert report.reminders_planned == 6  # 4 in-force reminders, the confirmation, the escalation
    with session_scope(engine) as session:
        rows = list(session.scalars(select(Notification).order_by(Notification.due_at)))
        assert [(r.kind, r.due_at) for r in rows] == [
            ("in_force_reminder", datetime(2016, 8, 13, 7, 0, tzinfo=UTC)),
            ("in_force_reminder", datetime(2016, 8, 17, 7, 0, tzinfo=UTC)),
            ("in_force_reminder", datetime(2016, 8, 19, 7, 0, tzinfo=UTC)),
            ("in_force_reminder", datetime(2016, 8, 20, 7, 0, tzinfo=UTC)),
            ("confirm_execution", datetime(2016, 8, 21, 7, 0, tzinfo=UTC)),
            ("execution_escalation", datetime(2016, 8, 23, 3, 0, tzinfo=UTC)),
        ]
        assert all(r.due_at.tzinfo is not None for r in rows)
        assert len({r.message_id for r in rows}) == 6


def test_second_sync_changes_nothing(engine: Engine, config_dir: Path) -> None:
    sync(engine, config_dir)
    before = statuses(engine)
    report = sync(engine, config_dir, BEFORE_KOZLOV + timedelta(hours=1))
    assert report.unchanged, report.as_dict()
    assert statuses(engine) == before
    assert len(events(engine, "case_added")) == 1


def test_planning_twice_queues_each_reminder_once(engine: Engine, config_dir: Path) -> None:
    sync(engine, config_dir)
    with session_scope(engine) as session:
        again = plan_reminders(session, BEFORE_KOZLOV)
        assert again.planned == 0
        assert session.scalar(select(func.count()).select_from(Notification)) == 6


def test_the_dedup_key_is_unique_in_the_database(engine: Engine, config_dir: Path) -> None:
    sync(engine, config_dir)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        row = session.scalars(select(Notification)).first()
        assert row is not None
        session.add(
            Notification(
                dedup_key=row.dedup_key,
                kind=row.kind,
                contact_id=row.contact_id,
                due_at=row.due_at,
                next_attempt_at=row.due_at,
                message_id=new_message_id(),
                created_at=BEFORE_KOZLOV,
                updated_at=BEFORE_KOZLOV,
            )
        )
        session.flush()


def test_a_corrected_decision_date_moves_deadlines_and_replans(
    engine: Engine, config_dir: Path
) -> None:
    sync(engine, config_dir)
    old_keys = set(statuses(engine))
    replace(config_dir.joinpath(*KOZLOV_FILE), 'date = "2016-08-04"', 'date = "2016-08-05"')
    report = sync(engine, config_dir, BEFORE_KOZLOV + timedelta(hours=2))
    assert any("decision kozlov/release-2016-08-04 (decided_on)" in c for c in report.changed)
    # Day 15 is now Sat 20 Aug: the last day rolls to Mon 22 Aug, in force Tue 23 Aug.
    assert deadlines(engine)["in_force"] == date(2016, 8, 23)
    moved = events(engine, "deadline_moved")
    assert [e.message for e in moved if e.data["deadline"] == "in_force"] == [
        "kozlov/release-2016-08-04: in_force moved from Sat 20 Aug 2016 to Tue 23 Aug 2016"
    ]
    now = statuses(engine)
    assert {now[k] for k in old_keys} == {"cancelled"}
    assert sorted(v for k, v in now.items() if k not in old_keys) == ["pending"] * 6


def test_a_changed_rule_recomputes(engine: Engine, config_dir: Path) -> None:
    sync(engine, config_dir)
    replace(
        config_dir.joinpath(*KOZLOV_FILE),
        'rule = "kz-criminal-appeal-15d"',
        'rule = "calendar-days:10"',
    )
    sync(engine, config_dir)
    assert deadlines(engine)["appeal_until"] == date(2016, 8, 15)


def test_removing_a_case_archives_it_keeps_history_and_cancels_reminders(
    engine: Engine, config_dir: Path
) -> None:
    sync(engine, config_dir)
    config_dir.joinpath(*KOZLOV_FILE).rename(config_dir / "kozlov.toml.off")
    report = sync(engine, config_dir)
    assert "case kozlov" in report.archived
    assert report.reminders_cancelled == 6
    with session_scope(engine) as session:
        case = session.scalars(select(Case)).one()
        assert case.archived_at == BEFORE_KOZLOV
        assert len(case.decisions) == 1  # history kept
    assert set(statuses(engine).values()) == {"cancelled"}
    # And it comes back when the file does.
    config_dir.joinpath("kozlov.toml.off").rename(config_dir.joinpath(*KOZLOV_FILE))
    report = sync(engine, config_dir)
    assert "case kozlov" in report.restored


def test_a_case_put_back_gets_every_reminder_whose_deadline_is_ahead_again(
    engine: Engine, config_dir: Path
) -> None:
    """A block commented out for a minute must not end an advocate's reminders."""
    sync(engine, config_dir)
    before = statuses(engine)
    assert list(before.values()).count("pending") == 6
    config_dir.joinpath(*KOZLOV_FILE).rename(config_dir / "kozlov.toml.off")
    sync(engine, config_dir, BEFORE_KOZLOV + timedelta(minutes=1))
    config_dir.joinpath("kozlov.toml.off").rename(config_dir.joinpath(*KOZLOV_FILE))
    report = sync(engine, config_dir, BEFORE_KOZLOV + timedelta(minutes=2))
    assert report.reminders_restored == 6
    assert report.as_dict()["reminders"]["restored"] == 6
    assert statuses(engine) == before  # same rows, same keys, pending again
    with session_scope(engine) as session:
        for row in session.scalars(select(Notification)):
            assert row.next_attempt_at == row.due_at  # all still ahead: due when planned
            assert row.last_error and row.last_error.startswith("restored")


def test_a_subscription_put_back_gets_its_reminders_and_late_ones_go_at_once(
    engine: Engine, config_dir: Path
) -> None:
    sync(engine, config_dir)
    path = config_dir.joinpath(*KOZLOV_FILE)
    original = path.read_text(encoding="utf-8")
    block = '[[subscriptions]]\ncontact = "advocate"'
    path.write_text(original.replace(block, '[[subscriptions]]\ncontact = "operator"\n#'), "utf-8")
    # Taken out for long enough that the 7-day reminder's send time (13 Aug, 09:00 Warsaw)
    # passes; the in-force date (20 Aug) is still ahead.
    sync(engine, config_dir, BEFORE_KOZLOV)
    path.write_text(original, "utf-8")
    back = datetime(2016, 8, 14, 12, 0, tzinfo=UTC)
    report = sync(engine, config_dir, back)
    assert report.reminders_restored == 5  # 7, 3, 1, 0 days before, and the confirmation
    with session_scope(engine) as session:
        rows = list(
            session.scalars(select(Notification).where(Notification.kind == "in_force_reminder"))
        )
        pending = [r for r in rows if r.status == "pending"]
        assert len(pending) == 4  # the advocate's 7, 3, 1 and 0 days before
        [late] = [r for r in pending if r.due_at < back]
        assert late.next_attempt_at == back  # its send time passed while it was out: at once


def test_a_case_put_back_after_its_deadlines_passed_stays_cancelled(
    engine: Engine, config_dir: Path
) -> None:
    sync(engine, config_dir)
    config_dir.joinpath(*KOZLOV_FILE).rename(config_dir / "kozlov.toml.off")
    sync(engine, config_dir)
    config_dir.joinpath("kozlov.toml.off").rename(config_dir.joinpath(*KOZLOV_FILE))
    report = sync(engine, config_dir, datetime(2016, 9, 30, tzinfo=UTC))
    assert report.reminders_restored == 0
    assert set(statuses(engine).values()) == {"cancelled"}


def test_a_broken_catalog_applies_nothing(engine: Engine, config_dir: Path) -> None:
    sync(engine, config_dir)
    before = statuses(engine)
    replace(config_dir.joinpath(*KOZLOV_FILE), 'date = "2016-08-04"', 'date = "2016-08-05"')
    replace(config_dir / "contacts.toml", 'email = "operator@example.org"', 'email = "operator"')
    with pytest.raises(Exception, match="not an email address"):
        sync(engine, config_dir)
    assert statuses(engine) == before
    assert deadlines(engine)["in_force"] == date(2016, 8, 20)


def test_recording_an_appeal_stops_in_force_reminders_and_says_so(
    engine: Engine, config_dir: Path
) -> None:
    sync(engine, config_dir)
    now = datetime(2016, 8, 11, 12, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        decision = find_decision(session, "kozlov", None)
        message, report = record_fact(session, decision, now, appealed_on=date(2016, 8, 10))
    assert report is not None and report.cancelled == 6
    assert "appealed on Wed 10 Aug 2016" in message
    assert "in-force reminders" in message and "stopped" in message
    assert set(statuses(engine).values()) == {"cancelled"}
    with session_scope(engine) as session:
        reasons = set(session.scalars(select(Notification.last_error)))
    assert reasons == {"cancelled: appeal recorded on 2016-08-10"}
    assert [e.data["fact"] for e in events(engine, "fact_recorded")] == ["appealed"]
    # A later sync (config says nothing about the appeal) keeps the recorded fact.
    sync(engine, config_dir, now + timedelta(hours=1))
    assert set(statuses(engine).values()) == {"cancelled"}


def test_recording_the_execution_stops_confirmation_and_escalation(
    engine: Engine, config_dir: Path
) -> None:
    sync(engine, config_dir)
    now = datetime(2016, 8, 20, 12, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        decision = find_decision(session, "kozlov", "release-2016-08-04")
        record_fact(session, decision, now, executed_on=date(2016, 8, 20))
    with session_scope(engine) as session:
        rows = {
            n.kind: n.status
            for n in session.scalars(select(Notification))
            if n.kind != "in_force_reminder"
        }
    assert rows == {"confirm_execution": "cancelled", "execution_escalation": "cancelled"}


def test_facts_written_in_config_are_applied(engine: Engine, config_dir: Path) -> None:
    sync(engine, config_dir)
    replace(
        config_dir.joinpath(*KOZLOV_FILE),
        '# executed_on = "2016-08-20"',
        'executed_on = "2016-08-20"',
    )
    report = sync(engine, config_dir)
    assert report.reminders_cancelled == 2
    with session_scope(engine) as session:
        assert session.scalars(select(Decision)).one().executed_on == date(2016, 8, 20)


def test_reminders_for_a_past_deadline_are_kept_as_skipped(
    engine: Engine, config_dir: Path
) -> None:
    report = sync(engine, config_dir, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert (report.reminders_planned, report.reminders_skipped) == (0, 6)
    assert set(statuses(engine).values()) == {"skipped"}


def test_after_a_restore_the_outbox_holds_what_preview_shows(
    engine: Engine, config_dir: Path
) -> None:
    from monitor.notify.preview import preview

    sync(engine, config_dir)
    config_dir.joinpath(*KOZLOV_FILE).rename(config_dir / "kozlov.toml.off")
    sync(engine, config_dir)
    config_dir.joinpath("kozlov.toml.off").rename(config_dir.joinpath(*KOZLOV_FILE))
    sync(engine, config_dir)
    shown = preview(
        load_catalog(config_dir), date(2016, 8, 5), date(2016, 8, 31), "M <m@example.org>"
    )
    with session_scope(engine) as session:
        pending = list(
            session.scalars(select(Notification).where(Notification.status == "pending"))
        )
        queued = sorted((n.due_at, n.kind) for n in pending)
    assert queued == sorted((email.send_at, email.kind) for email in shown)
    assert len(queued) == 6
