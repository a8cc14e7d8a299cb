from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from billing.pricing import (
    add_months,
    add_months_to_datetime,
    format_yuan,
    parse_yuan,
    prorated_months,
    renewal_price_fen,
    upgrade_price_fen,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 5, 31), -3, date(2024, 2, 29)),
    ],
)
def test_adding_months_clamps_to_the_end_of_shorter_months(start, months, expected):
    assert add_months(start, months) == expected


def test_a_renewal_that_starts_on_the_31st_comes_back_to_the_31st():
    assert add_months(date(2024, 2, 29), 1, anchor_day=31) == date(2024, 3, 31)


def test_adding_months_keeps_the_local_wall_clock_time():
    start = datetime(2024, 1, 31, 14, 30, tzinfo=SHANGHAI)
    assert add_months_to_datetime(start, 1) == datetime(2024, 2, 29, 14, 30, tzinfo=SHANGHAI)


def test_whole_years_cost_the_yearly_price_and_the_rest_the_monthly_price():
    assert renewal_price_fen(monthly_fen=9900, yearly_fen=99000, months=1) == 9900
    assert renewal_price_fen(monthly_fen=9900, yearly_fen=99000, months=12) == 99000
    assert renewal_price_fen(monthly_fen=9900, yearly_fen=99000, months=14) == 99000 + 2 * 9900
    with pytest.raises(ValueError):
        renewal_price_fen(monthly_fen=9900, yearly_fen=99000, months=0)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 1, 31), date(2024, 2, 29), (1, 0, 31)),  # Jan 31 + 1 month = Feb 29 (leap)
        (date(2023, 1, 31), date(2023, 2, 28), (1, 0, 31)),
        (date(2024, 2, 1), date(2024, 2, 15), (0, 14, 29)),  # February of a leap year has 29 days
        (date(2023, 2, 1), date(2023, 2, 15), (0, 14, 28)),
        (date(2024, 1, 31), date(2024, 3, 15), (1, 15, 31)),  # Feb 29 → Mar 31 is a 31-day month
        (date(2024, 12, 20), date(2025, 1, 5), (0, 16, 31)),
        (date(2024, 5, 10), date(2024, 5, 10), (0, 0, 0)),
    ],
)
def test_the_remaining_period_splits_into_whole_months_and_days(start, end, expected):
    assert prorated_months(start, end) == expected


def test_an_upgrade_costs_the_difference_for_whole_months_plus_days_prorated_to_that_month():
    # 20000 fen more per month; Feb 1 → Feb 15 in a leap year is 14/29 of a month.
    assert (
        upgrade_price_fen(monthly_difference_fen=20000, start=date(2024, 2, 1), end=date(2024, 2, 15)) == 9655
    )
    # The same 14 days in a common year are 14/28 = half a month.
    assert (
        upgrade_price_fen(monthly_difference_fen=20000, start=date(2023, 2, 1), end=date(2023, 2, 15))
        == 10000
    )
    # One whole month (Jan 31 → Feb 29) and 15 of the 31 days to Mar 31.
    assert upgrade_price_fen(
        monthly_difference_fen=20000, start=date(2024, 1, 31), end=date(2024, 3, 15)
    ) == (20000 + 9677)
    # A full year left costs twelve monthly differences.
    assert (
        upgrade_price_fen(monthly_difference_fen=20000, start=date(2024, 2, 29), end=date(2025, 2, 28))
        == 240000
    )


def test_an_upgrade_to_a_cheaper_plan_or_with_no_time_left_costs_nothing():
    assert upgrade_price_fen(monthly_difference_fen=-100, start=date(2024, 1, 1), end=date(2024, 6, 1)) == 0
    assert upgrade_price_fen(monthly_difference_fen=20000, start=date(2024, 6, 1), end=date(2024, 6, 1)) == 0


def test_rounding_is_half_up_to_the_fen():
    # 1 fen difference for 15 of 30 days = 0.5 fen → 1 fen.
    assert upgrade_price_fen(monthly_difference_fen=1, start=date(2024, 6, 1), end=date(2024, 6, 16)) == 1


def test_yuan_are_formatted_and_parsed_exactly():
    assert format_yuan(0) == "0.00"
    assert format_yuan(123456) == "1,234.56"
    assert format_yuan(-5) == "-0.05"
    assert parse_yuan("99.5") == 9950
    assert parse_yuan(" ¥1,000 ") == 100000
    for bad in ("", "abc", "0", "-3", "1.005", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            parse_yuan(bad)
