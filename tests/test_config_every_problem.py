"""``config check`` reports every problem in one run."""

from __future__ import annotations

from pathlib import Path

from tests.test_config_check import replace

KOZLOV = "cases/kozlov.toml"


def test_settings_and_catalog_problems_come_together(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    replace(config_dir / "monitor.toml", "poll_interval_seconds = 60", "poll_interval_seconds = 0")
    replace(config_dir / "contacts.toml", 'language = "ru"', 'language = "kk"')
    result = run("config", "check")
    assert result.code == 1
    assert "poll_interval_seconds: must be from 1 to 86400" in result.err
    assert "contacts[1].language: 'kk' is not one of: en, ru" in result.err
    assert result.err.strip().endswith("2 problems found; nothing was applied")


def test_every_bad_key_of_an_inline_table_is_named(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    replace(
        config_dir / KOZLOV,
        'kind = "release"',
        'kind = "release"\nrule_options = { roll = "backward", colour = "red", in_force = "x" }',
    )
    result = run("config", "check")
    assert result.code == 1
    assert "decisions[0].rule_options.roll: 'backward' is not one of: forward, none" in result.err
    assert "decisions[0].rule_options.colour: unknown option" in result.err
    assert "decisions[0].rule_options.in_force: 'x' is not one of" in result.err
    assert "3 problems found" in result.err


def test_stray_files_in_cases_are_reported(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    (config_dir / "cases" / "petrov.tml").write_text('id = "petrov"\n', encoding="utf-8")
    (config_dir / "cases" / ".gitkeep").write_text("", encoding="utf-8")
    result = run("config", "check")
    assert result.code == 1
    assert "cases/petrov.tml: not read: only .toml files in cases/ are cases" in result.err
    assert ".gitkeep" not in result.err


def test_a_fact_dated_in_the_future_is_refused(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    replace(config_dir / KOZLOV, '# executed_on = "2016-08-20"', 'executed_on = "2016-08-20"')
    result = run("config", "check", now="2016-08-05T08:00:00+00:00")
    assert result.code == 1
    assert (
        "cases/kozlov.toml:23: decisions[0].executed_on: 2016-08-20 is in the future"
        " (today is 2016-08-05)" in result.err
    )
    assert run("config", "check", now="2016-08-21T08:00:00+00:00").code == 0


def test_duplicate_case_ids_and_other_problems_in_one_run(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    source = (config_dir / KOZLOV).read_text(encoding="utf-8")
    (config_dir / "cases" / "zz-copy.toml").write_text(
        source.replace('id = "odf-news"', 'id = "odf-news-2"'), encoding="utf-8"
    )
    replace(config_dir / "contacts.toml", 'timezone = "Asia/Almaty"', 'timezone = "Asia"')
    result = run("config", "check")
    assert "duplicate case id 'kozlov'" in result.err
    assert "contacts[1].timezone: 'Asia' is not a time zone" in result.err
