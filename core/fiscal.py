"""Japanese fiscal years (April to March) and their 和暦 names.

A fiscal year is stored as an int: the western year it starts in (FY2025 = 2025-04-01 to
2026-03-31). It is shown as 「令和7年度（2025年度）」.
"""

import datetime

# (era name, first day). Newest last.
ERAS = (
    ("明治", datetime.date(1868, 10, 23)),
    ("大正", datetime.date(1912, 7, 30)),
    ("昭和", datetime.date(1926, 12, 25)),
    ("平成", datetime.date(1989, 1, 8)),
    ("令和", datetime.date(2019, 5, 1)),
)
FISCAL_YEAR_START_MONTH = 4


def fiscal_year(day: datetime.date) -> int:
    """The fiscal year a date falls in: 2026-03-31 -> 2025, 2026-04-01 -> 2026."""
    if isinstance(day, datetime.datetime):
        raise TypeError("pass a date (timezone.localdate()), not a datetime")
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a fiscal year."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def _era_year(name: str, start: datetime.date, year: int) -> str:
    number = year - start.year + 1
    return f"{name}{'元' if number == 1 else number}年"


def wareki_date(day: datetime.date) -> str:
    """A date in 和暦: 2019-04-30 -> 平成31年4月30日, 2019-05-01 -> 令和元年5月1日."""
    for name, start in reversed(ERAS):
        if day >= start:
            return f"{_era_year(name, start, day.year)}{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def wareki_fiscal_year(year: int) -> str:
    """和暦 name of a fiscal year, without the western year: 2019 -> 令和元年度.

    A fiscal year takes the name of the era its calendar year is counted in once that era has
    begun, as the government does: FY2019 began under 平成 but is called 令和元年度; FY1988 is
    昭和63年度 because 平成 only began in January 1989.
    """
    for name, start in reversed(ERAS):
        if start.year <= year:
            return f"{_era_year(name, start, year)}度"
    return f"{year}年度"


def format_fiscal_year(year: int | None) -> str:
    """「令和7年度（2025年度）」."""
    if year is None or year == "":
        return ""
    year = int(year)
    return f"{wareki_fiscal_year(year)}（{year}年度）"
