"""Start-up of the commands people type most: `monitor --help` and `monitor status`.

Each is a fresh process; the baseline is a bare `python -c pass` in the same run, so the
ratio says what our imports cost on this machine whatever its speed today.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Report

ROOT = Path(__file__).resolve().parent.parent
HELP_TARGET_S = 0.25


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def run(report: Report) -> None:
    print("startup", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "config", project / "config")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
        python = sys.executable
        subprocess.run(
            [python, "-m", "monitor", "db", "upgrade"],
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
        )
        bare = report.measure(
            "python -c pass", 1, "s", lambda: _run([python, "-c", "pass"], project, env)
        )
        help_ = report.measure(
            "monitor --help",
            1,
            "s",
            lambda: _run([python, "-m", "monitor", "--help"], project, env),
        )
        status = report.measure(
            "monitor status",
            1,
            "s",
            lambda: _run([python, "-m", "monitor", "status"], project, env),
        )
    report.target(
        "monitor --help start-up",
        help_.median,
        f"<= {HELP_TARGET_S} s",
        help_.median <= HELP_TARGET_S,
    )
    report.target(
        "monitor --help / python -c pass",
        help_.median / bare.median,
        "ratio, lower is better",
        True,
    )
    report.target(
        "monitor status / python -c pass",
        status.median / bare.median,
        "ratio, lower is better",
        True,
    )
