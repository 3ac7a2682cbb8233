"""Bad config: the file, the line and the key in the message, and nothing applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, create_engine, select

from monitor.catalog import load_catalog
from monitor.errors import ConfigError


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def database_state(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to compare before and after."""
    engine: Engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        state = {
            name: sorted(map(tuple, conn.execute(select(table))), key=repr)
            for name, table in meta.tables.items()
        }
    engine.dispose()
    return state


def test_shipped_config_passes(run) -> None:  # type: ignore[no-untyped-def]
    result = run("config", "check")
    assert result.code == 0, result.err
    assert "config OK: 1 case(s), 1 decision(s), 3 contact(s), 1 source(s)" in result.out


BROKEN = [
    pytest.param(
        "cases/kozlov.toml",
        'date = "2016-08-04"',
        'date = "2016-13-04"',
        "cases/kozlov.toml:12: decisions[0].date: '2016-13-04' is not a date (expected YYYY-MM-DD)",
        id="bad-date",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'kind = "release"',
        'kind = "release"\ncourt_room = "3"',
        "cases/kozlov.toml:15: decisions[0].court_room: unknown key",
        id="unknown-key",
    ),
    pytest.param(
        "cases/kozlov.toml",
        "execution_grace_days = 3",
        "execution_grace_dayz = 3",
        "cases/kozlov.toml:18: decisions[0].execution_grace_dayz: unknown key (did you mean 'execution_grace_days'?)",
        id="misspelt-key",
    ),
    pytest.param(
        "contacts.toml",
        'email = "advocate@example.org"',
        'email = "advocate at example.org"',
        "contacts.toml:8: contacts[0].email: 'advocate at example.org' is not an email address",
        id="bad-email",
    ),
    pytest.param(
        "contacts.toml",
        'email = "advocate@example.org"',
        'email = "advocate@example.org\\r\\nBcc: x@evil.example"',
        "contacts.toml:8: contacts[0].email: ",
        id="header-injection-email",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'jurisdiction = "KZ"',
        'jurisdiction = "KZS"',
        "cases/kozlov.toml:4: jurisdiction: 'KZS' is not a jurisdiction the monitor knows",
        id="unknown-jurisdiction",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'court = "Kapshagai City Court of Almaty Province"',
        'court = "Kapshagai',
        "cases/kozlov.toml:13: invalid TOML",
        id="bad-toml-syntax",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'rule = "kz-criminal-appeal-15d"',
        'rule = "kz-criminal-appeal-10d"',
        "cases/kozlov.toml:15: decisions[0].rule: unknown rule 'kz-criminal-appeal-10d'",
        id="unknown-rule",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'contact = "escalation"',
        'contact = "escalaton"',
        "cases/kozlov.toml:32: subscriptions[1].contact: no contact 'escalaton' in contacts.toml",
        id="missing-contact",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'send_time = "09:00"',
        'send_time = "9am"',
        "cases/kozlov.toml:29: subscriptions[0].send_time: '9am' is not a time of day (expected HH:MM",
        id="bad-send-time",
    ),
    pytest.param(
        "contacts.toml",
        'timezone = "Asia/Almaty"',
        'timezone = "Asia/Alma-Ata-City"',
        "contacts.toml:17: contacts[1].timezone: 'Asia/Alma-Ata-City' is not a time zone",
        id="bad-timezone",
    ),
    pytest.param(
        "cases/kozlov.toml",
        '# executed_on = "2016-08-20"',
        'executed_on = "2016-08-01"',
        "cases/kozlov.toml:23: decisions[0].executed_on: 2016-08-01 is before the decision date 2016-08-04",
        id="fact-before-decision",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'jurisdiction = "KZ"',
        'jurisdiction = "RU"',
        "cases/kozlov.toml:15: decisions[0].rule: rule kz-criminal-appeal-15d is for jurisdiction KZ, but the case is in RU",
        id="rule-for-another-jurisdiction",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'role = "escalation"',
        'role = "boss"',
        "cases/kozlov.toml:33: subscriptions[1].role: 'boss' is not one of: advocate, operator, escalation",
        id="bad-role",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'url = "https://en.odfoundation.eu/"\ninterval',
        'url = "file:///etc/passwd"\ninterval',
        "cases/kozlov.toml:42: sources[0].url: 'file:///etc/passwd' is not an http:// or https:// address",
        id="bad-url",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'interval = "6h"',
        'interval = "6h"\nselector = "div.news["',
        "cases/kozlov.toml:44: sources[0].selector: 'div.news[' is not a CSS selector",
        id="bad-selector",
    ),
    pytest.param(
        "cases/kozlov.toml",
        'interval = "6h"',
        'interval = "6h"\nlink_pattern = "/news/(\\\\d+"',
        "cases/kozlov.toml:44: sources[0].link_pattern: '/news/(\\\\d+' is not a regular expression",
        id="bad-link-pattern",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), BROKEN)
def test_broken_config_names_file_line_and_key_and_applies_nothing(
    run,
    config_dir: Path,
    file: str,
    old: str,
    new: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    url = f"sqlite:///{config_dir.parent / 'var' / 'monitor.db'}"
    before = database_state(url)

    replace(config_dir / file, old, new)
    check = run("config", "check")
    assert check.code == 1
    assert message in check.err, check.err
    assert "Traceback" not in check.err
    assert check.err.strip().endswith("1 problem found; nothing was applied")

    sync = run("sync", now="2016-08-06T08:00:00+00:00")
    assert sync.code == 1
    assert message in sync.err
    assert database_state(url) == before


def test_duplicate_case_id_names_both_files(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    source = (config_dir / "cases" / "kozlov.toml").read_text(encoding="utf-8")
    (config_dir / "cases" / "zz-copy.toml").write_text(
        source.replace('id = "odf-news"', 'id = "odf-news-2"'), encoding="utf-8"
    )
    result = run("config", "check")
    assert result.code == 1
    assert (
        "cases/zz-copy.toml:2: id: duplicate case id 'kozlov' (also in cases/kozlov.toml)"
        in result.err
    )


def test_every_problem_is_reported_not_just_the_first(config_dir: Path) -> None:
    replace(config_dir / "cases" / "kozlov.toml", 'date = "2016-08-04"', 'date = "2016-02-30"')
    replace(config_dir / "cases" / "kozlov.toml", 'contact = "operator"', 'contact = "nobody"')
    replace(config_dir / "contacts.toml", 'language = "ru"', 'language = "kk"')
    with pytest.raises(ConfigError) as info:
        load_catalog(config_dir)
    lines = [str(p) for p in info.value.problems]
    assert "contacts.toml:16: contacts[1].language: 'kk' is not one of: en, ru" in lines
    assert (
        "cases/kozlov.toml:12: decisions[0].date: '2016-02-30' is not a date (expected YYYY-MM-DD)"
        in lines
    )
    assert any(
        line.startswith("cases/kozlov.toml:36: subscriptions[2].contact: no contact 'nobody'")
        for line in lines
    )


def test_native_toml_dates_are_accepted(config_dir: Path) -> None:
    replace(config_dir / "cases" / "kozlov.toml", 'date = "2016-08-04"', "date = 2016-08-04")
    catalog = load_catalog(config_dir)
    assert str(catalog.cases["kozlov"].decisions[0].decided_on) == "2016-08-04"


def test_a_missing_required_key_is_named(config_dir: Path) -> None:
    replace(
        config_dir / "cases" / "kozlov.toml",
        'court = "Kapshagai City Court of Almaty Province"\n',
        "",
    )
    with pytest.raises(ConfigError) as info:
        load_catalog(config_dir)
    assert [str(p) for p in info.value.problems] == [
        "cases/kozlov.toml:10: decisions[0]: court is missing"
    ]
