"""What a digest counts: inventions (with their members), applicants under one normalised name,
competitors with their filings per country, new entrants, legal changes, the publication trend.

Applicants are grouped by `warning.classify.watchlists.normalise_applicant` (Unicode NFKC, case
folded, punctuation and trailing legal forms such as Co., Ltd., Inc., GmbH, 株式会社 or 有限公司
dropped), the rule the competitor lists already use: "SZ DJI TECHNOLOGY CO., LTD." and "SZ DJI
TECHNOLOGY CO LTD" are one applicant, shown under its most common spelling with the others as
aliases, and counted once per invention.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from warning.classify.watchlists import normalise_applicant

TOP = 10
LEGAL_CATEGORIES = ("grant", "opposition", "no-opposition", "lapse", "withdrawal", "refusal", "revocation")


def inventions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The period's matches grouped into inventions (items whose ``family_members`` meet), best
    first: ``{"lead": the best-scored item, "items": matched members, "members": every member
    known, "countries", "score"}``."""
    groups: list[dict[str, Any]] = []
    by_member: dict[str, dict[str, Any]] = {}
    for item in sorted(items, key=lambda i: (-float(i.get("score") or 0), i["publication_id"])):
        ids = set(item.get("family_members") or []) | {item["publication_id"]}
        group = next((by_member[i] for i in ids if i in by_member), None)
        if group is None:
            group = {"lead": item, "items": [], "members": set()}
            groups.append(group)
        group["items"].append(item)
        group["members"] |= ids
        by_member.update(dict.fromkeys(group["members"], group))
    for group in groups:
        group["members"] = sorted(group["members"])
        group["countries"] = sorted({m[:2] for m in group["members"]})
        group["score"] = float(group["lead"].get("score") or 0)
    return groups


def applicant_groups(groups: list[dict[str, Any]], limit: int = TOP) -> list[dict[str, Any]]:
    """Applicants under one normalised name, most inventions first: ``{"name", "aliases",
    "count"}`` (``count``: inventions with a publication naming it)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    for group in groups:
        keys = set()
        for item in group["items"]:
            for name in item.get("applicants") or []:
                key = normalise_applicant(name) or name
                spellings[key][name] += 1
                keys.add(key)
        counts.update(keys)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], _shown(spellings[kv[0]])))[:limit]
    return [
        {
            "name": _shown(spellings[key]),
            "aliases": sorted(set(spellings[key]) - {_shown(spellings[key])}),
            "count": n,
        }
        for key, n in ranked
    ]


def _shown(spellings: Counter) -> str:
    """The most common spelling; between equals, the alphabetically first, for a stable digest."""
    return min(spellings, key=lambda s: (-spellings[s], s))


def competitor_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inventions naming a watchlist's competitor, per competitor (its spellings together, as for
    applicants), most first: ``{"name", "count", "countries": [(country, [publication ids])],
    "inventions": [lead items]}``."""
    found: dict[str, dict[str, Any]] = {}
    for group in groups:
        for item in group["items"]:
            for name in (item.get("rules") or {}).get("competitors") or []:
                key = normalise_applicant(name) or name
                entry = found.setdefault(
                    key, {"spellings": Counter(), "inventions": [], "by_country": defaultdict(list)}
                )
                entry["spellings"][name] += 1
                if group["lead"] not in entry["inventions"]:
                    entry["inventions"].append(group["lead"])
                entry["by_country"][item.get("country") or ""].append(item["publication_id"])
    out = []
    for entry in found.values():
        countries = sorted((c, sorted(set(ids))) for c, ids in entry["by_country"].items())
        name = _shown(entry["spellings"])
        out.append(
            {
                "name": name,
                "inventions": entry["inventions"],
                "count": len(entry["inventions"]),
                "countries": countries,
            }
        )
    return sorted(out, key=lambda e: (-e["count"], e["name"]))


def new_entrants(groups: list[dict[str, Any]], earlier: list[list[str]]) -> list[str]:
    """Applicants of the period (shown as most commonly spelt) never seen in earlier matches;
    none in a watch's first period, where every applicant would be new."""
    if not earlier:
        return []
    known = {normalise_applicant(name) or name for names in earlier for name in names}
    fresh = [
        g
        for g in applicant_groups(groups, limit=10_000)
        if (normalise_applicant(g["name"]) or g["name"]) not in known
    ]
    return [g["name"] for g in fresh]


def trend_counts(
    periods: list[tuple[str, Any, Any]], published: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    """Matched publications per period by publication date: (label, count) for each period."""
    days = sorted(r["publication_date"] for r in published if r.get("publication_date"))
    return [
        (label, sum(1 for d in days if first.isoformat() <= d < end.isoformat()))
        for label, first, end in periods
    ]
