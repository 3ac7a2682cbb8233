"""preview, outbox, outbox retry and send-test-email as an operator uses them."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from tests.conftest import SmtpServer


def test_preview_lists_the_example_emails_at_nine_local(
    run, config_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = run("preview", "--from", "2016-08-01", "--to", "2016-08-31", "--json", now=None)
    assert result.code == 0, result.err
    emails = json.loads(result.out)["emails"]
    assert [(e["send_at"][:10], e["local_time"], e["kind"]) for e in emails] == [
        ("2016-08-13", "09:00 Europe/Warsaw", "in_force_reminder"),
        ("2016-08-17", "09:00 Europe/Warsaw", "in_force_reminder"),
        ("2016-08-19", "09:00 Europe/Warsaw", "in_force_reminder"),
        ("2016-08-20", "09:00 Europe/Warsaw", "in_force_reminder"),
        ("2016-08-21", "09:00 Europe/Warsaw", "confirm_execution"),
        ("2016-08-23", "09:00 Asia/Almaty", "execution_escalation"),
    ]
    assert emails[2]["subject"] == "[Kozlov] Decision comes into force tomorrow: Sat 20 Aug 2016"
    assert emails[5]["to"] == "Erlan Escalation <escalation@example.org>"
    # --write leaves .eml files and touches no database at all.
    out = tmp_path / "preview"
    written = run(
        "preview", "--from", "2016-08-01", "--to", "2016-08-31", "--write", str(out), now=None
    )
    assert "6 message(s) written" in written.out
    files = sorted(out.glob("*.eml"))
    assert len(files) == 6
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "[Kozlov] Decision comes into force in 7 days: Sat 20 Aug 2016"
    assert not (config_dir.parent / "var" / "monitor.db").exists()


def test_preview_of_a_quiet_period_is_empty_and_bad_ranges_are_refused(run) -> None:  # type: ignore[no-untyped-def]
    assert json.loads(
        run("preview", "--from", "2016-09-01", "--to", "2016-09-30", "--json").out
    ) == {"source": "config", "emails": []}
    bad = run("preview", "--from", "2016-09-30", "--to", "2016-09-01")
    assert bad.code == 1 and "--to is before --from" in bad.err


def test_outbox_lists_and_retries(run) -> None:  # type: ignore[no-untyped-def]
    run("db", "upgrade")
    run("sync", now="2026-11-25T10:00:00+00:00")  # the example's reminders are all past: skipped
    listing = json.loads(run("outbox", "--status", "skipped", "--json").out)
    assert listing["counts"]["skipped"] == 6
    first = listing["notifications"][0]["id"]
    retried = run("outbox", "retry", str(first))
    assert retried.code == 0 and "pending again" in retried.out
    assert json.loads(run("outbox", "--json").out)["counts"]["pending"] == 1
    again = run("outbox", "retry", str(first))
    assert again.code == 1 and "is pending; only failed, skipped or cancelled" in again.err
    missing = run("outbox", "retry", "9999")
    assert missing.code == 1 and "no notification 9999" in missing.err


def test_send_test_email_prints_what_the_server_said(
    run,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("MONITOR_SMTP_URL", smtp_server.url)
    result = run("send-test-email", "someone@example.org")
    assert result.code == 0, result.err
    assert result.out.strip() == "sent through smtp: 250 OK queued as 1"
    [message] = smtp_server.recorder.messages()
    assert message["To"] == "someone@example.org"  # type: ignore[index]
    assert message["Subject"] == "Test email from the Court Deadline Monitor"  # type: ignore[index]


def test_send_test_email_reports_a_refusal_in_one_line(
    run,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("MONITOR_SMTP_URL", smtp_server.url)
    smtp_server.recorder.refuse_rcpt["nobody@example.org"] = "550 5.1.1 unknown user"
    result = run("send-test-email", "nobody@example.org")
    assert result.code == 1
    assert result.err.strip() == "error: recipient refused: 550 5.1.1 unknown user"
    bad = run("send-test-email", "not-an-address")
    assert bad.code == 1 and "is not an email address" in bad.err


def test_send_test_email_to_files_by_default(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("send-test-email", "someone@example.org", "--language", "ru")
    assert result.code == 0
    [path] = list((config_dir.parent / "var" / "outbox").glob("*.eml"))
    assert str(path) in result.out
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Проверочное письмо Court Deadline Monitor"
