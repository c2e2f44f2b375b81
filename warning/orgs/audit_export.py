"""The audit trail as a CSV file for a spreadsheet: UTF-8 with BOM (Excel shows Chinese), and no
cell that could run as a formula (what people typed is in it)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import sqlite_utils

from warning.delivery.escaping import spreadsheet_row
from warning.store import audit
from warning.store.scope import Scope

COLUMNS = ("id", "at", "login", "user_id", "org_id", "action", "object_kind", "object_id", "detail")


def export_audit(db: sqlite_utils.Database, scope: Scope, path: Path, **filters: Any) -> int:
    """Write the entries the scope sees (``filters`` as `warning.store.audit.history` takes) to
    ``path``; returns how many."""
    rows = audit.history(db, scope, **filters)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            detail = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
            writer.writerow(spreadsheet_row([*(row[c] for c in COLUMNS[:-1]), detail]))
    return len(rows)
