"""A court calendar loads its own country's holidays and no other country's, with the same
days and names as the ``holidays`` package gives when it loads them all."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import holidays
import pytest

from monitor.deadlines.calendars import check_jurisdiction

CASES = [("KZ", None, "en"), ("KZ", None, "ru"), ("US", "NY", "en"), ("RU", None, "ru")]
YEARS = range(2015, 2031)

CHILD = """
import json, sys
from datetime import date
from monitor.deadlines.calendars import CourtCalendar, _holiday_calendar
cases = json.loads(sys.argv[1])
CourtCalendar("KZ").is_working_day(date(2016, 3, 7))
out = {}
for country, subdiv, language in cases:
    calendar = _holiday_calendar(country, subdiv, language)
    for year in range(2015, 2031):
        calendar.get(date(year, 1, 1))
    out[f"{country}-{subdiv}-{language}"] = {d.isoformat(): n for d, n in sorted(calendar.items())}
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
print(json.dumps({"loaded": loaded, "days": out}))
"""


def test_a_calendar_loads_its_country_alone_with_the_packages_days_and_names() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(CASES)],
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
