"""Settings of the web view: its public address and the key that signs links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ConfigError
from monitor.settings import load_settings, secret_key


def test_the_base_url_comes_from_the_file_or_the_environment(config_dir: Path) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(
        toml.read_text() + '\n[web]\nbase_url = "https://monitor.example.org/"\n', encoding="utf-8"
    )
    settings = load_settings(config_dir, {})
    assert settings.base_url == "https://monitor.example.org"
    assert settings.origins["base_url"].startswith("monitor.toml:")
    override = load_settings(config_dir, {"MONITOR_BASE_URL": "http://127.0.0.1:8000"})
    assert override.base_url == "http://127.0.0.1:8000"


def test_a_base_url_that_is_not_http_is_refused(config_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"web\.base_url: must start with https:// or http://"):
        load_settings(config_dir, {"MONITOR_BASE_URL": "monitor.example.org"})


def test_the_secret_key_is_refused_in_files(config_dir: Path) -> None:
    toml = config_dir / "monitor.toml"
    toml.write_text(toml.read_text() + '\n[web]\nsecret_key = "k"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="set MONITOR_SECRET_KEY instead"):
        load_settings(config_dir, {})


def test_a_secret_key_from_the_environment_is_used_and_no_file_is_made(config_dir: Path) -> None:
    settings = load_settings(config_dir, {"MONITOR_SECRET_KEY": "from-the-environment"})
    assert secret_key(settings) == "from-the-environment"
    assert not (settings.var_dir / "secret_key").exists()


def test_config_show_says_where_the_key_is_and_never_shows_it(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_SECRET_KEY", "very-s3cret-key")
    shown = run("config", "show").out
    assert "secret_key" in shown and "environment MONITOR_SECRET_KEY" in shown
    assert "very-s3cret-key" not in shown
    monkeypatch.delenv("MONITOR_SECRET_KEY")
    assert "generated into" in run("config", "show").out


def test_config_check_makes_no_database(run: Any, config_dir: Path) -> None:
    assert run("config", "check").code == 0
    assert not (config_dir.parent / "var" / "monitor.db").exists()
