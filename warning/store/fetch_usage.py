"""How many bytes each source fetched recently, from the counts its runs recorded."""

from __future__ import annotations

import sqlite_utils


def bytes_fetched_since(db: sqlite_utils.Database, source: str, since: str) -> int:
    """Response bytes the plugin of ``source`` counted in runs started at or after ``since`` (ISO):
    its fetch runs, and the clusters' backfill and tracking runs through it (one weekly allowance)."""
    row = db.execute(
        "SELECT COALESCE(SUM(json_extract(counts, '$.plugin.bytes')), 0) FROM runs "
        "WHERE source = ? AND (job = ? OR job LIKE 'clusters:%') AND started_at >= ? AND json_valid(counts)",
        [source, f"fetch:{source}", since],
    ).fetchone()
    return int(row[0] or 0)


def bytes_of_job(db: sqlite_utils.Database, job: str) -> int:
    """Response bytes every run of ``job`` counted (``clusters:backfill:NAME``: a backfill so far)."""
    row = db.execute(
        "SELECT COALESCE(SUM(json_extract(counts, '$.plugin.bytes')), 0) FROM runs WHERE job = ? AND json_valid(counts)",
        [job],
    ).fetchone()
    return int(row[0] or 0)
