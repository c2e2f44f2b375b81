"""Legal status of open cases: fetch INPADOC events, record what changed, recompute, notify.

The notification is queued before the events are stored, under a key made of the new events: a
crash between the two re-finds the same new events next run and queues nothing twice, and no
change is stored without its notification.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from warning.classify.watchlists import load_watchlist
from warning.delivery.queue import enqueue, notice_rows
from warning.errors import ConfigError, WarningError
from warning.identity import split_id
from warning.models import LegalEvent
from warning.risks.cases import case_facts, recompute_deadlines, refresh_family
from warning.risks.deadlines import LABELS, Facts, compute_deadlines
from warning.risks.notify import case_brief, case_recipient, case_row
from warning.store import legal_events as legal_store
from warning.store import risks as store

log = logging.getLogger(__name__)

Fetch = Callable[[str], list[LegalEvent]]

# Event categories that change a case's picture; the rest (fees, national codes) are only stored.
CHANGE_KINDS = (
    "grant",
    "grant-intended",
    "opposition",
    "no-opposition",
    "lapse",
    "withdrawal",
    "refusal",
    "revocation",
)
CHANGE_LABELS = {
    "grant": ("授权", "granted"),
    "grant-intended": ("拟授权", "grant intended"),
    "opposition": ("被提出异议/复审", "opposition or review filed"),
    "no-opposition": ("异议期内无人异议", "no opposition filed"),
    "lapse": ("失效", "lapsed"),
    "withdrawal": ("撤回", "withdrawn"),
    "refusal": ("驳回", "refused"),
    "revocation": ("被撤销/无效", "revoked"),
    "family": ("新同族成员", "new family member"),
}


def refresh_legal_status(app: Any, fetch: Fetch | None = None) -> dict[str, int]:
    """Fetch the legal events of every open case's publication and apply them (see `apply_events`).

    ``fetch(publication_id) -> list[LegalEvent]`` defaults to the ``[risks] legal_source`` OPS
    source; one case failing to fetch is counted and the others go on.
    """
    fetch = fetch or ops_fetcher(app)
    counts = {"cases": 0, "failed": 0, "events": 0, "new_events": 0, "changes": 0, "notified": 0}
    for case in store.open_cases(app.db):
        counts["cases"] += 1
        try:
            events = fetch(case["publication_id"])
        except WarningError as exc:
            counts["failed"] += 1
            log.warning(
                "case %s: legal events of %s not fetched: %s", case["id"], case["publication_id"], exc
            )
            continue
        result = apply_events(app, case, events)
        counts["events"] += len(events)
        for key in ("new_events", "changes", "notified"):
            counts[key] += result[key]
    return counts


def ops_fetcher(app: Any) -> Fetch:
    """Fetch through the configured ``epo_ops`` source (``[risks] legal_source``, else the only one)."""
    sources = app.config.sources
    name = app.config.risks.legal_source
    if not name:
        ops = [n for n, s in sources.items() if s.kind == "epo_ops"]
        name = ops[0] if len(ops) == 1 else ""
    if not name or name not in sources:
        raise ConfigError("[risks] legal_source must name an epo_ops source to refresh legal events")
    # Deferred for start-up time: the OPS client and its parser (requests, lxml) load only when
    # legal status is refreshed, not for every `warning risks` command.
    from warning.sources.epo_ops.source import fetch_legal_events

    source = sources[name]
    return lambda publication_id: fetch_legal_events(source, publication_id)


def apply_events(app: Any, case: dict[str, Any], events: list[LegalEvent]) -> dict[str, int]:
    """Record a case's new legal events: changes into its history, family members, deadlines, and
    one `legal` notification to its owner listing what changed."""
    db = app.db
    new = legal_store.unknown_legal_events(db, events)
    country, number, _ = split_id(case["publication_id"])
    own = [e for e in new if split_id(e.publication_id)[:2] == (country, number)]
    known_family = {r["publication_id"] for r in legal_store.case_family(db, case["id"])}
    members = [e.publication_id for e in events if split_id(e.publication_id)[:2] != (country, number)]
    new_members = [m for m in dict.fromkeys(members) if m not in known_family]
    changes = _changes(own) + _family_changes(new_members, country, _target_countries(app, case))
    notified = 0
    if changes:
        notified = _notify(app, case, changes, new, new_members, own)
    legal_store.save_legal_events(db, new)
    refresh_family(db, case["id"], extra=new_members)
    for change in changes:
        store.add_history(
            db, case["id"], "legal-status", f"legal:{change['kind']}", "", change["summary"], change["detail"]
        )
    recompute_deadlines(db, case["id"], who="legal-status")
    return {"new_events": len(new), "changes": len(changes), "notified": notified}


def _changes(events: list[LegalEvent]) -> list[dict[str, Any]]:
    changes = []
    for kind in CHANGE_KINDS:
        hits = sorted((e for e in events if e.category == kind), key=lambda e: (e.date, e.country))
        if not hits:
            continue
        countries = list(dict.fromkeys(e.country for e in hits if e.country))
        summary = (
            f"{hits[0].date} {', '.join(countries)}" if kind == "lapse" else f"{hits[0].date} {hits[0].code}"
        )
        changes.append(
            {
                "kind": kind,
                "date": hits[0].date,
                "countries": countries,
                "summary": summary,
                "detail": " | ".join(
                    f"{e.date} {e.code} {e.country}: {e.description}"[:300] for e in hits[:5]
                ),
                "events": [
                    {"date": e.date, "code": e.code, "country": e.country, "description": e.description}
                    for e in hits
                ],
            }
        )
    return changes


def _family_changes(members: list[str], own_country: str, targets: set[str]) -> list[dict[str, Any]]:
    abroad = [
        m for m in members if split_id(m)[0] != own_country and (not targets or split_id(m)[0] in targets)
    ]
    if not abroad:
        return []
    return [
        {
            "kind": "family",
            "date": "",
            "countries": list(dict.fromkeys(split_id(m)[0] for m in abroad)),
            "summary": ", ".join(abroad),
            "detail": "new family members in target countries: " + ", ".join(abroad),
            "events": [],
            "members": abroad,
        }
    ]


def _target_countries(app: Any, case: dict[str, Any]) -> set[str]:
    """The case's product line's countries, else every country a source watches, else all (empty)."""
    if case.get("watchlist"):
        try:
            countries = load_watchlist(case["watchlist"], app.config.watchlists_dir).countries
            if countries:
                return {c.upper() for c in countries}
        except (WarningError, OSError):
            pass
    return {c.upper() for s in app.config.sources.values() for c in s.countries}


def _notify(app, case, changes, new_events, new_members, own) -> int:
    sub = case_recipient(app.config, case["owner"] or "")
    if sub is None:
        log.warning("case %s: legal changes recorded, but no subscriber to notify", case["id"])
        return 0
    keys = sorted(f"{e.publication_id}|{e.date}|{e.code}|{e.country}|{e.description}" for e in new_events)
    digest = hashlib.sha256("\n".join(keys + sorted(new_members)).encode()).hexdigest()[:16]
    payload = {**case_brief(case), "changes": changes, "deadlines": _deadlines_after(app, case, own)}
    zh = "；".join(f"{CHANGE_LABELS[c['kind']][0]} {c['summary']}" for c in changes)
    en = "; ".join(f"{CHANGE_LABELS[c['kind']][1]} {c['summary']}" for c in changes)
    payload["subject"] = {
        "zh": f"风险案件 {case['id']} 法律状态变化：{case['publication_id']}",
        "en": f"Risk case {case['id']}: legal status of {case['publication_id']} changed",
    }
    payload["text"] = {"zh": zh, "en": en}
    rows = notice_rows(sub, f"legal:{case['id']}:{digest}", "legal", payload, **case_row(case))
    return enqueue(app.db, rows)


def _deadlines_after(app, case, new_events: list[LegalEvent]) -> list[dict[str, str]]:
    facts = case_facts(app.db, case["publication_id"])
    if facts is None:
        return []
    merged = Facts(facts.publication, facts.related, tuple(dict.fromkeys([*facts.events, *new_events])))
    return [
        {**d.to_dict(), **{"label": {"zh": LABELS[d.kind]["zh"], "en": LABELS[d.kind]["en"]}}}
        for d in compute_deadlines(merged)
    ]
