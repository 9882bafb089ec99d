import datetime as dt

import pytest

from core.thaidate import (
    default_as_of,
    fiscal_year_bounds,
    fiscal_year_of,
    format_be_numeric,
    format_thai_date,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/03/2563", dt.date(2020, 3, 15)),
        ("2563-03-15", dt.date(2020, 3, 15)),
        ("15/03/2020", dt.date(2020, 3, 15)),
        ("2020-03-15", dt.date(2020, 3, 15)),
        ("๑๕/๐๓/๒๕๖๓", dt.date(2020, 3, 15)),
        (" 1/3/2563 ", dt.date(2020, 3, 1)),
        ("29/02/2563", dt.date(2020, 2, 29)),
    ],
)
def test_it_parses_be_ce_and_thai_digit_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2562", "abc", "2563/13/01", "", "32/01/2563"])
def test_it_refuses_what_is_no_date_with_a_thai_message(text):
    with pytest.raises(ValueError, match="วันที่"):
        parse_date(text)


def test_it_formats_dates_in_thai_with_be_years():
    assert format_thai_date(dt.date(2020, 3, 12)) == "12 มี.ค. 2563"
    assert format_thai_date(dt.date(2020, 3, 12), long=True) == "12 มีนาคม 2563"
    assert format_be_numeric(dt.date(2020, 3, 1)) == "01/03/2563"


def test_fiscal_years_start_in_october():
    assert fiscal_year_bounds(2563) == (dt.date(2019, 10, 1), dt.date(2020, 9, 30))
    assert fiscal_year_of(dt.date(2019, 9, 30)) == 2562
    assert fiscal_year_of(dt.date(2019, 10, 1)) == 2563
    assert fiscal_year_of(dt.date(2020, 9, 30)) == 2563


def test_the_default_as_of_date_is_the_years_end_or_today():
    assert default_as_of(2563, today=dt.date(2026, 1, 1)) == dt.date(2020, 9, 30)
    assert default_as_of(2563, today=dt.date(2020, 3, 1)) == dt.date(2020, 3, 1)


def test_an_aware_time_is_dated_in_bangkok():
    """18:30 UTC on 11 March is 01:30 on 12 March in Asia/Bangkok: the 12th, not the 11th."""
    from core.thaidate import format_thai_date

    late = dt.datetime(2020, 3, 11, 18, 30, tzinfo=dt.UTC)
    assert format_thai_date(late, lang="th") == "12 มี.ค. 2563"
