"""Settings: file, then environment; secrets only from the environment and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.settings import load_settings


def test_defaults_put_state_under_var_next_to_config(config_dir: Path) -> None:
    settings = load_settings(config_dir, {})
    assert settings.database_url == f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}"
    assert settings.mail_backend == "files"
    assert settings.outbox_dir == config_dir.parent / "var" / "outbox"
    assert settings.origins["mail_from"] == "monitor.toml:9 (mail.from)"


def test_environment_overrides_and_platform_urls_are_normalised(config_dir: Path) -> None:
    settings = load_settings(config_dir, {"DATABASE_URL": "postgres://u:pw@db:5432/m"})
    assert settings.database_url == "postgresql+psycopg://u:pw@db:5432/m"
    assert settings.origins["database_url"] == "environment DATABASE_URL"
    both = load_settings(
        config_dir, {"DATABASE_URL": "postgres://a/b", "MONITOR_DATABASE_URL": "sqlite:///x.db"}
    )
    assert both.database_url == "sqlite:///x.db"
    smtp = load_settings(config_dir, {"MONITOR_SMTP_URL": "smtp://me@mail.example.org:587"})
    assert smtp.mail_backend == "smtp"


def test_config_show_masks_every_secret(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(
        "MONITOR_DATABASE_URL", "postgresql+psycopg://monitor:db-s3cret@db.example.org/monitor"
    )
    monkeypatch.setenv("MONITOR_SMTP_URL", "smtp://monitor@mail.example.org:587")
    monkeypatch.setenv("MONITOR_SMTP_PASSWORD", "smtp-s3cret")
    monkeypatch.setenv("MONITOR_HEARTBEAT_URL", "https://hc-ping.example.org/token-s3cret")
    result = run("config", "show")
    assert result.code == 0
    assert "s3cret" not in result.out + result.err
    assert "********" in result.out
    assert "environment MONITOR_SMTP_PASSWORD" in result.out
    assert "mail.example.org" in result.out


def test_a_password_in_a_file_is_refused(config_dir: Path) -> None:
    path = config_dir / "monitor.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("[mail]\n", '[mail]\nsmtp_password = "hunter2"\n'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(config_dir, {})
    message = str(info.value.problems[0])
    assert message.startswith("monitor.toml:9: mail.smtp_password: secrets are not kept in files")
    assert "hunter2" not in message


def test_a_password_inside_the_smtp_url_is_refused(config_dir: Path) -> None:
    with pytest.raises(ConfigError, match="must not contain a password"):
        load_settings(config_dir, {"MONITOR_SMTP_URL": "smtp://me:pw@mail.example.org:587"})


def test_unknown_keys_and_bad_values_are_reported(config_dir: Path) -> None:
    path = config_dir / "monitor.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "poll_interval_seconds = 60", 'poll_interval_seconds = "often"\npoll_every = 5'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(config_dir, {"MONITOR_MAIL_BACKEND": "pigeon"})
    lines = [str(p) for p in info.value.problems]
    assert any(
        line.startswith(
            "monitor.toml:16: worker.poll_every: unknown key (known: claim_lease_seconds,"
        )
        for line in lines
    )
    assert "monitor.toml:15: worker.poll_interval_seconds: must be a number" in lines
    assert any("'pigeon' is not 'files' or 'smtp'" in line for line in lines)


def test_a_claim_lease_that_could_end_during_one_send_is_refused(config_dir: Path) -> None:
    smtp = {"MONITOR_SMTP_URL": "smtp://127.0.0.1:2525"}
    with pytest.raises(ConfigError) as caught:
        load_settings(
            config_dir, {**smtp, "MONITOR_CLAIM_LEASE": "60", "MONITOR_SMTP_TIMEOUT": "30"}
        )
    [problem] = caught.value.problems
    assert str(problem) == (
        "environment MONITOR_CLAIM_LEASE: worker.claim_lease_seconds: 60 s must be more than"
        " twice mail.smtp_timeout_seconds (30 s), so that a claim outlives one send: raise the"
        " lease or lower the timeout"
    )
    accepted = load_settings(
        config_dir, {**smtp, "MONITOR_CLAIM_LEASE": "61", "MONITOR_SMTP_TIMEOUT": "30"}
    )
    assert (accepted.claim_lease_seconds, accepted.smtp_timeout_seconds) == (61, 30)
