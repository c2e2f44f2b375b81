"""Feature families chosen per watchlist, and thresholds set for the store's prevalence."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from test_classify_scoring import MIXED, read_grants

from warning.classify.featurize import (
    FAMILIES,
    FAMILY_WIDTH,
    WORDS,
    featurize,
    hash_terms,
    terms,
)
from warning.classify.fit import candidate_families, choose_threshold, fit_linear, store_threshold
from warning.classify.model import load_model, save_model
from warning.classify.run import Scorer
from warning.classify.watchlists import parse_watchlist


def pizza_titles(corpus, limit=3000) -> tuple[list[str], np.ndarray]:
    """PATENTSCOPE pizza titles; label: an oven (F24C / A21B) among documents sharing one topic."""
    path = corpus("wipo-patentscope-export-pizza", "patentscope_pizza_all_24294.DERIVED.csv")
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Title"].strip():
                texts.append(row["Title"])
                labels.append(
                    any(c.replace(" ", "").startswith(("F24C", "A21B")) for c in row["IPC"].split(";"))
                )
            if len(texts) == limit:
                break
    return texts, np.array(labels, dtype=np.int8)


def test_char_ngrams_hash_as_their_readable_terms_and_each_family_is_normalised_alone():
    matrix = featurize(MIXED, FAMILIES)
    for i, text in enumerate(MIXED):
        assert set(matrix[i].indices) == set(hash_terms(terms(text, FAMILIES)))
        row = matrix[i]
        for family in range(len(FAMILIES)):
            part = row.data[row.indices // FAMILY_WIDTH == family]
            assert len(part) == 0 or np.isclose((part**2).sum(), 1.0, atol=1e-5)
    assert "#_swin" in terms(MIXED[0], FAMILIES) and "#arm_" in terms(MIXED[0], FAMILIES)
    words_only = featurize(MIXED)
    both = featurize(MIXED, FAMILIES)[:, :FAMILY_WIDTH]
    assert (words_only[:, :FAMILY_WIDTH] != both).nnz == 0  # the words part is the same
    assert words_only.indices.max() < FAMILY_WIDTH


def test_an_unknown_family_is_refused():
    with pytest.raises(ValueError, match="unknown feature families"):
        featurize(["x"], ("words", "syllables"))


def test_char_ngrams_are_tried_on_titles_not_on_abstracts(corpus):
    titles, _ = pizza_titles(corpus, 500)
    assert candidate_families(featurize(titles, FAMILIES)) == [WORDS, ("words", "chars")]
    abstracts = [t for _, t, _ in read_grants(corpus, 300)]
    assert candidate_families(featurize(abstracts, FAMILIES)) == [WORDS]


def test_a_char_model_scores_the_same_through_the_scorer_and_after_saving(corpus, tmp_path):
    texts, labels = pizza_titles(corpus)
    model, report = fit_linear(featurize(texts, FAMILIES), labels)
    assert report.families in (WORDS, ("words", "chars")) and model.families == report.families
    save_model(model, tmp_path / "ovens")
    loaded = load_model(tmp_path / "ovens")
    assert loaded.families == model.families
    sample = texts[:200]
    direct = loaded.probability(featurize(sample, FAMILIES))
    watchlist = parse_watchlist(
        {"name": "ovens", "description": "ovens", "keywords": ["oven"]}, tmp_path / "o.toml"
    )
    scored, _, _ = Scorer([watchlist], [loaded]).score(sample, [[]] * len(sample), [[]] * len(sample))
    np.testing.assert_allclose(scored[:, 0], direct, rtol=1e-5, atol=1e-6)


def test_few_labels_in_a_richer_store_lower_the_threshold(corpus):
    grants = read_grants(corpus, 3000)
    features = featurize([t for _, t, _ in grants])
    y = np.array(
        [any(c.startswith(("A61B", "A61F", "A61M")) for c in codes) for _, _, codes in grants], np.int8
    )
    train, test = np.arange(len(y)) % 3 != 0, np.arange(len(y)) % 3 == 0
    positives = np.flatnonzero(train & (y == 1))[:10]
    idx = np.sort(np.concatenate([positives, np.flatnonzero(train & (y == 0))]))
    plain, _ = fit_linear(features[idx], y[idx])
    aware, report = fit_linear(features[idx], y[idx], store=features[np.flatnonzero(train)])
    assert report.store_prevalence > 3 * report.train_prevalence  # 10 positives among ~2000 labels
    assert aware.threshold < plain.threshold

    def f1(model):
        hit = model.probability(features[test]) >= model.threshold
        tp = (hit & (y[test] == 1)).sum()
        return 2 * tp / (hit.sum() + y[test].sum())

    assert f1(aware) > f1(plain)


def test_balanced_labels_in_a_poorer_store_keep_precision():
    # out-of-fold probabilities of 50 positives and 50 negatives, and a store where 5 % are relevant
    rng = np.random.default_rng(0)
    pos, neg = rng.beta(5, 2, 50), rng.beta(2, 5, 50)
    store = np.concatenate([rng.beta(5, 2, 50), rng.beta(2, 5, 950)])
    labels, probs = np.repeat([1, 0], 50), np.concatenate([pos, neg])
    naive = choose_threshold(labels, probs, target_precision=0.8)
    aware = store_threshold(pos, store, 0.05, target_precision=0.8)
    precision = lambda t: (store[:50] >= t).sum() / max((store >= t).sum(), 1)  # noqa: E731
    assert aware > naive and precision(aware) >= 0.75 > precision(naive)
