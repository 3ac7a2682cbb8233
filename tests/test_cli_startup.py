"""`monitor --help` and `--version` import none of the heavy libraries the commands use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor import cli

HEAVY = ("sqlalchemy", "alembic", "jinja2", "holidays", "requests", "apscheduler", "icalendar")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["deadlines", "--help"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from monitor.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_parsers_copies_match_the_models_and_the_rules() -> None:
    from monitor.deadlines.rules import PRESET_HELP
    from monitor.models import NOTIFICATION_STATUSES

    assert cli.NOTIFICATION_STATUSES == NOTIFICATION_STATUSES
    assert cli.PRESET_HELP == PRESET_HELP


def test_every_command_names_a_function_of_the_commands_module() -> None:
    from monitor import commands

    parser = cli.build_parser()
    handlers = set()
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:
            if isinstance(action, type(parser._subparsers._actions[-1])):  # type: ignore[union-attr]
                stack.extend(action.choices.values())  # type: ignore[union-attr]
        handler = current.get_default("handler")
        if handler:
            handlers.add(handler)
    assert handlers and all(callable(getattr(commands, h)) for h in handlers)


def test_a_worker_is_ready_to_send_without_alembic_or_the_sources_machinery(
    tmp_path: Path, config_dir: Path
) -> None:
    """Start-up checks the schema without loading Alembic, and the sources' HTTP stack and
    extraction are loaded at the first poll, not before the first email."""
    from monitor.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'ready.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    probe = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from apscheduler.schedulers.background import BackgroundScheduler\n"
        "from monitor.db import make_engine\n"
        "from monitor.settings import load_settings\n"
        "from monitor.worker import Worker\n"
        f"url, config = {url!r}, Path({str(config_dir)!r})\n"
        "worker = Worker(make_engine(url), load_settings(config, {'MONITOR_DATABASE_URL': url}))\n"
        "worker.start(datetime(2016, 8, 5, 8, 0, tzinfo=UTC))\n"
        "worker.schedule(BackgroundScheduler)\n"
        "print(sorted(m for m in ('alembic', 'requests', 'monitor.sources.poll',"
        " 'monitor.sources.extract') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
