"""TOML files that remember where each key was written.

``tomllib`` gives values but no positions, and an operator fixing a config file needs the line.
``TomlDocument`` parses with ``tomllib`` (the values are always tomllib's) and, separately,
scans the text for table headers and key assignments to map a key path such as
``("decisions", 0, "date")`` to the line it was written on. The scan only has to be right for
well-formed files, because a malformed one never gets past ``tomllib``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.errors import Problem

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_SYNTAX_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _split_key(raw: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", raw)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def format_path(path: KeyPath) -> str:
    """``("decisions", 0, "date")`` -> ``decisions[0].date``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class TomlDocument:
    path: Path
    label: str
    data: dict[str, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """The line a key was written on, or that of its nearest written parent."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return None

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.label, self.line_of(path), format_path(path), message)


def _index_lines(text: str) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}
    counters: dict[tuple[str, ...], int] = {}
    table: KeyPath = ()
    in_multiline: str | None = None
    depth = 0  # open brackets of a multi-line array or inline table
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if depth > 0:
            depth += line.count("[") + line.count("{") - line.count("]") - line.count("}")
            continue
        header = _HEADER.match(line)
        if header and not _ASSIGN.match(line):
            names = _split_key(header.group(2))
            resolved: list[str | int] = []
            for i, name in enumerate(names):
                resolved.append(name)
                prefix = tuple(names[: i + 1])
                is_last = i == len(names) - 1
                if header.group(1) == "[[" and is_last:
                    counters[prefix] = counters.get(prefix, -1) + 1
                    # A new element resets the counters of arrays nested below it.
                    for other in [
                        k for k in counters if len(k) > len(prefix) and k[: len(prefix)] == prefix
                    ]:
                        del counters[other]
                    resolved.append(counters[prefix])
                elif prefix in counters:
                    resolved.append(counters[prefix])
            table = tuple(resolved)
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            key = table + tuple(_split_key(assign.group(1)))
            lines.setdefault(key, number)
            rest = line[assign.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
            if not in_multiline:
                stripped = re.sub(r"\"[^\"]*\"|'[^']*'", "", rest.split("#")[0])
                depth = (
                    stripped.count("[")
                    + stripped.count("{")
                    - stripped.count("]")
                    - stripped.count("}")
                )
    return lines


def load_toml(path: Path, label: str | None = None) -> TomlDocument:
    """Parse one TOML file. Raises a ``Problem`` list wrapped by the caller on bad syntax."""
    label = label or path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TomlSyntaxError(
            Problem(label, None, "", f"is not UTF-8 text ({exc.reason})")
        ) from exc
    try:
        data = tomllib.loads(text)
    except RecursionError as exc:
        # tomllib recurses once per nested array or inline table.
        raise TomlSyntaxError(
            Problem(label, None, "", "invalid TOML: arrays or tables nested too deeply")
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        found = _SYNTAX_LINE.search(str(exc))
        message = _SYNTAX_LINE.sub("", str(exc)).strip()
        raise TomlSyntaxError(
            Problem(label, int(found.group(1)) if found else None, "", f"invalid TOML: {message}")
        ) from exc
    return TomlDocument(path=path, label=label, data=data, lines=_index_lines(text))


class TomlSyntaxError(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))
