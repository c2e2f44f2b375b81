"""The watchlist's rules as a prior blended into a trained model's calibration (few labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import corpus_path
from test_classify_families import pizza_titles
from test_classify_scoring import read_grants

from warning.classify.fit import PRIOR_FEW, calibrate, fit_linear
from warning.classify.model import load_model, save_model
from warning.classify.rules import rule_prior
from warning.classify.run import Scorer
from warning.classify.train import training_features
from warning.classify.watchlists import parse_watchlist
from warning.errors import ModelError

OVENS = parse_watchlist(
    {"name": "ovens", "description": "ovens", "keywords": ["oven", "baking", "cooking apparatus"]},
    Path("ovens.toml"),
)


def test_an_informative_prior_gets_weight_and_an_uninformative_one_none():
    rng = np.random.default_rng(0)
    labels = np.repeat([1, 0], [20, 400])
    decision = rng.normal(0.0, 1.0, len(labels)) + 0.8 * labels  # a weak model
    hits = np.where(labels == 1, rng.random(len(labels)) < 0.7, rng.random(len(labels)) < 0.05)
    a, b, g = calibrate(decision, labels, 0.3 * hits)
    assert a > 0 and g > 1.0
    assert calibrate(decision, labels, None)[2] == 0.0
    assert calibrate(decision, labels, np.zeros(len(labels)))[2] == 0.0
    # rules that hit the negatives more than the positives are not blended in
    backwards = np.where(labels == 1, rng.random(len(labels)) < 0.05, rng.random(len(labels)) < 0.5)
    assert calibrate(decision, labels, 0.3 * backwards)[2] == 0.0


@pytest.fixture(scope="module")
def ovens():
    texts, y = pizza_titles(corpus_path, 3000)
    return texts, y, training_features(texts), rule_prior(OVENS, texts)


def test_ten_labels_lean_on_the_rules_and_do_better_for_it(ovens):
    texts, y, x, prior = ovens
    train, test = np.arange(len(y)) % 3 != 0, np.arange(len(y)) % 3 == 0
    idx = np.sort(np.concatenate([np.flatnonzero(train & (y == 1))[:10], np.flatnonzero(train & (y == 0))]))
    store = np.flatnonzero(train)
    plain, _ = fit_linear(x[idx], y[idx], store=x[store])
    blended, report = fit_linear(x[idx], y[idx], store=x[store], prior=prior[idx], store_prior=prior[store])
    assert report.prior_weight == blended.calib_prior > 0

    def f1(scores, threshold):
        hit, truth = scores >= threshold, y[test] == 1
        return 2 * (hit & truth).sum() / (hit.sum() + truth.sum())

    plain_f1 = f1(plain.probability(x[test]), plain.threshold)
    blended_f1 = f1(blended.probability(x[test], prior=prior[test]), blended.threshold)
    assert blended_f1 > plain_f1
    with pytest.raises(ModelError, match="rule scores"):
        blended.probability(x[test])  # silently scoring without the rules would lower every score


def test_the_blend_survives_saving_and_the_scorer_applies_it(ovens, tmp_path):
    texts, y, x, prior = ovens
    model, _ = fit_linear(x[:800], y[:800], prior=prior[:800])
    assert model.calib_prior > 0
    save_model(model, tmp_path / "ovens")
    loaded = load_model(tmp_path / "ovens")
    assert loaded.calib_prior == pytest.approx(model.calib_prior)
    sample = texts[1500:1700]
    scores, _, _ = Scorer([OVENS], [loaded]).score(sample, [[] for _ in sample], [[] for _ in sample])
    direct = model.probability(x[1500:1700], prior=prior[1500:1700])
    np.testing.assert_allclose(scores[:, 0], direct, rtol=1e-4, atol=1e-6)
    # an older model without the blend still loads and scores as before
    plain, _ = fit_linear(x[:800], y[:800])
    save_model(plain, tmp_path / "plain")
    assert load_model(tmp_path / "plain").calib_prior == 0.0


def test_store_documents_the_model_was_trained_on_are_read_out_of_fold(ovens):
    # The store sample is the labelled set itself: its share of relevant documents is the
    # training share, which the fitted model's own (in-sample, overconfident) scores overstate.
    texts, y, x, prior = ovens
    rows = np.arange(1200)
    _, naive = fit_linear(x[rows], y[rows], store=x[rows])
    _, honest = fit_linear(x[rows], y[rows], store=x[rows], store_examples=rows)
    truth = y[rows].mean()
    assert abs(honest.store_prevalence - truth) < abs(naive.store_prevalence - truth)
    assert abs(honest.store_prevalence - truth) < 0.25 * truth


def test_on_abstracts_the_rules_are_blended_while_positives_are_few_only(monkeypatch):
    grants = read_grants(corpus_path, 800)
    x = training_features([t for _, t, _ in grants])
    y = np.array([any(c.startswith("A61K") for c in codes) for _, _, codes in grants], np.int8)
    rng = np.random.default_rng(1)  # rules that know more than the words: 70 % of positives, 3 % of the rest
    prior = 0.3 * np.where(y == 1, rng.random(len(y)) < 0.7, rng.random(len(y)) < 0.03)
    assert y.sum() > PRIOR_FEW
    many, _ = fit_linear(x, y, prior=prior)
    assert many.calib_prior == 0.0  # long texts, many positives: the words carry the keywords
    few = np.sort(np.concatenate([np.flatnonzero(y == 1)[:10], np.flatnonzero(y == 0)]))
    assert fit_linear(x[few], y[few], prior=prior[few])[0].calib_prior > 0
    monkeypatch.setattr("warning.classify.fit.PRIOR_FEW", 10**6)
    assert fit_linear(x, y, prior=prior)[0].calib_prior > 0  # it was the rule, not the data
