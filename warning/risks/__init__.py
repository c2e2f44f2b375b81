"""The escort programme's risk register: cases, deadlines, legal status and reminders."""

from warning.risks.auto_open import auto_open_cases
from warning.risks.cases import (
    ACTIONS,
    SEVERITIES,
    STATUSES,
    CaseError,
    add_note,
    close_case,
    open_case,
    recompute_deadlines,
    update_case,
)
from warning.risks.legal import refresh_legal_status
from warning.risks.reminders import queue_reminders

__all__ = [
    "ACTIONS",
    "SEVERITIES",
    "STATUSES",
    "CaseError",
    "add_note",
    "auto_open_cases",
    "close_case",
    "open_case",
    "queue_reminders",
    "recompute_deadlines",
    "refresh_legal_status",
    "update_case",
]
