"""The shared featurizer, batch rules and one-pass scoring of many watchlists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from warning.classify.featurize import TextBatch, featurize, hash_terms, terms
from warning.classify.fit import fit_linear
from warning.classify.rules import RuleSet, rule_prior
from warning.classify.run import Scorer
from warning.classify.watchlists import keyword_pattern, load_watchlists, match_keywords

REPO = Path(__file__).resolve().parents[1]
MIXED = [
    "Motorcycle frame with a swing arm and a carburettor",
    "一种电动摩托车的锂离子电池包及其电池管理系统",
    "リチウムイオン二次電池の正極活物質とドローンのプロペラ",
    "Kraftstoffeinspritzventil für ein Motorrad mit Schwinge",
    "",
    "LED灯具 with phosphor; a light-emitting diode luminaire",
]


def read_grants(corpus, limit=600) -> list[tuple[str, str, list[str]]]:
    path = corpus("uspto-latam-lucaslopes", "uspto_to_be_classified", "USPTO_ar_inventors_data.txt")
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[:limit]:
        parts = line.split("\t")
        codes = [c.split("(")[0].replace(" ", "") for c in parts[5].split(";") if c.strip()]
        out.append((parts[0], f"{parts[1]}\n{parts[2]}", codes))
    return out


def test_batch_hashing_equals_readable_terms():
    matrix = featurize(MIXED)
    for i, text in enumerate(MIXED):
        assert set(matrix[i].indices) == set(hash_terms(terms(text)))
        if text:
            assert np.isclose((matrix[i].data ** 2).sum(), 1.0)
    assert "摩托" in terms(MIXED[1]) and "einsp" in terms(MIXED[3]) and "swing arm" in terms(MIXED[0])


def test_featurizer_is_stateless():
    alone = featurize([MIXED[1]])
    together = featurize(MIXED)
    assert (alone[0] != together[1]).nnz == 0


def test_batch_rules_agree_with_the_regex_rules(corpus):
    watchlists = load_watchlists(REPO / "watchlists")
    texts = MIXED + [t for _, t, _ in read_grants(corpus, 300)]
    rules = RuleSet(watchlists).match(TextBatch(texts), [[] for _ in texts], [[] for _ in texts])
    for d, text in enumerate(texts):
        for k, w in enumerate(watchlists):
            expected = match_keywords(keyword_pattern(w.keywords), w.keywords, text)
            assert rules.evidence(d, k)["keywords"] == sorted(expected), (w.name, text[:80])


def trained_model(corpus, prefixes):
    grants = read_grants(corpus)
    labels = np.array([any(c.startswith(prefixes) for c in codes) for _, _, codes in grants], dtype=np.int8)
    model, report = fit_linear(featurize([t for _, t, _ in grants]), labels)
    return model, report


def test_one_pass_equals_per_watchlist_scoring(corpus):
    watchlists = load_watchlists(REPO / "watchlists")
    models = [None] * len(watchlists)
    names = [w.name for w in watchlists]
    models[names.index("medical-devices")] = trained_model(corpus, ("A61B", "A61F", "A61M"))[0]
    models[names.index("nev-batteries")] = trained_model(corpus, ("H01",))[0]
    grants = read_grants(corpus, 200)
    texts = [t for _, t, _ in grants] + MIXED
    codes = [c for _, _, c in grants] + [["B62K 11/04"]] * len(MIXED)
    applicants = [["Honda Motor Co., Ltd."]] * len(texts)
    together, _, _ = Scorer(watchlists, models).score(texts, codes, applicants)
    for k, w in enumerate(watchlists):
        alone, _, _ = Scorer([w], [models[k]]).score(texts, codes, applicants)
        np.testing.assert_allclose(together[:, k], alone[:, 0], rtol=1e-5, atol=1e-7)
    moto = names.index("motorcycles")
    assert together[len(grants), moto] > 0.5  # code + keywords + competitor, by rules


def test_text_alone_separates_a_product_line(corpus):
    model, report = trained_model(corpus, ("A61B", "A61F", "A61M"))
    assert report is not None and report.f1 > 0.5 and 0 < model.threshold < 1
    probs = model.probability(
        featurize(["A catheter with a balloon for insertion into a blood vessel of a patient"])
    )
    assert probs[0] > model.threshold


@pytest.mark.parametrize("target", [0.9])
def test_target_precision_raises_the_threshold(corpus, target):
    grants = read_grants(corpus)
    labels = np.array([any(c.startswith(("A61B", "A61F", "A61M")) for c in codes) for _, _, codes in grants])
    features = featurize([t for _, t, _ in grants])
    free, _ = fit_linear(features, labels)
    strict, report = fit_linear(features, labels, target_precision=target)
    _, free_report = fit_linear(features, labels)
    assert report.precision >= min(target, free_report.precision)
    assert strict.threshold != free.threshold


def test_a_competitor_strengthens_a_hit_but_is_none_by_itself():
    moto = next(w for w in load_watchlists(REPO / "watchlists") if w.name == "motorcycles")
    texts = [
        "Die casting mould for aluminium parts",
        "Swing arm for a motorcycle",
        "Swing arm for a motorcycle",
    ]
    honda, other = ["Honda Motor Co., Ltd."], ["Acme Tooling Ltd."]
    prior = rule_prior(moto, texts, [[], [], []], [honda, other, honda])
    # Honda's die-casting mould: no code and no keyword, so no evidence (the trained decisions pass
    # every hit); its motorcycle swing arm: more evidence than another applicant's
    assert prior[0] == 0.0 and 0 < prior[1] < prior[2]
