"""Deadline reminders to case owners, through the alerts outbox, exactly once per window."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from warning.delivery.queue import enqueue, notice_rows
from warning.risks.cases import recompute_deadlines
from warning.risks.deadlines import LABELS
from warning.risks.notify import case_brief, case_recipient, case_row
from warning.store import risks as store

log = logging.getLogger(__name__)


def due_window(deadline: date, today: date, reminder_days: tuple[int, ...]) -> int | None:
    """The nearest reminder window already open for a deadline not yet past, else None.

    With windows (30, 7, 1) and a deadline five days away the 7-day window is the one due: the
    30-day one has been overtaken, so a case opened late gets one reminder, not two.
    """
    if today > deadline:
        return None
    open_windows = [d for d in reminder_days if today >= deadline - timedelta(days=d)]
    return min(open_windows) if open_windows else None


def queue_reminders(app: Any, today: date | None = None) -> dict[str, int]:
    """Queue a reminder to each open case's owner for every deadline whose reminder window is due.

    The outbox key ``reminder:{case}:{deadline kind}:{reminder date}:{recipient}:{channel}:{address}``
    makes a second run the same day, or any later day in the same window, add nothing.
    """
    today = today or date.today()
    days = tuple(sorted({int(d) for d in app.config.risks.reminder_days if int(d) >= 0}, reverse=True))
    counts = {
        "cases": 0,
        "due": 0,
        "queued": 0,
        "already_queued": 0,
        "no_recipient": 0,
        "deadlines_changed": 0,
    }
    if not days:
        return counts
    # A B1 ingested since the case was opened on its A1 moves the deadlines: remind on fresh ones.
    for case in store.open_cases(app.db):
        counts["deadlines_changed"] += len(recompute_deadlines(app.db, case["id"], today=today))
    horizon = today + timedelta(days=max(days))
    due = store.open_deadlines_between(app.db, today.isoformat(), horizon.isoformat())
    counts["cases"] = len({row["case_id"] for row in due})
    for row in due:
        deadline = date.fromisoformat(row["date"])
        window = due_window(deadline, today, days)
        if window is None:
            continue
        counts["due"] += 1
        case = store.get_case(app.db, row["case_id"])
        sub = case_recipient(app.config, case["owner"] or "")
        if sub is None:
            counts["no_recipient"] += 1
            log.warning(
                "case %s: no subscriber to remind (owner %r, no [risks] default_owner)",
                case["id"],
                case["owner"],
            )
            continue
        remind_on = deadline - timedelta(days=window)
        key = f"reminder:{case['id']}:{row['kind']}:{remind_on.isoformat()}"
        payload = _payload(case, row, deadline, today, window)
        rows = notice_rows(sub, key, "reminder", payload, **case_row(case))
        added = enqueue(app.db, rows)
        counts["queued"] += added
        counts["already_queued"] += len(rows) - added
    return counts


def _payload(case: dict, row: dict, deadline: date, today: date, window: int) -> dict[str, Any]:
    label = LABELS.get(row["kind"], {"zh": row["kind"], "en": row["kind"], "basis": row["basis"]})
    left = (deadline - today).days
    brief = case_brief(case)
    return {
        **brief,
        "deadline_kind": row["kind"],
        "deadline_label": {"zh": label["zh"], "en": label["en"]},
        "deadline": deadline.isoformat(),
        "basis": row["basis"],
        "days_left": left,
        "window_days": window,
        "subject": {
            "zh": f"风险案件 {case['id']} 期限提醒：{label['zh']} {deadline.isoformat()}（剩 {left} 天）",
            "en": f"Risk case {case['id']}: {label['en']} due {deadline.isoformat()} ({left} days left)",
        },
        "text": {
            "zh": f"{brief['publication_id']} {brief['publication_title']}\n{label['zh']}（{row['basis']}）截止 "
            f"{deadline.isoformat()}，剩 {left} 天。受影响企业：{'、'.join(brief['enterprises'])}",
            "en": f"{brief['publication_id']} {brief['publication_title']}\n{label['en']} ({row['basis']}) ends "
            f"{deadline.isoformat()}, {left} days left. Affected: {', '.join(brief['enterprises'])}",
        },
    }
