"""Commands that tell the whole story: outbox with case and subject, outbox show, preview of
the real outbox, record refusing contradictions, deadlines --within like source intervals."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

NOW = "2016-08-05T08:00:00+00:00"
AFTER = "2016-08-21T08:00:00+00:00"


@pytest.fixture
def synced(run):  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    return run


def test_outbox_lists_case_and_subject_and_filters(synced) -> None:  # type: ignore[no-untyped-def]
    listed = synced("outbox", "--json")
    rows = json.loads(listed.out)["notifications"]
    assert {r["case"] for r in rows} == {"kozlov"}
    escalation = next(r for r in rows if r["kind"] == "execution_escalation")
    assert escalation["subject"] == "[Kozlov] Исполнение не подтверждено: срок вт, 23 августа 2016"
    text = synced("outbox").out
    assert "case" in text and "subject" in text and "Kozlov" in text
    by_kind = json.loads(synced("outbox", "--kind", "execution_escalation", "--json").out)
    assert [r["to"] for r in by_kind["notifications"]] == ["escalation@example.org"]
    by_contact = json.loads(synced("outbox", "--to", "escalation", "--json").out)
    assert [r["kind"] for r in by_contact["notifications"]] == ["execution_escalation"]
    by_email = json.loads(synced("outbox", "--to", "Advocate@Example.org", "--json").out)
    assert len(by_email["notifications"]) == 5
    assert json.loads(synced("outbox", "--case", "nobody", "--json").out)["notifications"] == []


def test_outbox_show_prints_the_email_as_it_will_be_sent(synced) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(synced("outbox", "--json").out)["notifications"]
    first = min(r["id"] for r in rows)
    shown = synced("outbox", "show", str(first))
    assert shown.code == 0
    assert "as it would be sent at 2016-08-13 07:00 UTC" in shown.out
    assert "Subject: [Kozlov] Decision comes into force in 7 days: Sat 20 Aug 2016" in shown.out
    assert "Reply-To: Olga Operator <operator@example.org>" in shown.out
    assert "15 days counted from Fri 5 Aug 2016" in shown.out
    assert "[attached: kozlov-in_force.ics (text/calendar)]" in shown.out
    raw = synced("outbox", "show", str(first), "--raw").out
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["Message-ID"] == next(r for r in rows if r["id"] == first)["message_id"]
    missing = synced("outbox", "show", "9999")
    assert missing.code == 1 and "no notification 9999" in missing.err


def test_preview_outbox_shows_the_pending_rows_and_says_which_preview_it_is(synced) -> None:  # type: ignore[no-untyped-def]
    from_config = synced("preview", "--from", "2016-08-05", "--to", "2016-08-25")
    assert from_config.out.startswith("a preview from the config alone")
    # Recording the execution cancels the confirmation and the escalation in the database:
    # the outbox preview no longer shows them, the config preview still does.
    assert synced("record", "kozlov", "--executed", "2016-08-05").code == 0
    real = synced("preview", "--outbox", "--from", "2016-08-05", "--to", "2016-08-25", "--json")
    payload = json.loads(real.out)
    assert payload["source"] == "outbox"
    kinds = [e["kind"] for e in payload["emails"]]
    # The advocate also hears of the recorded fact.
    assert sorted(kinds) == ["alert"] + ["in_force_reminder"] * 4
    text = synced("preview", "--outbox", "--from", "2016-08-05", "--to", "2016-08-25").out
    assert text.startswith("what the outbox of the database will send")


def test_preview_outbox_writes_readable_eml(synced, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eml"
    args = ("preview", "--outbox", "--from", "2016-08-05", "--to", "2016-08-25")
    assert synced(*args, "--write", str(out)).code == 0
    [russian] = [p for p in sorted(out.iterdir()) if "escalation" in p.name]
    message = email.message_from_bytes(russian.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "[Kozlov] Исполнение не подтверждено: срок вт, 23 августа 2016"


def test_record_refuses_an_appeal_after_the_execution_without_force(synced) -> None:  # type: ignore[no-untyped-def]
    assert synced("record", "kozlov", "--executed", "2016-08-20", now=AFTER).code == 0
    refused = synced("record", "kozlov", "--appealed", "2016-08-21", now=AFTER)
    assert refused.code == 1
    assert "after the execution on Sat 20 Aug 2016 contradicts what is recorded" in refused.err
    forced = synced("record", "kozlov", "--appealed", "2016-08-21", "--force", now=AFTER)
    assert forced.code == 0


def test_record_refuses_an_execution_before_the_decision(synced) -> None:  # type: ignore[no-untyped-def]
    refused = synced("record", "kozlov", "--executed", "2016-08-01", now=AFTER)
    assert refused.code == 1
    assert "is before the decision date 2016-08-04" in refused.err


def test_a_repeated_fact_is_recorded_once(synced) -> None:  # type: ignore[no-untyped-def]
    assert synced("record", "kozlov", "--executed", "2016-08-20", now=AFTER).code == 0
    again = synced("record", "kozlov", "--executed", "2016-08-20", now=AFTER)
    assert again.code == 0 and "already recorded; nothing changed" in again.out
    events = json.loads(synced("events", "--json", now=AFTER).out)["events"]
    assert [e["kind"] for e in events].count("fact_recorded") == 1
    other_day = synced("record", "kozlov", "--executed", "2016-08-21", now=AFTER)
    assert other_day.code == 1 and "add --force" in other_day.err


@pytest.mark.parametrize(
    ("within", "kinds"),
    [
        ("2w", ["appeal_until"]),
        ("14", ["appeal_until"]),
        ("6h", []),
        ("30d", ["appeal_until", "in_force", "execution_due"]),
    ],
)
def test_deadlines_within_takes_durations_like_source_intervals(
    synced,  # type: ignore[no-untyped-def]
    within: str,
    kinds: list[str],
) -> None:
    result = synced("deadlines", "--within", within, "--json")
    assert result.code == 0, result.err
    assert [d["kind"] for d in json.loads(result.out)["deadlines"]] == kinds


def test_deadline_tables_mark_uncertain_dates(synced) -> None:  # type: ignore[no-untyped-def]
    text = synced("deadlines").out
    assert "Fri 19 Aug 2016  " in text  # certain: the law's own roll
    assert "Sat 20 Aug 2016 (?)" in text
    assert "(?) uncertain" in text


def test_every_table_says_the_time_zone_of_its_times(synced) -> None:  # type: ignore[no-untyped-def]
    assert "due (UTC)" in synced("outbox").out
    assert "last success (UTC)" in synced("sources").out
    assert "send at (UTC)" in synced("preview", "--from", "2016-08-05", "--to", "2016-08-25").out


def test_status_flags_a_broken_config_on_disk(synced, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_config_check import replace

    replace(config_dir / "contacts.toml", 'language = "ru"', 'language = "kk"')
    result = synced("status", "--json")
    assert result.code == 1
    problems = json.loads(result.out)["problems"]
    assert any(
        p.startswith("the config on disk is broken (1 problem, the first: contacts.toml:16")
        for p in problems
    )


def test_status_lists_only_workers_that_ran(synced, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from monitor.db import make_engine, session_scope
    from monitor.models import WorkerHeartbeat

    engine = make_engine(f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}")
    at = datetime(2016, 8, 5, 7, tzinfo=UTC)
    with session_scope(engine) as session:
        for name, jobs in (("never-ran", 0), ("did-work", 3)):
            session.add(
                WorkerHeartbeat(
                    name=name,
                    host="h",
                    pid=1,
                    started_at=at,
                    last_beat_at=at,
                    stopped_at=at,
                    jobs_run=jobs,
                )
            )
    engine.dispose()
    workers = json.loads(synced("status", "--json").out)["workers"]
    assert [w["name"] for w in workers] == ["did-work"]
