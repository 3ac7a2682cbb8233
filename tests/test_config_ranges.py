"""What ``config check`` accepts never crashes later; what can reach a header is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_config_check import replace

KOZLOV = "cases/kozlov.toml"

REFUSED = [
    pytest.param(
        "contacts.toml",
        'name = "Anna Advocate"',
        'name = "=?utf-8?q?=0D=0ABcc:_evil@example.net?="',
        'contacts.toml:7: contacts[0].name: holds "=?", the start of an encoded word',
        id="encoded-word-in-a-contact-name",
    ),
    pytest.param(
        "contacts.toml",
        'name = "Anna Advocate"',
        'name = "Anna\\u0085Advocate"',
        "contacts.toml:7: contacts[0].name: holds a control character or line break",
        id="c1-control-in-a-contact-name",
    ),
    pytest.param(
        "contacts.toml",
        'email = "advocate@example.org"',
        'email = "=?utf-8?q?a?=@example.org"',
        "contacts.toml:8: contacts[0].email: '=?utf-8?q?a?=@example.org' holds \"=?\"",
        id="encoded-word-in-an-address",
    ),
    pytest.param(
        KOZLOV,
        'title = "Vladimir Kozlov: conditional early release"',
        'title = "Vladimir Kozlov\\u2028Bcc: evil@example.net"',
        "cases/kozlov.toml:3: title: holds a control character or line break",
        id="line-separator-in-a-title",
    ),
    pytest.param(
        KOZLOV,
        'aliases = ["Kozlov",',
        'aliases = ["=?utf-8?b?DQo=?=",',
        "cases/kozlov.toml:6: aliases: '=?utf-8?b?DQo=?=' holds \"=?\"",
        id="encoded-word-in-an-alias",
    ),
    pytest.param(
        KOZLOV,
        'court = "Kapshagai City Court of Almaty Province"',
        'court = "Kapshagai\\tCity Court"',
        "cases/kozlov.toml:13: decisions[0].court: holds a control character",
        id="tab-in-a-court",
    ),
    pytest.param(
        KOZLOV,
        'date = "2016-08-04"',
        'date = "9999-12-30"',
        "cases/kozlov.toml:12: decisions[0].date: 9999-12-30 is out of range (years 1900 to 2199)",
        id="decision-date-near-9999",
    ),
    pytest.param(
        KOZLOV,
        'rule = "kz-criminal-appeal-15d"',
        'rule = "years:9999"',
        "cases/kozlov.toml:15: decisions[0].rule: 'years:9999': years takes at most 100",
        id="years-9999",
    ),
    pytest.param(
        KOZLOV,
        'url = "https://en.odfoundation.eu/"\ninterval = "6h"',
        'url = "https://en.odfoundation.eu/"\ninterval = 9223372036854775807',
        "cases/kozlov.toml:43: sources[0].interval: 9223372036854775807 is longer than 366 days",
        id="interval-2-to-the-63",
    ),
    pytest.param(
        "contacts.toml",
        'timezone = "Asia/Almaty"',
        'timezone = "America"',
        "contacts.toml:17: contacts[1].timezone: 'America' is not a time zone",
        id="time-zone-folder",
    ),
    pytest.param(
        "contacts.toml",
        'timezone = "Asia/Almaty"',
        'timezone = "' + "A" * 100_000 + '"',
        "contacts.toml:17: contacts[1].timezone: ",
        id="time-zone-100-kb",
    ),
    pytest.param(
        "monitor.toml",
        "# claim_lease_seconds = 300",
        "claim_lease_seconds = 9223372036854775807",
        "claim_lease_seconds: must be from 1 to 86400",
        id="lease-2-to-the-63",
    ),
    pytest.param(
        "monitor.toml",
        '# smtp_url = "smtp://monitor@mail.example.org:587"',
        'smtp_url = "smtp://monitor@mail.example.org:70000"',
        "mail.smtp_url: the port must be a number from 1 to 65535",
        id="smtp-port-out-of-range",
    ),
    pytest.param(
        "monitor.toml",
        'from = "Court Deadline Monitor <monitor@example.org>"',
        'from = "Monitor =?utf-8?q?=0A?= <monitor@example.org>"',
        'mail.from: holds "=?", the start of an encoded word',
        id="encoded-word-in-the-sender",
    ),
    pytest.param(
        "monitor.toml",
        "[database]",
        '[database]\nurl = "mysql://monitor@127.0.0.1/monitor"',
        "database.url: 'mysql' databases are not supported",
        id="unsupported-database",
    ),
    pytest.param(
        KOZLOV,
        "case_numbers = []",
        "case_numbers = " + "[" * 1000 + "]" * 1000,
        "cases/kozlov.toml: invalid TOML: arrays or tables nested too deeply",
        id="arrays-nested-1000-deep",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), REFUSED)
def test_config_check_refuses_with_file_line_and_key(
    run,  # type: ignore[no-untyped-def]
    config_dir: Path,
    file: str,
    old: str,
    new: str,
    message: str,
) -> None:
    replace(config_dir / file, old, new)
    check = run("config", "check")
    assert check.code == 1, check.out
    assert message in check.err, check.err
    assert "Traceback" not in check.err


def test_the_widest_values_config_check_accepts_sync_and_compute(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    replace(config_dir / KOZLOV, 'date = "2016-08-04"', 'date = "2199-12-31"')
    replace(config_dir / KOZLOV, 'rule = "kz-criminal-appeal-15d"', 'rule = "years:100"')
    replace(config_dir / KOZLOV, "execution_grace_days = 3", "execution_grace_days = 3650")
    replace(config_dir / KOZLOV, 'interval = "6h"', 'interval = "366d"')
    replace(
        config_dir / "monitor.toml", "# claim_lease_seconds = 300", "claim_lease_seconds = 86400"
    )
    assert run("config", "check").code == 0
    assert run("db", "upgrade").code == 0
    synced = run("sync")
    assert synced.code == 0, synced.err
    explained = run("explain", "kozlov")
    assert explained.code == 0, explained.err
    assert "31 Dec 2299" in explained.out


def test_an_address_config_check_accepts_can_be_written_in_a_header(run, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    replace(
        config_dir / "contacts.toml", 'email = "advocate@example.org"', 'email = "a..b@example.org"'
    )
    check = run("config", "check")
    assert check.code == 1
    assert "contacts[0].email: 'a..b@example.org' is not an email address" in check.err


def test_send_test_email_refuses_an_unwritable_address(run) -> None:  # type: ignore[no-untyped-def]
    result = run("send-test-email", "=?utf-8?q?x?=@example.org")
    assert result.code == 1
    assert result.err.startswith("error: ") and "Traceback" not in result.err
