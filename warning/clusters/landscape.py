"""The landscape of a cluster: what its database says, counted by filing, for the report and the web page.

Only the cluster's history window counts (its ``years`` back from ``today``). A filing is one
application in one office: its publications (A1, B1 ...) share the office and
application number and count once, in the year of the first of them. Its status is the one
tracking stored for it, else the one its stored legal events give (`derive_status`), else
granted when a grant of it is stored and pending otherwise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from warning.classify.watchlists import normalise_applicant
from warning.clusters.competitors import STATUSES, derive_status
from warning.clusters.definitions import Cluster
from warning.store import clusters as store
from warning.store import legal_events as legal_store

TOP = 15  # applicants and codes shown
NEW_ENTRANT_YEARS = 2  # an applicant whose first filing in the cluster is this recent


@dataclass
class Filing:
    """One application in one office, as the cluster's database holds it."""

    key: tuple[str, str]
    ids: list[str]
    country: str
    year: str
    applicants: list[str]
    codes: list[str]
    family_id: str
    title: str
    granted_kind: bool
    status: str = "pending"
    competitor: str = ""


@dataclass
class Landscape:
    """Counts of one cluster's database (see module doc); every mapping is in display order."""

    cluster: Cluster
    today: str
    filings: list[Filing]
    years: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    per_year_country: dict[str, dict[str, int]] = field(default_factory=dict)
    top_applicants: list[tuple[str, int]] = field(default_factory=list)
    codes: list[tuple[str, int]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    new_entrants: list[tuple[str, str, int]] = field(default_factory=list)  # (name, first year, filings)
    portfolios: dict[str, dict[str, dict[str, int]]] = field(
        default_factory=dict
    )  # competitor -> country -> status -> n
    families: list[dict[str, Any]] = field(default_factory=list)  # spanning several target markets

    @property
    def publications(self) -> int:
        return sum(len(f.ids) for f in self.filings)


def build_landscape(db, cluster: Cluster, today: date | None = None) -> Landscape:
    """Count the cluster's database as the module doc says."""
    today = today or date.today()
    ids = store.cluster_publication_ids(db, cluster.name, list(cluster.watchlists), list(cluster.countries))
    start = cluster.window(today)[0].isoformat()
    rows = [
        r
        for r in store.publication_rows(db, ids)
        if not r["publication_date"] or r["publication_date"] >= start
    ]
    filings = _filings(db, cluster, rows)
    land = Landscape(cluster=cluster, today=today.isoformat(), filings=filings)
    land.years = sorted({f.year for f in filings if f.year})
    land.countries = [c for c, _ in Counter(f.country for f in filings).most_common()]
    for f in filings:
        land.per_year_country.setdefault(f.year, Counter())[f.country] += 1
    land.top_applicants = _top_applicants(filings, cluster)
    land.codes = Counter(c for f in filings for c in f.codes).most_common(TOP)
    counted = Counter(f.status for f in filings)
    land.statuses = {s: counted[s] for s in STATUSES if counted[s]}
    land.new_entrants = _new_entrants(filings, today.year)
    land.portfolios = _portfolios(filings)
    land.families = _families(filings, cluster)
    return land


def _filings(db, cluster: Cluster, rows: list[dict[str, Any]]) -> list[Filing]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["country"], row["application_number"] or row["number"])].append(row)
    tracked = {f["publication_id"]: f for f in store.filings(db, cluster.name)}
    events = legal_store.legal_events_for(db, [r["id"] for r in rows])
    by_number: dict[tuple[str, str], list] = defaultdict(list)
    for e in events:
        by_number[tuple(e.publication_id.split("-")[:2])].append(e)
    filings = []
    for key, members in sorted(groups.items()):
        members.sort(key=lambda r: (r["publication_date"] or "", r["id"]))
        first = members[0]
        filing = Filing(
            key=key,
            ids=[r["id"] for r in members],
            country=first["country"],
            year=(first["publication_date"] or "")[:4],
            applicants=list(dict.fromkeys(a for r in members for a in r["applicants"])),
            codes=sorted({c.replace(" ", "")[:4] for c in (first["cpc"] or first["ipc"]) if c}),
            family_id=first["family_id"] or "",
            title=_title(first["titles"]),
            granted_kind=any(r["doc_type"] == "grant" for r in members),
        )
        filing.competitor = next((c for c in map(cluster.competitor_of, filing.applicants) if c), "")
        known = next((tracked[i] for i in filing.ids if i in tracked and tracked[i]["status"]), None)
        if known:
            filing.status = known["status"]
        else:
            mine = [e for m in members for e in by_number.get((m["country"], m["number"]), [])]
            filing.status = derive_status(first["id"], mine, filing.granted_kind)[0]
        filings.append(filing)
    return filings


def _title(titles: dict[str, str]) -> str:
    for lang in ("en", "zh"):
        if titles.get(lang):
            return titles[lang]
    return next(iter(titles.values()), "")


def _top_applicants(filings: list[Filing], cluster: Cluster) -> list[tuple[str, int]]:
    """Applicants by filings, spellings of one name (and a competitor's aliases) counted together."""
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = defaultdict(Counter)
    for f in filings:
        for key, name in {_applicant_key(a, cluster): a for a in f.applicants}.items():
            counts[key] += 1
            shown[key][cluster.competitor_of(name) or name] += 1
    return [(shown[k].most_common(1)[0][0], n) for k, n in counts.most_common(TOP)]


def _applicant_key(name: str, cluster: Cluster) -> str:
    competitor = cluster.competitor_of(name)
    return normalise_applicant(competitor or name)


def _new_entrants(filings: list[Filing], this_year: int) -> list[tuple[str, str, int]]:
    first_year: dict[str, str] = {}
    shown: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for f in filings:
        for name in f.applicants:
            key = normalise_applicant(name)
            counts[key] += 1
            shown.setdefault(key, name)
            if f.year and (key not in first_year or f.year < first_year[key]):
                first_year[key] = f.year
    recent = [k for k, y in first_year.items() if int(y) > this_year - NEW_ENTRANT_YEARS]
    ranked = sorted(recent, key=lambda k: (-counts[k], shown[k]))
    return [(shown[k], first_year[k], counts[k]) for k in ranked[:TOP]]


def _portfolios(filings: list[Filing]) -> dict[str, dict[str, dict[str, int]]]:
    table: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for f in filings:
        if f.competitor:
            table[f.competitor][f.country][f.status] += 1
    return {c: {country: dict(s) for country, s in sorted(m.items())} for c, m in sorted(table.items())}


def _families(filings: list[Filing], cluster: Cluster) -> list[dict[str, Any]]:
    groups: dict[str, list[Filing]] = defaultdict(list)
    for f in filings:
        if f.family_id:
            groups[f.family_id].append(f)
    targets = set(cluster.countries)
    spanning = []
    for family_id, members in groups.items():
        markets = sorted({f.country for f in members if not targets or f.country in targets})
        if len(markets) < 2:
            continue
        spanning.append(
            {
                "family_id": family_id,
                "markets": markets,
                "filings": [f.ids[0] for f in members],
                "title": members[0].title,
                "applicants": members[0].applicants[:3],
                "statuses": {f.country: f.status for f in members},
            }
        )
    return sorted(spanning, key=lambda s: (-len(s["markets"]), s["family_id"]))


def landscape_json(land: Landscape) -> dict[str, Any]:
    """The landscape as JSON (the API's ``/clusters/NAME``): counts only, no document text."""
    return {
        "cluster": land.cluster.name,
        "date": land.today,
        "filings": len(land.filings),
        "publications": land.publications,
        "per_year_country": {y: dict(c) for y, c in land.per_year_country.items()},
        "top_applicants": [{"name": n, "filings": k} for n, k in land.top_applicants],
        "codes": [{"code": c, "filings": k} for c, k in land.codes],
        "statuses": land.statuses,
        "new_entrants": [{"name": n, "first_year": y, "filings": k} for n, y, k in land.new_entrants],
        "portfolios": land.portfolios,
        "families": [
            {k: f[k] for k in ("family_id", "markets", "filings", "statuses")} for f in land.families
        ],
    }
