"""Every example in the README's command list runs as written on a fresh copy of the project."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import ROOT

# Long-running, or fetching from the web: not run here.
NOT_RUN = (
    "monitor worker",
    "monitor poll",
    "monitor snapshots",
    "monitor snapshot ",
    "monitor sources test",
)
# Health checks that say "not healthy" with their exit code.
EXIT_1 = ("monitor status",)


def examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Examples, in order,", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("monitor ")]


def test_the_readme_examples_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "config", project / "config")
    shutil.copytree(ROOT / "tests" / "fixtures", project / "tests" / "fixtures")
    for var in ("MONITOR_DATABASE_URL", "DATABASE_URL", "MONITOR_SMTP_URL", "MONITOR_CONFIG_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(project)
    ran = 0
    for line in examples():
        if line.startswith(NOT_RUN):
            continue
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(shlex.split(line)[1:])
        expected = 1 if line.startswith(EXIT_1) else 0
        assert code == expected, f"{line}: exit {code}\n{err.getvalue()}"
        assert not re.search(r"Traceback", err.getvalue())
        ran += 1
    assert ran >= 25
