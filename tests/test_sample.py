"""The bundled demo sample: real office formats, the planned mix, repeatable, and ingestible."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from warning.cli import cli
from warning.demo.sample import DEMO_DATE, plan_sample, write_sample
from warning.demo.sample.builder import counts_by
from warning.demo.sample.content import WATCHLISTS
from warning.demo.sample.documents import WEEKS
from warning.sources.jsonl import record_to_publication
from warning.sources.xml.safe import parse_xml
from warning.store import open_db
from warning.store.publications import get_publication, iter_publications

EXCHANGE = "{http://www.epo.org/exchange}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The sample's office files in one folder, its labels beside it (not among them)."""
    root = tmp_path_factory.mktemp("sample")
    counts = write_sample(root / "office", labels_path=root / "labels.jsonl")
    return root / "office", root / "labels.jsonl", counts


def documents(path: Path) -> list[bytes]:
    """The XML documents of one file (USPTO weekly files concatenate them)."""
    data = path.read_bytes()
    if path.name.startswith(("ipg", "ipa")):
        return [b"<?xml" + part for part in data.split(b"<?xml")[1:]]
    return [data]


def test_every_file_is_well_formed_xml_in_its_office_format(sample):
    office, _, counts = sample
    roots = Counter()
    for path in sorted(office.iterdir()):
        for data in documents(path):
            roots[parse_xml(data, path.name).tag] += 1
    assert roots == {
        "us-patent-grant": 60,
        "us-patent-application": 60,
        "ep-patent-document": 40,
        "{http://ops.epo.org}world-patent-data": counts["files"] - 42,
    }
    assert (office / "ipg261117.xml").read_bytes().count(b'dtd-version="v4.5 2014-04-03"') == 60
    assert (office / "ipa261112.xml").read_bytes().count(b'dtd-version="v4.6 2022-02-17"') == 60


def test_counts_per_country_and_product_line():
    plan = plan_sample()
    by = counts_by(plan)
    assert len(plan.all()) == 283
    assert by["country"] == {
        "US": 120, "EP": 40, "CN": 30, "JP": 18, "KR": 14, "IN": 10, "WO": 10,
        "VN": 8, "BR": 8, "RU": 8, "TH": 6, "MX": 6, "TR": 5,
    }  # fmt: skip
    per_line = by["watchlist"]
    assert set(per_line) == {*WATCHLISTS, ""}
    assert all(per_line[w] >= 20 for w in WATCHLISTS)
    assert 0.45 <= per_line[""] / len(plan.all()) <= 0.55  # half background, for the negatives
    near_misses = [d for d in plan.all() if d.topic.near_miss_of]
    assert {d.topic.near_miss_of for d in near_misses} == set(WATCHLISTS)
    assert len({d.id for d in plan.all()}) == len(plan.all())


def test_titles_in_the_offices_languages(sample):
    office, _, _ = sample
    langs: dict[str, set[str]] = {}
    for path in office.glob("ops-biblio-*.xml"):
        root = parse_xml(path.read_bytes(), path.name)
        for doc in root.iter(f"{EXCHANGE}exchange-document"):
            titles = {t.get("lang") for t in doc.iter(f"{EXCHANGE}invention-title")}
            langs.setdefault(doc.get("country"), set()).update(titles)
    assert {"zh", "en"} <= langs["CN"]
    assert {"ja", "en"} <= langs["JP"]
    assert "ko" in langs["KR"] and "ru" in langs["RU"] and "vi" in langs["VN"] and "pt" in langs["BR"]
    assert langs["WO"] == {"en"}
    ep = parse_xml((office / next(p.name for p in office.glob("EP*B1.xml"))).read_bytes())
    assert ep.xpath("SDOBI/B500/B540/B541/text()") == ["de", "en", "fr"]
    assert ep.xpath("claims/@lang") == ["en", "de", "fr"]


def test_publication_dates_lie_in_the_weeks_before_the_demo_date_with_a_trend():
    docs = plan_sample().all()
    first_day = DEMO_DATE - timedelta(weeks=WEEKS)
    assert all(first_day < d.pub_date <= DEMO_DATE for d in docs)
    monday = DEMO_DATE - timedelta(days=DEMO_DATE.weekday())
    recent = sum(1 for d in docs if d.pub_date >= monday - timedelta(weeks=3))
    older = sum(1 for d in docs if d.pub_date < monday - timedelta(weeks=WEEKS - 4))
    assert recent > older


def test_ep_grants_open_an_opposition_period_after_the_demo_date(sample):
    office, _, _ = sample
    grants = sorted(office.glob("EP*B1.xml"))
    assert len(grants) == 10
    for path in grants:
        root = parse_xml(path.read_bytes(), path.name)
        granted = date.fromisoformat(_iso(root.findtext("SDOBI/B400/B450/date")))
        assert granted <= DEMO_DATE < granted + timedelta(days=274)  # nine months to oppose
        assert root.findtext("SDOBI/B700/B730/B731/snm")
    watched = [d for d in plan_sample().ep if d.kind == "B1" and d.topic.watchlist]
    assert len(watched) >= 3  # so the demo can open a risk case with an opposition deadline


def test_two_runs_write_identical_bytes_quickly_and_small(tmp_path):
    started = time.perf_counter()
    write_sample(tmp_path / "one")
    elapsed = time.perf_counter() - started
    write_sample(tmp_path / "two")
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert one == two
    assert sum(len(b) for b in one.values()) < 3_000_000
    assert elapsed < 5  # about 1 s on a 2-core machine; generous for a loaded CI runner


def test_labels_are_other_publications_forty_per_watchlist(sample):
    _, labels, counts = sample
    lines = [json.loads(line) for line in labels.read_text("utf-8").splitlines()]
    assert counts["labels"] == len(lines) == 40 * len(WATCHLISTS)
    per = Counter((r["watchlist"], r["label"]) for r in lines)
    assert all(per[(w, 1)] == 20 and per[(w, 0)] == 20 for w in WATCHLISTS)
    assert {r["lang"] for r in lines} >= {"en", "zh", "ja", "ko"}
    ids = [record_to_publication(r).id for r in lines]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & {d.id for d in plan_sample().all()}
    assert all(r["title"] and r["abstract"] and r["cpc"] and r["applicants"] for r in lines)


def test_warning_ingest_stores_every_publication_without_quarantine(sample, tmp_path):
    office, _, counts = sample
    db_path = tmp_path / "ingest.db"
    result = CliRunner().invoke(cli, ["--db", str(db_path), "ingest", "--no-progress", str(office)])
    assert result.exit_code == 0, result.output
    db = open_db(db_path)
    try:
        stored = {p.id: p for p in iter_publications(db)}
        plan = plan_sample()
        assert set(stored) == {d.id for d in plan.all()}
        assert db["quarantine"].count == 0
        for pattern in (
            r"US-128\d{5}-B[12]",
            r"US-2026\d{7}-A1",
            r"EP-4\d{6}-(A1|A2|B1)",
            r"CN-12\d{7}-A",
            r"JP-2026\d{6}-A",
            r"KR-2026\d{7}-A",
            r"WO-2026\d{6}-A1",
            r"RU-\d{7}-C1",
        ):
            assert any(re.fullmatch(pattern, i) for i in stored), pattern
        for doc in plan.all():
            _check_fields(doc, stored[doc.id])
        again = CliRunner().invoke(cli, ["--db", str(db_path), "ingest", "--no-progress", str(office)])
        assert again.exit_code == 0 and db["publications"].count == counts["publications"]
        assert get_publication(db, plan.ep[-1].id).claims.keys() == {"en", "de", "fr"}
    finally:
        db.conn.close()


def _check_fields(doc, pub):
    """What each office's parser reads back is what the sample meant to say."""
    assert pub.kind == doc.kind and pub.publication_date == doc.pub_date.isoformat()
    assert pub.titles and pub.applicants and pub.inventors
    if doc.country in ("US", "EP"):
        assert "en" in pub.abstracts or doc.is_grant
        assert "en" in pub.claims
    if doc.country != "EP":  # the EP parser reads IPC only (B510EP), not the CPC in B520EP
        assert [c.replace(" ", "") for c in doc.family.cpc] == pub.cpc
    assert pub.ipc
    if doc.country not in ("US", "EP"):
        assert pub.family_id == doc.family.family_id
    expected_langs = {"CN": "zh", "JP": "ja", "KR": "ko", "RU": "ru", "VN": "vi", "BR": "pt"}
    if doc.country in expected_langs:
        assert expected_langs[doc.country] in pub.titles and expected_langs[doc.country] in pub.abstracts
    assert bool(pub.priority_claims) == (doc.priority is not None)


def _iso(text: str | None) -> str:
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if text else ""


def test_the_shipped_watchlists_see_every_watched_publication_and_some_near_misses(sample, tmp_path):
    from warning.classify.featurize import TextBatch
    from warning.classify.rules import RuleSet
    from warning.classify.watchlists import load_watchlists
    from warning.sources.ingest import ingest_paths

    office, _, _ = sample
    db = open_db(tmp_path / "rules.db")
    try:
        ingest_paths(db, [office])
        plan = {d.id: d for d in plan_sample().all()}
        watchlists = load_watchlists(Path(__file__).resolve().parents[1] / "watchlists")
        assert {w.name for w in watchlists} >= set(WATCHLISTS)
        near_miss_hits = 0
        pubs = list(iter_publications(db))
        rules = RuleSet(watchlists).match(  # the keyword and code rules, as classification runs them
            TextBatch([p.text() for p in pubs]), [p.cpc + p.ipc for p in pubs], [[] for _ in pubs]
        )
        for d, pub in enumerate(pubs):
            topic = plan[pub.id].topic
            for k, w in enumerate(watchlists):
                found = rules.evidence(d, k)
                hit = found["keywords"] or found["cpc"]
                if topic.watchlist == w.name:
                    assert hit, (pub.id, w.name)  # a demo that cannot see its own sample alerts nothing
                elif topic.near_miss_of == w.name and hit:
                    near_miss_hits += 1
        assert near_miss_hits >= 5  # the near misses really are near: rules alone would alert on them
    finally:
        db.conn.close()
