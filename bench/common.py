"""Figures, targets and the table: every figure a median of at least five runs, every
comparison a ratio against a baseline measured in the same run."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNS = 5


@dataclass
class Figure:
    name: str
    n: int
    values: list[float]
    unit: str

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": self.n,
            "median": self.median,
            "min": min(self.values),
            "max": max(self.values),
            "unit": self.unit,
        }


@dataclass
class Target:
    name: str
    value: float
    target: str
    met: bool
    note: str = ""

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "target": self.target, "met": self.met}


@dataclass
class Report:
    quick: bool
    figures: list[Figure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def measure(
        self, name: str, n: int, unit: str, run: Callable[[], float], runs: int = RUNS
    ) -> Figure:
        """``run`` returns one measurement; it is called ``runs`` times."""
        figure = Figure(name, n, [run() for _ in range(runs)], unit)
        self.figures.append(figure)
        print(f"  {name:58} n={n:<8} median {fmt(figure.median)} {unit}", flush=True)
        return figure

    def add(self, name: str, n: int, unit: str, values: list[float]) -> Figure:
        figure = Figure(name, n, values, unit)
        self.figures.append(figure)
        print(f"  {name:58} n={n:<8} median {fmt(figure.median)} {unit}", flush=True)
        return figure

    def target(self, name: str, value: float, target: str, met: bool, note: str = "") -> None:
        self.targets.append(Target(name, value, target, met, note))
        print(f"  target {name}: {fmt(value)} ({target}) {'met' if met else 'MISSED'}", flush=True)

    def table(self) -> str:
        lines = [
            f"machine: {machine()}",
            "",
            "| figure | n | median | min | max | unit |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for f in self.figures:
            lines.append(
                f"| {f.name} | {f.n} | {fmt(f.median)} | {fmt(min(f.values))} | {fmt(max(f.values))} | {f.unit} |"
            )
        lines += ["", "| target | value | goal | met |", "| --- | ---: | --- | --- |"]
        for t in self.targets:
            lines.append(
                f"| {t.name} | {fmt(t.value)} | {t.target} | {'yes' if t.met else '**no**'} |"
            )
        return "\n".join(lines)

    def write_json(self, path: Path) -> None:
        records = [f.record() for f in self.figures] + [t.record() for t in self.targets]
        path.write_text(json.dumps(records, indent=2), encoding="utf-8")


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4g}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
