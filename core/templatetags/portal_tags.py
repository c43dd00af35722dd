"""Formatting filters only; no queries here."""

import datetime

from django import template
from django.utils import timezone

from core import fiscal
from core.formatting import decimal_text

register = template.Library()


@register.filter
def fiscal_year(value):
    """A date or datetime, or a fiscal-year int, shown as 令和7年度（2025年度）."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        value = fiscal.fiscal_year(value)
    return fiscal.format_fiscal_year(value)


@register.filter
def fiscal_year_past(value):
    """A fiscal year (int) that has ended by today: an edition past its 推進期間."""
    return value not in (None, "") and fiscal.fiscal_year(timezone.localdate()) > int(value)


@register.filter
def wareki(value):
    """A date in 和暦: 令和7年4月1日."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return fiscal.wareki_date(value)


@register.filter
def yen(value):
    """12345 -> 12,345円."""
    if value in (None, ""):
        return "—"
    return f"{int(value):,}円"


@register.filter
def widget(field):
    """Render a form field's widget tied to its help text and errors for screen readers."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def number(value):
    """A decimal without trailing zeros: 600.00 -> 600, 12.50 -> 12.5."""
    return decimal_text(value)


@register.filter
def elided_pages(paginator, number):
    """The page numbers to link, with Paginator.ELLIPSIS for the gaps: a few however many pages
    there are (a loop over every page costs a template's time per page)."""
    return paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
