"""What the review pages read beside the scope's lists: one publication's matches and labels, the
digests sent, the labels of a watchlist counted by origin."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from warning.store.matches import decoded_evidence
from warning.store.scope import Scope, alert_clause, label_clause, watchlist_clause


def publication_matches(db: sqlite_utils.Database, scope: Scope, publication_id: str) -> list[dict[str, Any]]:
    """The publication's matches in the watchlists the scope sees (evidence decoded, None where
    not computed yet: `warning.classify.evidence_on_read`), each with
    the label the scope sees on it (`labels_for`; None: not reviewed), best first."""
    seen, params = watchlist_clause(scope)
    sql = f"""
        SELECT m.publication_id, m.watchlist, m.score, m.threshold, m.evidence, m.model_version,
               m.created_at
        FROM matches m WHERE m.publication_id = ?{seen} ORDER BY m.score DESC, m.watchlist
    """
    rows = [
        {**r, "evidence": decoded_evidence(r["evidence"])} for r in db.query(sql, [publication_id, *params])
    ]
    labels = labels_for(db, scope, [(r["publication_id"], r["watchlist"]) for r in rows])
    return [{**r, "label": labels.get((r["publication_id"], r["watchlist"]))} for r in rows]


def sent_digests(db: sqlite_utils.Database, scope: Scope, limit: int = 200) -> list[dict]:
    """Digests the outbox holds for the scope's organisation (newest first), one per subscriber and
    period: the first address's row stands for all, as every address got the same document."""
    seen, params = alert_clause(scope)
    sql = f"""
        SELECT min(a.id) AS id, a.subscriber, min(a.status) AS status, min(a.created_at) AS created_at,
               max(a.sent_at) AS sent_at, json_extract(min(a.payload), '$.subject') AS subject,
               substr(a.key, 1, length(a.key) - length(a.channel) - length(a.address) - 2) AS digest_key
        FROM alerts a WHERE a.kind = 'digest'{seen}
        GROUP BY digest_key ORDER BY created_at DESC LIMIT ?
    """
    return list(db.query(sql, [*params, limit]))


def digest_payload(db: sqlite_utils.Database, scope: Scope, alert_id: int) -> dict[str, Any] | None:
    """The digest outbox row ``alert_id`` with its payload decoded, if the scope sees it; else None."""
    seen, params = alert_clause(scope)
    rows = list(
        db.query(f"SELECT a.* FROM alerts a WHERE a.id = ? AND a.kind = 'digest'{seen}", [alert_id, *params])
    )
    if not rows:
        return None
    return {**rows[0], "payload": json.loads(rows[0]["payload"] or "{}")}


def labels_by_origin(db: sqlite_utils.Database, watchlist: str) -> dict[str, dict[str, int]]:
    """``{origin: {"relevant": n, "irrelevant": n}}`` of a watchlist's labels."""
    sql = "SELECT origin, label, count(*) AS n FROM labels WHERE watchlist = ? GROUP BY origin, label"
    out: dict[str, dict[str, int]] = {}
    for row in db.query(sql, [watchlist]):
        bucket = out.setdefault(row["origin"] or "", {"relevant": 0, "irrelevant": 0})
        bucket["relevant" if row["label"] else "irrelevant"] += row["n"]
    return out


def labels_for(
    db: sqlite_utils.Database, scope: Scope, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The label the scope sees on each (publication, watchlist) pair: its own organisation's
    where it judged the pair, else a shared one (the latest)."""
    if not pairs:
        return {}
    seen, params = label_clause(scope)
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(pairs), 400):
        chunk = pairs[start : start + 400]
        wanted = " OR ".join("(l.publication_id = ? AND l.watchlist = ?)" for _ in chunk)
        sql = f"""
            SELECT l.publication_id, l.watchlist, l.label FROM labels l
            WHERE ({wanted}){seen}
            ORDER BY (l.org_id = ?) ASC, l.created_at ASC
        """
        flat = [v for pair in chunk for v in pair]
        for row in db.execute(sql, [*flat, *params, scope.label_org]).fetchall():
            found[(row[0], row[1])] = row[2]  # later rows win: the own label comes last
    return found
