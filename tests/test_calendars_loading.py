"""A court calendar loads its own country's holidays and no other country's, with the same
days and names as the ``holidays`` package gives when it loads them all."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import holidays
import pytest
from holidays.registry import COUNTRIES

from monitor.deadlines.calendars import check_jurisdiction

CASES = [("KZ", None, "en"), ("KZ", None, "ru"), ("US", "NY", "en"), ("RU", None, "ru")]
YEARS = range(2015, 2031)

CHILD = """
import json, sys
from datetime import date
from monitor.deadlines.calendars import CourtCalendar, _country_class, _holiday_calendar
first = json.loads(sys.argv[1])
CourtCalendar("KZ").is_working_day(date(2016, 3, 7))
out = {}
for country, subdiv, language in first:
    calendar = _holiday_calendar(country, subdiv, language)
    for year in range(2015, 2031):
        calendar.get(date(year, 1, 1))
    out[f"{country}-{subdiv}-{language}"] = {d.isoformat(): n for d, n in sorted(calendar.items())}
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
# Then every country, those that stand alone first (loaded alone), then those built on
# another country's module; each gives the package's days.
every = {}
for code in sorted(json.loads(sys.argv[2]), key=lambda c: c in json.loads(sys.argv[3])):
    country_class = _country_class(code)
    days = country_class(years=2026)
    every[code] = [list(country_class.subdivisions), {d.isoformat(): n for d, n in days.items()}]
print(json.dumps({"loaded": loaded, "days": out, "every": every}))
"""


def _builds_on_another_country(module: str) -> bool:
    path = Path(holidays.__file__).parent / "countries" / f"{module}.py"
    return "holidays.countries" in path.read_text(encoding="utf-8")


def test_calendars_load_their_country_alone_with_the_packages_days_and_names() -> None:
    codes = {codes[0]: module for module, (_, *codes) in COUNTRIES.items()}
    dependent = [code for code, module in codes.items() if _builds_on_another_country(module)]
    assert dependent  # the package has some; they must work too
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            json.dumps(CASES),
            json.dumps(list(codes)),
            json.dumps(dependent),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["loaded"] == [
        "holidays.countries.kazakhstan",
        "holidays.countries.russia",
        "holidays.countries.united_states",
    ]
    for country, subdiv, language in CASES:
        probe = holidays.country_holidays(country, subdiv=subdiv)
        chosen = language if language in probe.supported_languages else "en_US"
        expected = holidays.country_holidays(
            country, subdiv=subdiv, language=chosen, years=list(YEARS)
        )
        assert found["days"][f"{country}-{subdiv}-{language}"] == {
            d.isoformat(): n for d, n in sorted(expected.items())
        }, (country, subdiv, language)
    for code in codes:
        days = holidays.country_holidays(code, years=2026)
        assert found["every"][code] == [
            list(getattr(holidays, code).subdivisions),
            {d.isoformat(): n for d, n in days.items()},
        ], code


def test_every_jurisdiction_the_package_knows_is_accepted_and_no_other() -> None:
    for country, subdivisions in holidays.list_supported_countries().items():
        assert check_jurisdiction(country) is None, country
        for subdiv in subdivisions:
            assert check_jurisdiction(f"{country}-{subdiv}") is None, (country, subdiv)
    assert check_jurisdiction("ECHR") is None


@pytest.mark.parametrize("code", ["XX", "kz", "KZ-NOPE", "ECHR-1", "", "KAZAKHSTAN"])
def test_an_unknown_jurisdiction_or_subdivision_is_refused(code: str) -> None:
    assert check_jurisdiction(code) is not None


def test_a_transferred_day_off_is_still_known() -> None:
    from monitor.deadlines.calendars import CourtCalendar

    assert not CourtCalendar("KZ").is_working_day(date(2016, 3, 7))


@pytest.mark.parametrize("code", ["AX", "GU", "PR"])
def test_a_country_built_on_another_countrys_calendar_loads_first_in_a_process(
    code: str,
) -> None:
    """Åland builds on Finland, Guam and Puerto Rico on the United States: their modules load
    the package, so they cannot be loaded alone; asked for first, they must still work."""
    child = (
        "import json, sys; from datetime import date;"
        " from monitor.deadlines.calendars import CourtCalendar;"
        f" calendar = CourtCalendar({code!r}); calendar.is_working_day(date(2026, 1, 1));"
        " print(json.dumps({d.isoformat(): n for d, n in calendar._holidays.items()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    probe = holidays.country_holidays(code)
    language = "en_US" if "en_US" in probe.supported_languages else None
    expected = holidays.country_holidays(code, language=language, years=2026)
    assert json.loads(result.stdout) == {d.isoformat(): n for d, n in expected.items()}
