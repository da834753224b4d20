"""Public holidays: the `holidays` package's answers, with only the countries a catalog
names imported (the package imports all ~250 at once, which made every command slower)."""

from __future__ import annotations

import subprocess
import sys

import holidays
import pytest

from itsmctl.timecalc import (
    holiday_countries,
    holiday_subdivisions,
    public_holidays,
)


@pytest.mark.parametrize("country, subdivision", [
    ("US", None), ("US", "CA"), ("DE", "BY"), ("GB", "SCT"), ("UK", None), ("CH", "ZH"),
    ("GP", None), ("FR", None), ("JP", None), ("USA", None), ("IN", None),
])
def test_the_same_holidays_as_the_package_says(country: str, subdivision: str | None) -> None:
    for year in (2024, 2026, 2031):
        expected = {day: str(name) for day, name in
                    holidays.country_holidays(country, subdiv=subdivision, years=year).items()}
        assert public_holidays(country, subdivision, year) == expected


def test_countries_and_subdivisions_are_the_packages() -> None:
    supported = holidays.list_supported_countries()  # imports every country: a test only
    assert sorted(holiday_countries()) == sorted(supported)
    for country in ("US", "DE", "GB", "AU", "BR"):
        assert holiday_subdivisions(country) == supported[country]
    assert holiday_subdivisions("XX") is None
    assert holiday_subdivisions("HolidaysAX") is None  # a class alias is not a country code


def test_unknown_country_is_a_plain_error() -> None:
    with pytest.raises(ValueError, match="no public holidays are known for country 'XX'"):
        public_holidays("XX", None, 2026)


def test_only_the_countries_named_are_imported() -> None:
    script = (
        "import sys, datetime as dt\n"
        "from itsmctl.timecalc import Clock, holiday_subdivisions\n"
        "assert holiday_subdivisions('DE')\n"
        "clock = Clock('Europe/Berlin', hours={'mon': ['09:00-17:00']}, public=('DE', 'BY'))\n"
        "assert clock.holiday(dt.date(2026, 12, 25)) is not None\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "['holidays.countries.germany']"


def test_unknown_subdivision_is_a_plain_error() -> None:
    with pytest.raises(ValueError, match="no public holidays are known for subdivision 'YY' "
                                         "of GB"):
        public_holidays("GB", "YY", 2026)
