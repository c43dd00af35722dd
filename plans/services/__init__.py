"""Writes of the 実施計画 and of the PDCA follow-up, one transaction each, audited; an
initiative's own state changes go through the initiatives app's transition service."""

from .notes import NOTE_FIELDS, record_note
from .placement import PlanError, place, register_continuing, revise, transfer_owner
from .reports import (
    REPORT_FIELDS,
    report_transition,
    review_report,
    save_report,
    send_reminders,
    submit_report,
)

__all__ = [
    "NOTE_FIELDS",
    "REPORT_FIELDS",
    "PlanError",
    "place",
    "record_note",
    "register_continuing",
    "report_transition",
    "review_report",
    "revise",
    "save_report",
    "send_reminders",
    "submit_report",
    "transfer_owner",
]
