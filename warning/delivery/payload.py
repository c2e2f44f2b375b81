"""What an alert carries of a match, frozen when it is queued (a retry renders the same).

The publication's facts, the abstract and first claim as a reader sees them
(`warning.delivery.content`), why it matched in whole words (`warning.delivery.reasons`), and the
invention's family as known when the alert was queued, and the deadlines the publication opens
(an opposition window, a national phase), as they stood that day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from warning.delivery.content import shown_texts
from warning.delivery.reasons import readable_terms
from warning.models import Publication

_PUBLICATION_FIELDS = (
    "country",
    "number",
    "doc_type",
    "publication_date",
    "filing_date",
    "priority_date",
    "application_number",
    "lang",
)


def _json(value: Any, empty: Any) -> Any:
    if isinstance(value, dict | list):
        return value
    try:
        return json.loads(value) if value else empty
    except ValueError:
        return empty


def match_payload(
    row: dict[str, Any], family: list[dict[str, Any]] | None = None, today: date | None = None
) -> dict[str, Any]:
    """The payload of a match row (`warning.store.matches.followed_matches`): the publication, the
    watchlist's titles, score, evidence, the shown texts and reasons; ``family``: the invention's
    members known so far (`warning.store.families`), this publication among them; ``today``: the
    day its deadlines are judged passed or open on (default: today, UTC)."""
    evidence = _json(row.get("evidence"), {})
    titles = _json(row.get("titles"), {})
    original = row.get("lang") or next((k for k in titles if k != "en"), "en")
    terms = [t[0] if isinstance(t, list | tuple) else str(t) for t in evidence.get("terms") or []]
    # A watchlist that decides by its rules alone has no model terms: its keywords are the reason.
    terms = terms or [str(k) for k in (evidence.get("rules") or {}).get("keywords") or []]
    # The abstract first: a title in capitals is the last place to take a reader's word from.
    text = "\n".join(str(row.get(c) or "") for c in ("abstract_text", "claims_text", "title_text"))
    # Here, not at the top: the risks package queues its notices through the alert queue.
    from warning.risks.deadlines import publication_deadlines

    members = family or []
    payload = {k: row.get(k) for k in _PUBLICATION_FIELDS}
    payload.update(
        publication_id=row["publication_id"],
        kind_code=row.get("kind") or "",  # "kind" is the alert's kind in the templates
        titles=titles,
        applicants=_json(row.get("applicants"), []),
        cpc=_json(row.get("cpc"), []),
        watchlist=row["watchlist"],
        watchlist_title={"zh": row.get("title_zh") or "", "en": row.get("title_en") or ""},
        score=row["score"],
        threshold=row.get("threshold"),
        terms=evidence.get("terms") or [],
        reasons=readable_terms(terms, text),
        rules=evidence.get("rules") or {},
        model=evidence.get("model", ""),
        matched_at=row.get("matched_at"),
        family_countries=sorted({m["country"] for m in members if m.get("country")}),
        family_members=[m["id"] for m in members],
        deadlines=publication_deadlines(_publication(row), today or datetime.now(UTC).date()),
        **shown_texts(_json(row.get("abstracts"), {}), _json(row.get("claims"), {}), original),
    )
    return payload


def _publication(row: dict[str, Any]) -> Publication:
    """What the deadline rules read of a match row: the office, number, kind and dates."""
    return Publication(
        id=row["publication_id"],
        country=row.get("country") or "",
        number=row.get("number") or "",
        kind=row.get("kind") or "",
        doc_type=row.get("doc_type") or "",
        publication_date=row.get("publication_date"),
        filing_date=row.get("filing_date"),
        priority_date=row.get("priority_date"),
    )
