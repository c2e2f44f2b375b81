"""`classify`'s fast whole path (rows read from SQLite with their lists decoded per batch, scores,
top terms looked for among each watchlist's strongest columns first, evidence JSON built per batch,
matches written) stores exactly what the slow per-pair reference computes, on real grants."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from test_classify_evidence import reference_evidence
from test_classify_scoring import read_grants, trained_model

from warning.classify import evidence
from warning.classify.featurize import classification_text
from warning.classify.fit import term_lookup
from warning.classify.run import EAGER, Scorer, _sweep, model_version
from warning.classify.watchlists import load_watchlists
from warning.models import Publication
from warning.store.db import open_db
from warning.store.matches import publications_after, record_batch
from warning.store.publications import save_publications

REPO = Path(__file__).resolve().parents[1]
COUNTRIES = ("US", "EP", "CN", "JP", "KR")


@pytest.fixture
def setting(corpus, tmp_path):
    grants = read_grants(corpus, 600)
    watchlists = load_watchlists(REPO / "watchlists")
    names = [w.name for w in watchlists]
    texts = [t for _, t, _ in grants]
    models = [None] * len(watchlists)
    for name, prefixes in (("medical-devices", ("A61B", "A61F", "A61M")), ("nev-batteries", ("H01",))):
        model = trained_model(corpus, prefixes)[0]
        model.terms = term_lookup(texts, model.indices, limit=600)
        model.card = {"trained_at": "2026-12-01T10:00:00", "data_hash": "0123456789"}
        models[names.index(name)] = model
    pubs = []
    for i, (number, text, codes) in enumerate(grants):
        title, _, abstract = text.partition("\n")
        applicants = ["Honda Motor Co., Ltd.", "Acme"] if i % 7 == 0 else ["Acme"]
        country = COUNTRIES[i % len(COUNTRIES)]
        pubs.append(
            Publication(
                f"{country}-{number}-B1", country, number, "B1", titles={"en": title},
                abstracts={"en": abstract}, ipc=codes, cpc=["B62K 11/04"] if i % 11 == 0 else [],
                applicants=applicants,
            )
        )  # fmt: skip
    db = open_db(tmp_path / "store.db")
    save_publications(db, pubs)
    return db, watchlists, models, pubs


def reference_matches(scorer: Scorer, pubs: list[Publication]) -> set[tuple]:
    """Per pair, in Python: rows as the Publication objects hold them, score >= threshold in one of
    the watchlist's markets, evidence by `reference_evidence` (terms and `BatchRules.evidence`)."""
    texts = [
        classification_text("\n".join(p.titles.values()), "\n".join(p.abstracts.values()), "") for p in pubs
    ]
    codes = [[*p.cpc, *p.ipc] for p in pubs]
    scores, features, hits = scorer.score(texts, codes, [p.applicants for p in pubs])
    found = set()
    for d, pub in enumerate(pubs):
        for k, w in enumerate(scorer.watchlists):
            if scores[d, k] >= scorer.thresholds[k] and (not w.countries or pub.country in w.countries):
                found.add(
                    (
                        pub.id,
                        w.name,
                        round(float(scores[d, k]), 4),
                        float(scorer.thresholds[k]),
                        reference_evidence(scorer, d, k, features, hits),
                        model_version(scorer.models[k]),
                    )
                )
    return found


@pytest.mark.parametrize("heavy", [4, evidence.HEAVY, 10**9])  # mostly a second pass, some, none
def test_the_store_path_stores_what_the_per_pair_reference_computes(setting, monkeypatch, heavy):
    db, watchlists, models, pubs = setting
    monkeypatch.setattr(evidence, "HEAVY", heavy)
    scorer = Scorer(watchlists, models, top_terms=8)
    config = SimpleNamespace(classify=SimpleNamespace(batch_size=128, max_text_chars=20_000))
    counts = {"publications": 0, "scored": 0, "matches": 0, "updated": 0}
    _sweep(SimpleNamespace(db=db, config=config), scorer, 0, len(pubs), counts, None, EAGER)
    assert counts["publications"] == len(pubs)
    sql = "SELECT publication_id, watchlist, score, threshold, evidence, model_version FROM matches"
    stored = db.execute(sql).fetchall()
    expected = reference_matches(scorer, pubs)
    assert len(stored) == len(expected) and set(stored) == expected
    decoded = [json.loads(m[4]) for m in stored]
    assert any(len(e["terms"]) == 8 for e in decoded) and any(e["rules"]["competitors"] for e in decoded)
    assert any(e["rules"]["keywords"] for e in decoded) and any(e["rules"]["cpc"] for e in decoded)
    assert {m[1] for m in stored} >= {"medical-devices", "nev-batteries"}


def test_a_batch_of_lists_decodes_as_row_by_row(setting):
    """The lists of a batch decoded by one `json.loads` per column equal the stored lists."""
    db, _, _, pubs = setting
    rows = publications_after(db, 0, len(pubs), len(pubs), text_chars=20_000)
    assert [(r["id"], r["ipc"], r["cpc"], r["applicants"]) for r in rows] == [
        (p.id, p.ipc, p.cpc, p.applicants) for p in pubs
    ]
    assert np.all([isinstance(r["ipc"], list) for r in rows])


def test_a_match_scored_again_unchanged_is_not_written_again(tmp_path):
    """A rescore writes only the matches it changes (work in proportion to what changed)."""
    db = open_db(tmp_path / "store.db")
    first = [("US-1-B1", "drones", 0.9, 0.5, '{"terms": []}', "rules", "2026-01-01T00:00:00Z")]
    record_batch(db, first, [("drones", 1, "rules", "2026-01-01T00:00:00Z")])
    before = db.conn.total_changes
    record_batch(db, [(*first[0][:6], "2026-02-01T00:00:00Z")], [])
    assert db.conn.total_changes == before  # nothing changed, nothing written
    record_batch(db, [("US-1-B1", "drones", 0.8, 0.5, '{"terms": []}', "rules", "2026-02-01T00:00:00Z")], [])
    assert db.conn.total_changes == before + 1
    (row,) = db.execute("SELECT score, created_at FROM matches").fetchall()
    assert row == (0.8, "2026-01-01T00:00:00Z")  # updated in place, first matched time kept
