"""Numbers as the portal writes them, in pages, files and mails alike."""

from decimal import Decimal


def decimal_text(value: Decimal | None, *, grouping: bool = False) -> str:
    """A decimal without trailing zeros or exponent: 600.00 -> "600", 12.50 -> "12.5";
    with grouping, 12000.00 -> "12,000". None -> ""."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), ",f" if grouping else "f")
