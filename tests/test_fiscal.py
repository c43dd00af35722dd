import datetime

import pytest

from core.fiscal import fiscal_year, fiscal_year_bounds, format_fiscal_year, wareki_date
from core.templatetags.portal_tags import fiscal_year as fiscal_year_filter
from core.templatetags.portal_tags import wareki

D = datetime.date


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (D(2025, 4, 1), 2025),
        (D(2026, 3, 31), 2025),
        (D(2026, 4, 1), 2026),
        (D(2025, 12, 31), 2025),
        (D(2026, 1, 1), 2025),
        (D(2019, 4, 30), 2019),
        (D(2019, 3, 31), 2018),
    ],
)
def test_fiscal_year_runs_april_to_march(day, year):
    assert fiscal_year(day) == year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2025) == (D(2025, 4, 1), D(2026, 3, 31))


def test_fiscal_year_refuses_datetimes():
    with pytest.raises(TypeError):
        fiscal_year(datetime.datetime(2025, 4, 1, 0, 30))


@pytest.mark.parametrize(
    ("year", "text"),
    [
        (2025, "令和7年度（2025年度）"),
        (2019, "令和元年度（2019年度）"),  # began under 平成 (2019-04-01) but is 令和元年度
        (2020, "令和2年度（2020年度）"),
        (2018, "平成30年度（2018年度）"),
        (1989, "平成元年度（1989年度）"),
        (1988, "昭和63年度（1988年度）"),
        (2023, "令和5年度（2023年度）"),
    ],
)
def test_fiscal_year_in_wareki(year, text):
    assert format_fiscal_year(year) == text


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2020, 1, 1), "令和2年1月1日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(2023, 12, 1), "令和5年12月1日"),
    ],
)
def test_dates_in_wareki_at_era_boundaries(day, text):
    assert wareki_date(day) == text


def test_template_filter_turns_a_date_into_its_fiscal_year():
    assert fiscal_year_filter(D(2019, 4, 30)) == "令和元年度（2019年度）"
    assert fiscal_year_filter(D(2026, 3, 31)) == "令和7年度（2025年度）"
    assert fiscal_year_filter(D(2026, 4, 1)) == "令和8年度（2026年度）"
    assert fiscal_year_filter(2025) == "令和7年度（2025年度）"
    assert fiscal_year_filter(None) == ""


def test_template_filter_uses_tokyo_time_for_aware_datetimes(settings):
    # 2026-03-31 16:00 UTC is already 2026-04-01 in Tokyo: the new fiscal year.
    moment = datetime.datetime(2026, 3, 31, 16, 0, tzinfo=datetime.UTC)
    assert fiscal_year_filter(moment) == "令和8年度（2026年度）"
    assert wareki(moment) == "令和8年4月1日"
