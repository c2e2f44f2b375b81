"""The batch evidence JSON equals the per-match reference (the original per-pair implementation)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_classify_scoring import MIXED, read_grants, trained_model

from warning.classify.evidence_text import weight_text
from warning.classify.fit import term_lookup
from warning.classify.run import Scorer, model_version
from warning.classify.watchlists import load_watchlists

REPO = Path(__file__).resolve().parents[1]
TOP = 8


def reference_terms(model, row, top: int) -> list[list]:
    """Per match, in Python: contributions x_ij * w_j of columns with a readable term, strongest first."""
    weights = _weights(model)
    found = []
    for col, x in zip(row.indices.tolist(), row.data.tolist(), strict=True):
        w = weights.get(col, 0.0)
        if w > 0 and col in model.terms:
            contrib = float(np.float32(w) * np.float32(x))
            found.append((-contrib, model.terms[col], round(contrib, 4)))
    return [[term, weight] for _, term, weight in sorted(found)[:top]]


def _weights(model) -> dict[int, float]:
    if not hasattr(model, "_reference_weights"):
        model._reference_weights = dict(zip(model.indices.tolist(), model.weights.tolist(), strict=True))
    return model._reference_weights


def reference_evidence(scorer: Scorer, doc: int, wl: int, features, hits) -> str:
    model = scorer.models[wl]
    terms = reference_terms(model, features[doc], TOP) if model is not None else []
    evidence = {
        "terms": terms,
        "rules": hits.evidence(doc, wl),
        "model": "trained" if model is not None else "rules",
        "model_version": model_version(model),
    }
    return json.dumps(evidence, ensure_ascii=False)


@pytest.fixture
def scored(corpus):
    watchlists = load_watchlists(REPO / "watchlists")
    names = [w.name for w in watchlists]
    grants = read_grants(corpus, 600)
    texts = [t for _, t, _ in grants]
    models = [None] * len(watchlists)
    for name, prefixes in (("medical-devices", ("A61B", "A61F", "A61M")), ("nev-batteries", ("H01",))):
        model = trained_model(corpus, prefixes)[0]
        model.terms = term_lookup(texts, model.indices, limit=200)  # leaves some columns without a term
        model.card = {"trained_at": "2026-11-24T10:00:00", "data_hash": "abcdef0123"}
        models[names.index(name)] = model
    texts += MIXED
    codes = [c for _, _, c in grants] + [["B62K 11/04", "H01M 10/05", "A61B 5/00"]] * len(MIXED)
    applicants = [["Honda Motor Co., Ltd.", "Acme"] if i % 7 == 0 else ["Acme"] for i in range(len(texts))]
    scorer = Scorer(watchlists, models, top_terms=TOP)
    return scorer, *scorer.score(texts, codes, applicants)


def test_batch_evidence_equals_the_per_match_reference(scored):
    scorer, scores, features, hits = scored
    docs, wls = np.nonzero(scores >= 0.0)  # every pair, matched or not
    order = np.random.default_rng(1).permutation(len(docs))  # any order in, same order out
    docs, wls = docs[order], wls[order]
    batch = scorer.evidence_json(docs, wls, features, hits)
    expected = [reference_evidence(scorer, d, k, features, hits) for d, k in zip(docs, wls, strict=True)]
    assert batch == expected
    decoded = [json.loads(e) for e in batch]
    assert any(e["rules"]["cpc"] for e in decoded) and any(e["rules"]["keywords"] for e in decoded)
    assert any(e["rules"]["competitors"] for e in decoded) and any(len(e["terms"]) == TOP for e in decoded)


def test_weights_are_rounded_like_python():
    values = np.random.default_rng(0).random(10_000).astype(np.float32) * np.float32(3.0)
    values = np.concatenate([values, np.float32([0.00005, 0.00015, 123.45678, 1e-9])])
    assert weight_text(values).tolist() == [repr(round(float(v), 4)) for v in values]


@pytest.mark.parametrize("alpha_max", [1000, 2**40])  # one packed key, or the two-sort fallback
def test_candidates_order_by_row_then_strength_then_term(alpha_max):
    from warning.classify.evidence import _by_row_strongest_first

    rng = np.random.default_rng(3)
    n = 50
    rows = rng.integers(0, n, 400)
    contrib = rng.choice(np.array([0.1, 0.25, 0.5, 0.75], dtype=np.float32), 400)  # many ties
    alpha = rng.permutation(alpha_max if alpha_max < 10_000 else 10_000)[:400].astype(np.int64)
    alpha[0] = alpha_max  # forces the width of the alphabetical rank
    order = _by_row_strongest_first(rows, contrib, alpha, n)
    expected = sorted(range(400), key=lambda i: (rows[i], -contrib[i], alpha[i]))
    assert order.tolist() == expected
