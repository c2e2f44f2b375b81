"""The WHERE clause of the tenancy tables' listings: optional equality filters and active rows."""

from __future__ import annotations

from typing import Any


def active_where(
    filters: dict[str, Any], *, include_disabled: bool = False, alias: str = ""
) -> tuple[str, list[Any]]:
    """``(clause, params)``: ``column = ?`` for each filter given a value, and rows not disabled
    (``disabled_at IS NULL``) unless ``include_disabled``; ``1 = 1`` when nothing narrows."""
    prefix = f"{alias}." if alias else ""
    where = [f"{prefix}{column} = ?" for column, value in filters.items() if value]
    params = [value for value in filters.values() if value]
    if not include_disabled:
        where.append(f"{prefix}disabled_at IS NULL")
    return " AND ".join(where) or "1 = 1", params
