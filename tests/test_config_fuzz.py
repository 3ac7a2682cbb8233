"""``config check`` never crashes: mutated config files get messages, accepted ones sync.

Each example takes the shipped config, mutates one of its files (a value replaced by another
of any TOML type, a line dropped, doubled or cut, bytes inserted, arrays nested deep) and
reads it as ``config check`` does. The outcome is either a catalog, which must then sync into
a real SQLite database, or ConfigError whose every problem names its file (and line and key
where the file could be parsed). Anything else, a traceback, fails the test.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from monitor.catalog import load_catalog
from monitor.db import make_engine, session_scope, upgrade
from monitor.errors import ConfigError
from monitor.settings import load_settings
from monitor.sync import sync_catalog
from tests.conftest import EXAMPLE_CONFIG

FILES = ("cases/kozlov.toml", "contacts.toml", "monitor.toml", "calendars.toml")
NOW = datetime(2016, 8, 5, 8, tzinfo=UTC)
_VALUE = re.compile(r"(=\s*)(.+)$")

toml_values = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.sampled_from(["true", "false", "inf", "nan", "0", "-1", "1e308"]),
    st.text(max_size=40).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.text(alphabet="\x00\x07\r\n\u2028\x85=?Б ", max_size=10)
    .map(repr)
    .map(lambda r: '"' + r[1:-1].replace('"', '\\"') + '"'),
    st.sampled_from(
        [
            '"9999-12-31"',
            "9999-12-31",
            '"0001-01-01"',
            "2016-08-04T10:00:00Z",
            "10:00:00",
            '"years:9999"',
            '"months:1200"',
            '"calendar-days:9999"',
            '"America"',
            '"' + "A" * 5000 + '"',
            '"../../etc/passwd"',
            '"=?utf-8?q?=0D=0ABcc:_x@example.net?="',
            '"javascript:alert(1)"',
            '"smtp://h:99999"',
            "{}",
            '{ roll = 1, bogus = 2, in_force = "x" }',
            "[]",
            '[1, "a", 2016-08-04]',
            "[[[[[[[[[[1]]]]]]]]]]",
            "[" * 600 + "]" * 600,
        ]
    ),
    st.integers(min_value=1, max_value=400).map(lambda n: "[" * n + "]" * n),
)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(FILES))
    lines = (EXAMPLE_CONFIG / name).read_text(encoding="utf-8").splitlines()
    index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    how = draw(
        st.sampled_from(["value", "value", "value", "drop", "double", "cut", "insert", "header"])
    )
    line = lines[index]
    if how == "value":
        assigned = [i for i, text in enumerate(lines) if _VALUE.search(text) and "=" in text]
        index = draw(st.sampled_from(assigned)) if assigned else index
        line = lines[index]
        lines[index] = _VALUE.sub(lambda m: m.group(1) + draw(toml_values), line, count=1)
    elif how == "drop":
        del lines[index]
    elif how == "double":
        lines.insert(index, line)
    elif how == "cut":
        lines[index] = line[: draw(st.integers(min_value=0, max_value=len(line)))]
    elif how == "insert":
        lines.insert(index, draw(st.text(max_size=30)))
    else:
        lines.insert(
            index, draw(st.sampled_from(["[[decisions]]", "[mail]", "[[contacts]]", "x = 1"]))
        )
    return name, "\n".join(lines) + "\n"


def check(config_dir: Path) -> object:
    """What ``config check`` does: settings and catalog, every problem from both."""
    problems = []
    try:
        load_settings(config_dir, environ={})
    except ConfigError as exc:
        problems.extend(exc.problems)
    try:
        catalog = load_catalog(config_dir)
    except ConfigError as exc:
        problems.extend(exc.problems)
        catalog = None
    if problems:
        raise ConfigError(problems)
    return catalog


def test_mutated_config_files_get_messages_or_sync(tmp_path: Path) -> None:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    upgrade(engine)
    counts = {"accepted": 0, "refused": 0}

    @settings(
        max_examples=600,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutation=mutations())
    def run(mutation: tuple[str, str]) -> None:
        name, text = mutation
        config_dir = tmp_path / "config"
        if config_dir.exists():
            shutil.rmtree(config_dir)
        shutil.copytree(EXAMPLE_CONFIG, config_dir)
        (config_dir / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            catalog = check(config_dir)
        except ConfigError as exc:
            counts["refused"] += 1
            assert exc.problems
            for problem in exc.problems:
                assert problem.file and problem.message
                assert "\n" not in str(problem)
            return
        counts["accepted"] += 1
        # Accepted means usable: it syncs (and is rolled back, to keep each example apart).
        with session_scope(engine) as session:
            sync_catalog(session, catalog, NOW)  # type: ignore[arg-type]
            session.rollback()

    run()
    assert counts["accepted"] + counts["refused"] >= 500
    assert counts["accepted"] > 0 and counts["refused"] > 0
    engine.dispose()
