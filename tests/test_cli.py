"""The command line as an operator meets it: output, JSON, one-line errors, documentation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import build_parser
from tests.conftest import ROOT


def commands() -> list[str]:
    """Every command and sub-command name, as typed: 'sync', 'db upgrade', ..."""
    found = []
    parser = build_parser()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
            if nested:
                found.extend(f"{name} {child}" for child in nested[0].choices)
            if sub.get_default("handler") is not None:
                found.append(name)
    return found


def test_every_command_is_in_the_readme_with_an_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in commands() if f"monitor {c}" not in readme]
    assert not missing, f"commands missing from README.md: {missing}"


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", *command.split(), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "example:\n  monitor " in result.stdout


def test_compute_json_is_exactly_one_object(run) -> None:  # type: ignore[no-untyped-def]
    result = run("compute", "kz-criminal-appeal-15d", "2016-08-04", "2016-06-21", "--json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["rule"] == "kz-criminal-appeal-15d"
    assert [r["trigger"] for r in payload["results"]] == ["2016-08-04", "2016-06-21"]
    first = {d["kind"]: d["date"] for d in payload["results"][0]["deadlines"]}
    assert first == {"appeal_until": "2016-08-19", "in_force": "2016-08-20"}
    assert set(payload["results"][0]["deadlines"][0]) == {"kind", "date", "explanation"}
    assert {d["kind"]: d["date"] for d in payload["results"][1]["deadlines"]}[
        "appeal_until"
    ] == "2016-07-07"


def test_compute_with_grace_and_jurisdiction(run) -> None:  # type: ignore[no-untyped-def]
    result = run("compute", "us-frcp-days:14", "2026-06-05", "--grace", "3", "--json")
    deadlines = {d["kind"]: d["date"] for d in json.loads(result.out)["results"][0]["deadlines"]}
    assert deadlines == {
        "appeal_until": "2026-06-22",
        "in_force": "2026-06-23",
        "execution_due": "2026-06-26",
    }
    text = run("compute", "months:1", "2016-01-31", "--jurisdiction", "KZ")
    assert "appeal_until: Mon 29 Feb 2016" in text.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("compute", "kz-nonsense", "2016-08-04"), "error: unknown rule 'kz-nonsense'"),
        (
            ("compute", "kz-criminal-appeal-15d", "2016-13-04"),
            "'2016-13-04' is not a date (expected YYYY-MM-DD)",
        ),
        (("compute", "calendar-days:10", "2016-08-04"), "needs --jurisdiction"),
        (
            ("compute", "calendar-days:10", "2016-08-04", "--jurisdiction", "ZZ"),
            "'ZZ' is not a jurisdiction",
        ),
        (("explain", "nobody"), "error: the database is empty"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.code != 0
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.out == ""


def test_explain_prints_each_deadline_and_how_it_was_computed(run) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").code == 0
    assert run("sync").code == 0
    result = run("explain", "kozlov")
    assert result.code == 0
    assert (
        "decision release-2016-08-04: release, Kapshagai City Court of Almaty Province, Thu 4 Aug 2016"
        in result.out
    )
    flat = " ".join(result.out.split())
    assert "appeal_until: Fri 19 Aug 2016" in flat
    assert "in_force: Sat 20 Aug 2016" in flat
    assert "execution_due: Tue 23 Aug 2016" in flat
    assert (
        "decision pronounced Thu 4 Aug 2016; 15 days counted from Fri 5 Aug 2016; day 15 is Fri 19 Aug 2016;"
        " Fri 19 Aug 2016 is a working day in Kazakhstan: last day to appeal is Fri 19 Aug 2016"
        " (kz-criminal-appeal-15d: CrPC of Kazakhstan art. 418 part 1, art. 48 parts 2-4, art. 470 part 1)"
    ) in flat
    missing = run("explain", "nobody")
    assert missing.code == 1 and "no case 'nobody'" in missing.err


def test_sync_prints_what_it_did_then_nothing(run) -> None:  # type: ignore[no-untyped-def]
    run("db", "upgrade")
    first = run("sync")
    assert "added      case kozlov" in first.out
    assert "reminders  6 planned, 0 skipped" in first.out
    second = run("sync")
    assert second.out.strip() == "nothing to change: the database already matches the config"


def test_cases_and_deadlines_tables_and_json(run) -> None:  # type: ignore[no-untyped-def]
    run("db", "upgrade")
    run("sync")
    cases = json.loads(run("cases", "--json").out)
    assert cases["cases"][0]["id"] == "kozlov"
    assert cases["cases"][0]["next_deadline"] == {"kind": "appeal_until", "date": "2016-08-19"}
    within = json.loads(run("deadlines", "--within", "14d", "--json").out)["deadlines"]
    assert [(d["kind"], d["date"], d["days_left"]) for d in within] == [
        ("appeal_until", "2016-08-19", 14)
    ]
    table = run("deadlines", "--within", "30d").out
    assert "in_force       Sat 20 Aug 2016 (?)  in 15 days" in table
    later = json.loads(run("deadlines", "--json", now="2026-11-25T10:00:00+00:00").out)
    assert later == {"deadlines": []}
    assert (
        len(
            json.loads(run("deadlines", "--all", "--json", now="2026-11-25T10:00:00+00:00").out)[
                "deadlines"
            ]
        )
        == 3
    )


def test_record_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    run("db", "upgrade")
    run("sync")
    result = run("record", "kozlov", "--executed", "2016-08-20", now="2016-08-20T15:00:00+00:00")
    assert result.code == 0, result.err
    assert "executed on Sat 20 Aug 2016" in result.out
    assert "reminders: 2 cancelled" in result.out
    future = run("record", "kozlov", "--executed", "2016-08-30", now="2016-08-20T15:00:00+00:00")
    assert future.code == 1 and "is in the future" in future.err
    events = json.loads(run("events", "--case", "kozlov", "--json").out)["events"]
    assert events[-1]["kind"] == "fact_recorded"


def test_commands_refuse_an_outdated_schema_with_a_clear_message(run) -> None:  # type: ignore[no-untyped-def]
    result = run("sync")
    assert result.code == 1
    assert "run `monitor db upgrade` first" in result.err
    assert run("db", "check").code == 1
    run("db", "upgrade")
    assert run("db", "check").code == 0


def test_python_dash_m_monitor_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("monitor ")


def test_the_example_runs_from_a_fresh_folder(tmp_path: Path) -> None:
    """The README's first command, in a subprocess, with a private database."""
    env = {**os.environ, "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    for args in (["db", "upgrade"], ["sync"], ["deadlines", "--all"]):
        result = subprocess.run(
            [sys.executable, "-m", "monitor", "--config", str(ROOT / "config"), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert "Sat 20 Aug 2016" in result.stdout
