"""Risk cases: open, update and close them, and keep their deadlines and family up to date."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlite_utils

from warning.classify.watchlists import load_watchlists
from warning.clock import utcnow
from warning.config.schema import SEVERITIES, Config
from warning.errors import WarningError
from warning.identity import normalise_id, split_id
from warning.models import Publication
from warning.risks.deadlines import Deadline, Facts, compute_deadlines
from warning.store import legal_events as legal_store
from warning.store import risks as store
from warning.store.publications import get_publication, row_to_publication

STATUSES = ("new", "assessing", "action", "closed")
ACTIONS = ("design-around", "licence", "opposition", "invalidation", "monitor")

LABELS_ZH = {
    "low": "低",
    "medium": "中",
    "high": "高",
    "new": "新建",
    "assessing": "评估中",
    "action": "处置中",
    "closed": "已结案",
    "design-around": "规避设计",
    "licence": "许可",
    "opposition": "异议",
    "invalidation": "无效宣告",
    "monitor": "监控",
}


class CaseError(WarningError):
    """A risk case cannot be opened or changed as asked (unknown case or publication, bad value)."""


def resolve_publication(db: sqlite_utils.Database, text: str) -> Publication:
    """The stored publication for an id in any office spelling; without a kind code, the only
    stored kind of that number (``EP2400812`` finds ``EP-2400812-B1`` when it is the only one)."""
    publication_id = normalise_id(text)
    pub = get_publication(db, publication_id)
    if pub is not None:
        return pub
    country, number, kind = split_id(publication_id)
    candidates = legal_store.same_number_publications(db, country, number) if country and not kind else []
    if len(candidates) == 1:
        return row_to_publication(candidates[0])
    if candidates:
        kinds = ", ".join(sorted(r["id"] for r in candidates))
        raise CaseError(f"{text}: several stored publications of that number ({kinds}); give the kind code")
    raise CaseError(f"{text}: no such publication in the store (ingest or fetch it first)")


def check_names(config: Config, watchlist: str | None = None, owner: str | None = None) -> None:
    """Refuse a watchlist or owner the config does not know: a case on a misspelt product line
    is never found by it, and reminders to an unknown owner reach nobody."""
    if watchlist:
        known = [w.name for w in load_watchlists(config.watchlists_dir)]
        if watchlist not in known:
            raise CaseError(
                f"watchlist must be one of the watchlists in {config.watchlists_dir} "
                f"({', '.join(known) or 'none there'}), not {watchlist!r}"
            )
    if owner:
        known = [s.name for s in config.subscribers]
        if owner not in known:
            raise CaseError(
                f"owner must be the name of a subscriber ({', '.join(known) or 'none configured'}), not {owner!r}"
            )


def open_case(
    db: sqlite_utils.Database,
    publication_id: str,
    enterprise: str | list[str],
    watchlist: str | None = None,
    owner: str = "",
    severity: str = "medium",
    reason: str = "",
    who: str = "",
    org_id: str | None = None,
) -> int:
    """Open a case on a stored publication, or add the enterprise to the open case already there.

    One case per publication, product line and organisation (``org_id``: the enterprise it
    concerns, None for the programme's own): a second enterprise named on the same filing joins
    the open case (recorded in its history) instead of opening a duplicate; another organisation's
    case is never joined, so it is never revealed. Returns the id.
    """
    _check("severity", severity, SEVERITIES)
    enterprises = [enterprise] if isinstance(enterprise, str) else list(enterprise)
    enterprises = [e.strip() for e in enterprises if e and e.strip()]
    if not enterprises:
        raise CaseError("a case needs at least one affected enterprise (--enterprise NAME)")
    pub = resolve_publication(db, publication_id)
    existing = _open_case_for(db, pub.id, watchlist or "", org_id)
    if existing is not None:
        merged = list(dict.fromkeys([*existing["enterprises"], *enterprises]))
        store.update_case(db, existing["id"], {"enterprises": merged}, who or "system")
        return existing["id"]
    now = utcnow()
    case = {
        "publication_id": pub.id,
        "family_id": pub.family_id or "",
        "country": pub.country,
        "enterprises": enterprises,
        "watchlist": watchlist or "",
        "severity": severity,
        "severity_reason": reason,
        "owner": owner,
        "status": "new",
        "action": "",
        "outcome": "",
        "opened_at": now,
        "opened_by": who or "system",
        "closed_at": None,
        "updated_at": now,
        "org_id": org_id,
    }
    case_id = store.insert_case(db, case, who or "system", note=reason)
    refresh_family(db, case_id)
    recompute_deadlines(db, case_id)
    return case_id


def update_case(
    db: sqlite_utils.Database, case_id: int, who: str = "", note: str = "", **fields: Any
) -> list[dict]:
    """Change status, action, owner, severity, severity_reason, outcome or enterprises; each change
    (and the note) goes into the history. Setting status ``closed`` closes the case."""
    case = get_case_or_fail(db, case_id)
    changes = {k: v for k, v in fields.items() if v is not None}
    unknown = set(changes) - {
        "status",
        "action",
        "owner",
        "severity",
        "severity_reason",
        "outcome",
        "enterprises",
    }
    if unknown:
        raise CaseError(f"cannot change {', '.join(sorted(unknown))} of a case")
    for name, allowed in (("status", STATUSES), ("action", ACTIONS), ("severity", SEVERITIES)):
        if name in changes:
            _check(name, changes[name], allowed)
    closing = changes.get("status") == "closed" and case["status"] != "closed"
    if closing and not (changes.get("outcome") or case["outcome"] or "").strip():
        raise CaseError(
            f"closing case {case_id} needs its outcome: warning risks close {case_id} --outcome TEXT"
        )
    if closing:
        changes["closed_at"] = utcnow()
    elif changes.get("status") not in (None, "closed") and case["status"] == "closed":
        changes["closed_at"] = None
    made = store.update_case(db, case_id, changes, who or "system", note=note)
    if changes.get("status") == "closed":
        store.kill_pending_reminders(db, case_id, "case closed")
    return made


def close_case(
    db: sqlite_utils.Database, case_id: int, outcome: str, who: str = "", note: str = ""
) -> list[dict]:
    """Close a case with its outcome; its pending reminders become dead letters ('case closed')."""
    if not outcome.strip():
        raise CaseError("closing a case needs its outcome (--outcome TEXT)")
    return update_case(db, case_id, who=who, note=note, status="closed", outcome=outcome.strip())


def add_note(db: sqlite_utils.Database, case_id: int, note: str, who: str = "") -> None:
    get_case_or_fail(db, case_id)
    store.add_history(db, case_id, who or "system", "note", note=note)


def get_case_or_fail(db: sqlite_utils.Database, case_id: int) -> dict[str, Any]:
    case = store.get_case(db, case_id)
    if case is None:
        raise CaseError(f"no risk case {case_id}")
    return case


def recompute_deadlines(
    db: sqlite_utils.Database, case_id: int, who: str = "system", today: date | None = None
) -> list[dict[str, str]]:
    """Compute the case's deadlines afresh from its publication, the stored members of its
    invention linked to it (an EP member's opposition window on a case opened on the US
    publication) and their legal events; record changes.

    Returns the deadlines that changed as ``{"kind", "old", "new"}`` (``old`` empty for a new one).
    """
    case = get_case_or_fail(db, case_id)
    facts = case_facts(db, case["publication_id"])
    if facts is None:
        return []
    found = [compute_deadlines(facts)]
    for member in legal_store.case_family(db, case_id):
        member_facts = case_facts(db, member["publication_id"])
        if member_facts is not None:
            found.append(compute_deadlines(member_facts))
    deadlines = [d.to_dict() for d in merge_deadlines(found, today or date.today())]
    previous = store.replace_deadlines(db, case_id, deadlines)
    changed = []
    for d in deadlines:
        if previous.get(d["kind"]) != d["date"]:
            changed.append({"kind": d["kind"], "old": previous.get(d["kind"], ""), "new": d["date"]})
    for kind in set(previous) - {d["kind"] for d in deadlines}:
        changed.append({"kind": kind, "old": previous[kind], "new": ""})
    for change in changed:
        store.add_history(db, case_id, who, f"deadline:{change['kind']}", change["old"], change["new"])
    return changed


def merge_deadlines(found: list[list[Deadline]], today: date) -> list[Deadline]:
    """One deadline per kind from several publications' deadlines (the case's first): of two
    windows of one kind (two US members, each with its pre-issuance window), the earliest still
    open on ``today``, else the latest; so a reminder comes for each window in turn."""
    by_kind: dict[str, list[Deadline]] = {}
    for deadlines in found:
        for d in deadlines:
            by_kind.setdefault(d.kind, []).append(d)
    chosen = []
    for options in by_kind.values():
        still_open = [d for d in options if d.date >= today.isoformat()]
        chosen.append(
            min(still_open, key=lambda d: d.date) if still_open else max(options, key=lambda d: d.date)
        )
    return sorted(chosen, key=lambda d: (d.date, d.kind))


def case_facts(db: sqlite_utils.Database, publication_id: str) -> Facts | None:
    """The publication, its stored siblings of the same number, and the legal events of that number."""
    pub = get_publication(db, publication_id)
    if pub is None:
        return None
    siblings = legal_store.same_number_publications(db, pub.country, pub.number)
    related = tuple(row_to_publication(r) for r in siblings if r["id"] != pub.id)
    event_ids = legal_store.legal_event_ids_for_number(db, pub.country, pub.number)
    return Facts(pub, related, tuple(legal_store.legal_events_for(db, event_ids)))


def refresh_family(db: sqlite_utils.Database, case_id: int, extra: list[str] = ()) -> list[str]:
    """Link the stored publications of the case's family (and ``extra`` ids seen in legal events)
    to the case; returns the member ids that are new."""
    case = get_case_or_fail(db, case_id)
    members = [
        (pid, country, "store") for pid, country in legal_store.family_publication_ids(db, case["family_id"])
    ]
    members += [(pid, split_id(pid)[0], "legal") for pid in extra]
    members = [m for m in members if m[0] != case["publication_id"]]
    return legal_store.add_family_members(db, case_id, members)


def _open_case_for(
    db: sqlite_utils.Database, publication_id: str, watchlist: str, org_id: str | None
) -> dict[str, Any] | None:
    for case in store.cases_for_publication(db, publication_id):
        if case["status"] != "closed" and (case["watchlist"] or "") == watchlist and case["org_id"] == org_id:
            return case
    return None


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise CaseError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
