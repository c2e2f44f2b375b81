"""How a risk case is read: the one SELECT (with its publication's titles) and its decoding,
shared by the risk register (`warning.store.risks`) and the scoped queries (`warning.store.scope`)."""

from __future__ import annotations

import json
from typing import Any

CASE_SELECT = """
    SELECT c.*, p.titles AS publication_titles, p.applicants AS publication_applicants,
           p.publication_date AS publication_date, p.kind AS publication_kind
    FROM risk_cases c LEFT JOIN publications p ON p.id = c.publication_id
"""


def decode_case(row: dict[str, Any]) -> dict[str, Any]:
    """A case row with its enterprises, its publication's titles and applicants decoded."""
    row = dict(row)
    row["enterprises"] = json.loads(row.get("enterprises") or "[]")
    row["titles"] = json.loads(row.pop("publication_titles", None) or "{}")
    row["applicants"] = json.loads(row.pop("publication_applicants", None) or "[]")
    return row
