"""The bundled demo sample: a few hundred publications written in the offices' real formats.

`write_sample(directory)` writes, deterministically and offline:

- ``ipg261117.xml``: one week of USPTO grants (Red Book v4.5), concatenated;
- ``ipa261112.xml``: one week of USPTO applications (v4.6), concatenated;
- ``EP<number><kind>.xml``: EP A1/A2/B1 documents (``ep-patent-document`` v1.5/v1.5.1);
- ``ops-biblio-<cc>.xml`` (and ``-2``, ``-3`` ...): EPO OPS biblio responses for CN, JP, KR, VN,
  TH, IN, BR, MX, RU, TR and WO;
- ``labels.jsonl``: labelled examples per demo watchlist (other publications than the above).

They go through the same parsers as real data (`warning ingest`), so the demo exercises the
service's own code paths. Half the publications belong to a watched product line, half are
background and near misses; all are published in the weeks up to `DEMO_DATE`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from warning.demo.sample import ep, ops, uspto
from warning.demo.sample.documents import DEMO_DATE, SEED, SampleDoc, SamplePlanner
from warning.demo.sample.labels import labels_jsonl

US_GRANT_DAY = DEMO_DATE  # USPTO grants issue on Tuesdays
US_APPLICATION_DAY = DEMO_DATE - timedelta(days=5)  # applications publish on Thursdays
OPS_KINDS: dict[str, list[str]] = {
    "WO": ["A1"] * 10,
    "CN": ["A"] * 24 + ["B"] * 3 + ["U"] * 3,
    "JP": ["A"] * 16 + ["B2"] * 2,
    "KR": ["A"] * 12 + ["B1"] * 2,
    "VN": ["A"] * 8,
    "TH": ["A"] * 6,
    "IN": ["A"] * 10,
    "BR": ["A2"] * 8,
    "MX": ["A"] * 6,
    "RU": ["C1"] * 4 + ["C2"] * 2 + ["U1"] * 2,
    "TR": ["A2"] * 5,
}
OPS_PAGE = 15  # publications per OPS response file


@dataclass
class SamplePlan:
    """Every publication of the sample, by the file family it is written to."""

    us_grants: list[SampleDoc]
    us_applications: list[SampleDoc]
    ep: list[SampleDoc]
    ops: dict[str, list[SampleDoc]]

    def all(self) -> list[SampleDoc]:
        return [
            *self.us_grants,
            *self.us_applications,
            *self.ep,
            *(d for docs in self.ops.values() for d in docs),
        ]


def plan_sample(seed: int = SEED) -> SamplePlan:
    """Plan the sample's publications (pure and repeatable: the same seed gives the same plan)."""
    planner = SamplePlanner(seed)
    wo = planner.publish("WO", OPS_KINDS["WO"])
    us_applications = planner.publish("US", ["A1"] * 60, on=US_APPLICATION_DAY)
    ep_docs = planner.publish("EP", ["A1"] * 26 + ["A2"] * 4) + planner.publish("EP", ["B1"] * 10)
    us_grants = planner.publish("US", [("B1" if i % 5 == 0 else "B2") for i in range(60)], on=US_GRANT_DAY)
    ops_docs = {"WO": wo}
    for country, kinds in OPS_KINDS.items():
        if country != "WO":
            ops_docs[country] = planner.publish(country, kinds)
    return SamplePlan(us_grants, us_applications, ep_docs, ops_docs)


def write_sample(directory: Path, labels_path: Path | None = None, seed: int = SEED) -> dict[str, int]:
    """Write the sample's office files into ``directory`` and the labelled examples to
    ``labels_path`` (default ``directory/labels.jsonl``); return what was written.

    Example:

    \b
        counts = write_sample(Path("/tmp/sample"))
        # {"files": 55, "publications": 283, "us_grants": 60, ..., "labels": 240}
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    plan = plan_sample(seed)
    files = sample_files(plan)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    labels = labels_jsonl(seed + 1)
    (Path(labels_path) if labels_path else directory / "labels.jsonl").write_bytes(labels)
    return {
        "files": len(files),
        "publications": len(plan.all()),
        "us_grants": len(plan.us_grants),
        "us_applications": len(plan.us_applications),
        "ep_documents": len(plan.ep),
        "ops_documents": sum(len(d) for d in plan.ops.values()),
        "relevant": sum(1 for d in plan.all() if d.topic.watchlist),
        "labels": labels.count(b"\n"),
    }


def sample_files(plan: SamplePlan) -> dict[str, bytes]:
    """File name -> bytes of every office file of the plan."""
    files = {
        f"ipg{US_GRANT_DAY:%y%m%d}.xml": uspto.grants_file(plan.us_grants),
        f"ipa{US_APPLICATION_DAY:%y%m%d}.xml": uspto.applications_file(plan.us_applications),
    }
    for doc in plan.ep:
        files[ep.file_name(doc)] = ep.ep_document(doc, "1.5" if doc.kind == "A2" else "1.5.1")
    for country, docs in plan.ops.items():
        for page, start in enumerate(range(0, len(docs), OPS_PAGE), start=1):
            chunk = docs[start : start + OPS_PAGE]
            name = f"ops-biblio-{country.lower()}{'' if page == 1 else f'-{page}'}.xml"
            files[name] = (
                ops.search_response(chunk, _query(country, docs), len(docs))
                if page == 1
                else ops.biblio_response(chunk)
            )
    return files


def counts_by(plan: SamplePlan) -> dict[str, Counter]:
    """Publications per country, per watchlist ('' for background) and per kind."""
    docs = plan.all()
    return {
        "country": Counter(d.country for d in docs),
        "watchlist": Counter(d.topic.watchlist or "" for d in docs),
        "kind": Counter(f"{d.country}-{d.kind}" for d in docs),
    }


def _query(country: str, docs: list[SampleDoc]) -> str:
    first: date = min(d.pub_date for d in docs)
    last: date = max(d.pub_date for d in docs)
    return f'pn={country} and pd within "{first:%Y%m%d} {last:%Y%m%d}"'
