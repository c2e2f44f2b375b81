"""Open cases automatically from matches, by the rules in ``[[risks.auto_open]]``.

One case per invention: a publication whose invention (``warning.store.families``: the same
DOCDB family or a shared priority) already has a case for the rule's enterprise and product line
joins that case as a family member instead of opening another, so the US, EP and VN publications
of one invention are one risk for the escort programme, with the deadlines of each market.
"""

from __future__ import annotations

import logging
from typing import Any

from warning.classify.evidence_on_read import with_evidence
from warning.config.schema import AutoOpenRule
from warning.errors import WarningError
from warning.orgs.case_owner import org_for_case
from warning.risks.cases import open_case, recompute_deadlines
from warning.store import families
from warning.store import risks as store
from warning.store.legal_events import add_family_members, case_family

log = logging.getLogger(__name__)


def _may_fit(rule: AutoOpenRule, match: dict[str, Any]) -> bool:
    """Whether ``match`` fits ``rule`` on everything but its evidence (score, watchlist, country)."""
    if match["score"] < rule.min_score:
        return False
    if rule.watchlists and match["watchlist"] not in rule.watchlists:
        return False
    country = (match["country"] or "").upper()
    return not rule.countries or country in {c.upper() for c in rule.countries}


def rule_reason(rule: AutoOpenRule, match: dict[str, Any]) -> str | None:
    """Why ``match`` fits ``rule`` (the severity reason of the case), or None when it does not."""
    if not _may_fit(rule, match):
        return None
    country = (match["country"] or "").upper()
    competitors = ((match["evidence"] or {}).get("rules") or {}).get("competitors") or []
    if rule.competitor and not competitors:
        return None
    reasons = [f"score {match['score']:.2f} >= {rule.min_score:.2f}", f"country {country}"]
    if competitors:
        reasons.append("competitor " + ", ".join(competitors))
    return "auto-open: " + "; ".join(reasons)


def auto_open_cases(app: Any) -> dict[str, int]:
    """Open a case for every match that fits a rule and whose invention has no case for that
    enterprise yet; a later member of an invention with such a case is linked to it (``linked``).

    Idempotent: a publication and product line already in a case (open or closed) that names the
    rule's enterprise is left alone, so a dismissed risk is not reopened on the next run.
    """
    rules = app.config.risks.auto_open
    counts = {
        "rules": len(rules),
        "matches": 0,
        "opened": 0,
        "joined": 0,
        "linked": 0,
        "existing": 0,
        "failed": 0,
    }
    if not rules:
        return counts
    candidates = store.auto_open_candidates(app.db, min(r.min_score for r in rules))
    # Evidence (the competitors a rule may ask for) only for the matches some rule could take.
    candidates = [m for m in candidates if any(_may_fit(rule, m) for rule in rules)]
    for match in with_evidence(app, candidates):
        for rule in rules:
            reason = rule_reason(rule, match)
            if reason is None:
                continue
            counts["matches"] += 1
            try:
                counts[_open(app, rule, match, reason)] += 1
            except WarningError as exc:
                counts["failed"] += 1
                log.warning("auto-open on %s failed: %s", match["publication_id"], exc)
            break
    return counts


def _open(app: Any, rule: AutoOpenRule, match: dict[str, Any], reason: str) -> str:
    enterprise = rule.enterprise or rule.owner or match["watchlist"]
    org_id = org_for_case(
        app.db,
        watchlist=match["watchlist"],
        owner=rule.owner,
        enterprises=[enterprise],
        subscribers=app.subscribers,
    )
    pid = match["publication_id"]
    cases = [
        c
        for c in store.cases_for_publication(app.db, pid)
        if c["watchlist"] == match["watchlist"] and c["org_id"] == org_id
    ]
    if any(enterprise in c["enterprises"] for c in cases):
        return "existing"
    invention_case = _invention_case(app.db, pid, match["watchlist"], org_id, enterprise)
    if invention_case is not None:
        return _link(app.db, invention_case, pid, match["country"] or "")
    had_open = any(c["status"] != "closed" for c in cases)
    case_id = open_case(
        app.db,
        match["publication_id"],
        enterprise,
        watchlist=match["watchlist"],
        owner=rule.owner,
        severity=rule.severity,
        reason=reason,
        who="auto-open",
        org_id=org_id,
    )
    log.info("auto-opened risk case %s on %s (%s)", case_id, match["publication_id"], reason)
    return "joined" if had_open else "opened"


def _invention_case(db: Any, publication_id: str, watchlist: str, org_id: str | None, enterprise: str):
    """The oldest case on another publication of ``publication_id``'s invention that names
    ``enterprise`` for this product line and organisation (any status: a dismissed invention stays
    dismissed when it is published in one more country), or None."""
    members = [m["id"] for m in families.family_members(db, publication_id) if m["id"] != publication_id]
    for case_id in families.cases_of(db, members):
        case = store.get_case(db, case_id)
        if (
            case is not None
            and (case["watchlist"] or "") == watchlist
            and case["org_id"] == org_id
            and enterprise in case["enterprises"]
        ):
            return case
    return None


def _link(db: Any, case: dict[str, Any], publication_id: str, country: str) -> str:
    if any(f["publication_id"] == publication_id for f in case_family(db, case["id"])):
        return "existing"
    add_family_members(db, case["id"], [(publication_id, country, "auto-open")])
    store.add_history(
        db, case["id"], "auto-open", "family", "", publication_id, "a later member of the invention"
    )
    if case["status"] != "closed":
        recompute_deadlines(db, case["id"], who="auto-open")
    log.info("linked %s to risk case %s (same invention)", publication_id, case["id"])
    return "linked"
