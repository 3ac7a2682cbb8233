"""``python -m bench [--quick] [--json PATH] [--only NAME ...]``: print figures and targets.

Never part of the test pass/fail: these are measurements, on machines that are shared and
noisy, so every comparison is a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench import extraction, io, naive, schedule, startup
from bench.common import Report

SECTIONS = ("schedule", "naive", "mail", "polling", "extraction", "idle", "startup")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: under a minute")
    parser.add_argument("--json", metavar="PATH", help="write one record per figure and per target")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("MONITOR_TEST_POSTGRES_URL"),
        help="PostgreSQL URL for the schedule section (default: MONITOR_TEST_POSTGRES_URL; none: SQLite only)",
    )
    args = parser.parse_args()
    report = Report(quick=args.quick)
    started = time.perf_counter()
    wanted = args.only or list(SECTIONS)
    postgres = None if args.quick else args.postgres

    def extraction_sections() -> None:
        io.extraction(report)
        extraction.run(report)

    runners = {
        "schedule": lambda: schedule.run(report, postgres),
        "naive": lambda: naive.run(report),
        "mail": lambda: io.mail(report, postgres),
        "polling": lambda: io.polling(report),
        "extraction": extraction_sections,
        "idle": lambda: io.idle(report),
        "startup": lambda: startup.run(report),
    }
    for name in SECTIONS:
        if name in wanted and not (args.quick and name == "idle"):
            runners[name]()
    print()
    print(report.table())
    print(
        f"\n{len(report.figures)} figures, {sum(t.met for t in report.targets)}/{len(report.targets)} targets met"
        f" in {time.perf_counter() - started:.0f} s"
    )
    if args.json:
        report.write_json(Path(args.json))
        print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
