"""The secretariat's review and the meetings' results, one transaction each, audited.

Every state change of an initiative goes through the initiatives app's transition service.
"""

from .consolidation import can_undo, consolidate, proposing_departments, undo_consolidation
from .corrections import correct_decision, correct_opinion
from .meetings import (
    add_agenda_item,
    create_meeting,
    record_decision,
    record_opinion,
    save_minutes,
)
from .review import (
    ReviewError,
    classify,
    return_for_revision,
    save_checklist_review,
    start_review,
)

__all__ = [
    "ReviewError",
    "add_agenda_item",
    "can_undo",
    "classify",
    "consolidate",
    "correct_decision",
    "correct_opinion",
    "create_meeting",
    "proposing_departments",
    "record_decision",
    "record_opinion",
    "return_for_revision",
    "save_checklist_review",
    "save_minutes",
    "start_review",
    "undo_consolidation",
]
