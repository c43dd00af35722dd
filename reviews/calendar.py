"""A meeting as an iCalendar file (RFC 5545): one all-day event on the day it is held."""

import datetime

from django.utils import timezone


def _text(value: str) -> str:
    """Escape a TEXT value and keep it on logical lines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets; continuation lines begin with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 74:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def event(meeting, *, url: str) -> str:
    day = meeting.held_on
    agenda = "\n".join(
        f"議題{item.order}: {item.initiative.title}"
        for item in meeting.agenda.select_related("initiative").order_by("order")
    )
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//DX portal//meetings//JA",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{url.split('/')[2] if '//' in url else 'portal'}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_text(str(meeting))}",
        f"LOCATION:{_text(meeting.place)}" if meeting.place else "",
        f"DESCRIPTION:{_text(agenda)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines if line) + "\r\n"
