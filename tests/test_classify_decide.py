"""Which decision a trained watchlist makes (`warning.classify.decide`): the model, the rules alone,
or their union, chosen on the watchlist's own examples, and recorded in its card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from warning.classify.decide import Decision, choose, judge, out_of_bag, rule_union, rules_share
from warning.classify.fit import fit_linear
from warning.classify.model import load_model, save_model
from warning.classify.rules import rule_prior
from warning.classify.run import Scorer
from warning.classify.train import Example, _card, training_features
from warning.classify.watchlists import parse_watchlist

OVENS = parse_watchlist({"name": "ovens", "description": "ovens", "keywords": ["oven"]}, Path("ovens.toml"))


def _texts(labels: np.ndarray, rng, keyword_pos: float, keyword_neg: float, signal: str = "") -> list[str]:
    """Titles of random words; "oven" in a share of each class; ``signal`` in every positive."""
    vocabulary = [f"word{i}" for i in range(400)]
    texts = []
    for y in labels:
        words = list(rng.choice(vocabulary, 6))
        if rng.random() < (keyword_pos if y else keyword_neg):
            words.append("oven")
        if y and signal:
            words.append(signal)
        texts.append(" ".join(words))
    return texts


def _fit(texts: list[str], labels: np.ndarray, store_texts: list[str]):
    x, store = training_features(texts), training_features(store_texts)
    return fit_linear(
        x, labels, store=store, prior=rule_prior(OVENS, texts), store_prior=rule_prior(OVENS, store_texts)
    )


def test_with_ten_positives_a_model_no_better_than_its_keywords_falls_back_to_them(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 1500])
    texts = _texts(labels, rng, 0.8, 0.02)  # the keyword is all there is to learn
    store_labels = (rng.random(3000) < 0.05).astype(np.int8)  # a store where 5 % are relevant
    store_texts = _texts(store_labels, rng, 0.8, 0.02)
    model, report = _fit(texts, labels, store_texts)
    assert report.mode == "rules"
    assert len(report.decisions) == 3 and {"rules", "union"} <= set(report.decisions)  # + blend or model
    assert max(report.decisions.values()) < report.decisions["rules"] + 0.05  # judged out of bag
    assert report.share_method in ("sweep", "rules", "max")  # ten positives: from pass rates, not EM
    assert report.store_prevalence == pytest.approx(0.05, abs=0.03)
    assert model.calib_a == 0.0 and len(model.indices) == 0  # no word of the model decides
    # the card says what was chosen and why (each decision's estimated F1)
    example = Example("US1", texts[0], 1, 1.0, "data")
    card = _card(OVENS, [example], report, None)
    assert card["cv"]["mode"] == "rules" and card["cv"]["decisions"] == report.decisions
    # saved and scored by the service: exactly the documents with the keyword
    # the model set aside is kept for `--suggest` to rank by, and saved with it
    assert model.ranking is not None and len(model.ranking.indices) > 0 and model.ranking.calib_a > 0
    save_model(model, tmp_path / "ovens")
    assert load_model(tmp_path / "ovens").ranking is None  # the scorer does not hold it
    loaded = load_model(tmp_path / "ovens", ranking=True)
    np.testing.assert_array_equal(loaded.ranking.weights, model.ranking.weights)
    assert (loaded.ranking.calib_b, loaded.ranking.threshold) == (
        model.ranking.calib_b,
        model.ranking.threshold,
    )
    assert len(loaded.indices) == 0 and loaded.ranking.ranking is None
    scores, _, _ = Scorer([OVENS], [loaded]).score(store_texts, [[]] * 3000, [[]] * 3000)
    matched = scores[:, 0] >= loaded.threshold
    np.testing.assert_array_equal(matched, np.array(["oven" in t.split() for t in store_texts]))


def test_a_model_that_learns_what_the_keywords_miss_is_kept():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.array([1, 0], dtype=np.int8), [60, 1500])
    texts = _texts(labels, rng, 0.3, 0.02, signal="toaster")  # every positive says "toaster"
    store_labels = (rng.random(3000) < 0.04).astype(np.int8)
    model, report = _fit(texts, labels, _texts(store_labels, rng, 0.3, 0.02, signal="toaster"))
    assert report.mode in ("blend", "model", "union")
    assert report.decisions[report.mode] > report.decisions["rules"] + 0.05
    assert len(model.indices) > 0 and model.calib_a > 0


def test_few_positives_take_the_larger_of_the_two_share_estimates(monkeypatch):
    """The sweep and the rules each estimate the store's share from ten positives; an
    underestimate favours a precise model over the keywords, so the larger one is used."""
    import warning.classify.judging as judging

    rng = np.random.default_rng(3)
    labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 1500])
    texts = _texts(labels, rng, 0.8, 0.02, signal="toaster")
    store_labels = (rng.random(3000) < 0.05).astype(np.int8)
    store_texts = _texts(store_labels, rng, 0.8, 0.02, signal="toaster")
    seen = {}
    real_sweep, real_rules = judging.sweep_share, judging.rules_share
    monkeypatch.setattr(judging, "sweep_share", lambda *a: seen.setdefault("sweep", real_sweep(*a)))
    monkeypatch.setattr(judging, "rules_share", lambda *a: seen.setdefault("rules", real_rules(*a)))
    _, report = _fit(texts, labels, store_texts)
    assert seen["sweep"] is not None and seen["rules"] is not None
    assert report.share_method == "max"
    assert report.store_prevalence == max(seen["sweep"], seen["rules"])
    # one of them missing: the other alone, named
    monkeypatch.setattr(judging, "sweep_share", lambda *a: None)
    _, report = _fit(texts, labels, store_texts)
    assert (report.share_method, report.store_prevalence) == ("rules", seen["rules"])


@pytest.mark.parametrize("missing", ["sweep_share", "rules_share"])
def test_with_ten_positives_one_estimate_of_the_store_alone_cannot_replace_the_rules(monkeypatch, missing):
    """Only one of the two estimates of the store's share holds (no cut of the model's scores, or
    no rule, separates the positives): with ten positives nothing checks it, so no decision takes
    the rules' place, though a model would win on the examples; the model's estimate alone may
    still add its finds to every rule hit (the union). With 25 all are judged."""
    import warning.classify.judging as judging
    from warning.classify.card_text import DECISIONS, decision_text

    monkeypatch.setattr(judging, missing, lambda *a: None)
    left = "rules" if missing == "sweep_share" else "sweep"
    rng = np.random.default_rng(3)
    for n_pos, judged in ((10, False), (25, True)):
        labels = np.repeat(np.array([1, 0], dtype=np.int8), [n_pos, 1500])
        texts = _texts(labels, rng, 0.3, 0.02, signal="toaster")  # every positive says "toaster"
        store_labels = (rng.random(3000) < 0.05).astype(np.int8)
        model, report = _fit(texts, labels, _texts(store_labels, rng, 0.3, 0.02, signal="toaster"))
        assert report.share_method == left and report.judged is judged
        if judged:  # "toaster" finds what "oven" misses, and the model shows it
            assert report.mode != "rules" and report.decisions[report.mode] > report.decisions["rules"]
            continue
        if left == "rules":
            assert report.mode == "rules" and len(model.indices) == 0
        else:  # the model alone would do better still on the examples, but may not take their place
            assert report.mode == "union" and report.decisions["model"] > report.decisions["union"]
        said = decision_text(vars(report))
        assert said.startswith(DECISIONS[report.mode]) and "expected F1" not in said
        # and says why: the positives miss the rules, or the model's scores say nothing of the store
        assert ("很少命中规则" in said) is (left == "sweep")
        assert ("无法与规则比较" in said) is (left == "rules")


def test_where_ten_positives_cannot_estimate_the_store_the_rules_stand():
    # The positives are words like any other and hit "oven" no more than the negatives: no cut of
    # the model and no rule separates them, so no decision can be judged for the store.
    rng = np.random.default_rng(4)
    labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 1500])
    texts = _texts(labels, rng, 0.1, 0.1)
    store_texts = _texts(np.zeros(3000, dtype=np.int8), rng, 0.1, 0.1)
    model, report = _fit(texts, labels, store_texts)
    assert (report.share_method, report.store_prevalence) == ("none", None)
    assert report.mode == "rules" and model.calib_a == 0.0 and len(model.indices) == 0
    from warning.classify.card_text import decision_text

    said = decision_text(vars(report))  # what `warning train` prints: why, and no F1 it cannot judge
    assert said.startswith("the rules alone") and "无法评估" in said and "expected F1" not in said
    store = training_features(store_texts)
    scores = model.probability(store, None, rule_prior(OVENS, store_texts))
    np.testing.assert_array_equal(scores >= model.threshold, [("oven" in t.split()) for t in store_texts])


def _judged(mode: str, probs: np.ndarray, labels: np.ndarray, prior: np.ndarray) -> Decision:
    """A decision whose probabilities are ``probs`` itself (a = 1 on a logit, no rules term)."""
    logits = np.log(probs / (1 - probs))
    d = Decision(mode, 0.0, -3.0, 10.0) if mode == "rules" else Decision(mode, 1.0, 0.0, 0.0)
    return judge(d, logits, labels, prior, None, None, None, None)


def test_the_rules_stand_on_a_gain_within_the_noise_and_lose_to_a_clear_one():
    labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 1000])
    prior = np.concatenate([np.repeat([0.3, 0.0], [6, 4]), np.repeat([0.3, 0.0], [10, 990])])
    rules = _judged("rules", np.full(len(labels), 0.5), labels, prior)
    # A model finding one positive more than the rules, and three negatives more: a gain within
    # the noise of ten positives.
    noisy = np.where(prior > 0, 0.9, 0.1)
    noisy[[6, 20, 21, 22]] = 0.8
    assert choose([rules, _judged("blend", noisy, labels, prior)], labels).mode == "rules"
    # A model finding every positive and few negatives: clearly better, however resampled.
    clear = np.where(labels == 1, 0.9, 0.1)
    clear[10:13] = 0.9
    chosen = choose([rules, _judged("blend", clear, labels, prior)], labels)
    assert chosen.mode == "blend" and chosen.honest > rules.honest + 0.2
    assert choose([Decision("model", 1, 0, 0, f1=0.1)]).mode == "model"  # no rules: the model


def test_a_threshold_chosen_on_the_scores_it_is_judged_on_is_no_gain_out_of_bag():
    # Pure noise: the model's scores say nothing, yet the best in-sample cut of ten positives
    # among noise often looks better than the rules. Out of bag, its threshold chosen in bag, not.
    wins_in_sample = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 100])
        prior = np.where(rng.random(len(labels)) < np.where(labels == 1, 0.5, 0.2), 0.3, 0.0)
        rules = _judged("rules", np.full(len(labels), 0.5), labels, prior)
        noise = _judged("model", rng.uniform(0.01, 0.99, len(labels)), labels, prior)
        wins_in_sample += noise.f1 > rules.f1
        scores = out_of_bag([rules, noise], labels, seed=0)
        assert scores[1].mean() < scores[0].mean()  # out of bag the noise loses
        assert choose([rules, noise], labels).mode == "rules"
    assert wins_in_sample >= 2  # in sample it won some: what the old comparison would have taken


def test_the_store_share_from_the_rules_hit_rates():
    labels = np.repeat([1, 0], [10, 1000])
    prior = np.concatenate([np.repeat([0.3, 0.0], [8, 2]), np.repeat([0.3, 0.0], [20, 980])])
    # store: 5 % relevant, hit 80 % of those and 2 % of the rest -> 0.05 * 0.8 + 0.95 * 0.02 = 0.059
    store = np.repeat([0.3, 0.0], [59, 941])
    assert rules_share(prior, labels, store) == pytest.approx(0.05, abs=1e-9)
    assert rules_share(None, labels, store) is None
    # negatives that hit the rules more often than the store does (near misses): no estimate
    near_misses = np.concatenate([np.repeat([0.3, 0.0], [8, 2]), np.repeat([0.3, 0.0], [100, 900])])
    assert rules_share(near_misses, labels, store) is None
    # rules that do not separate the examples: no estimate
    flat = np.concatenate([np.repeat([0.3, 0.0], [1, 9]), np.repeat([0.3, 0.0], [60, 940])])
    assert rules_share(flat, labels, store) is None


def test_a_cold_start_keeps_every_rule_hit_and_adds_what_the_model_finds():
    rng = np.random.default_rng(2)
    truth = (rng.random(2000) < 0.1).astype(np.int8)
    texts = _texts(truth, rng, 0.6, 0.0, signal="toaster")  # relevant: "toaster", some say "oven"
    prior = rule_prior(OVENS, texts)
    labels = (prior > 0).astype(np.int8)  # the cold start's positives: the keyword's own hits
    x = training_features(texts)
    model, report = fit_linear(x, labels, prior=prior, store=x, store_prior=prior, rule_positives=True)
    assert report.mode == "union" and model.calib_prior > 0
    matched = model.probability(x, prior=prior) >= model.threshold
    assert matched[labels == 1].all()  # every hit is kept
    assert (matched & (labels == 0)).sum() <= 0.05 * len(labels)  # a keyword it learns well: few added


def test_the_cold_start_threshold_is_where_an_unlabelled_document_becomes_likely_relevant():
    # Hits scored 0.5 on average out of fold (c = 0.5): a document without a hit is relevant with
    # probability (1 - c) / c * p / (1 - p) = p / (1 - p), one half at p = 1/3.
    labels = np.repeat([1, 0], [50, 50])
    oof = np.concatenate([np.zeros(50), np.full(50, -3.0)])  # sigmoid(0) = 0.5 for every hit
    prior = np.where(labels == 1, 0.3, 0.0)
    decision = rule_union(oof, labels, prior, None, (1.0, 0.0))
    assert decision.mode == "union" and decision.threshold == pytest.approx(1 / 3)
    assert (decision.probs(oof, prior)[labels == 1] >= decision.threshold).all()
    assert (decision.probs(oof, prior)[labels == 0] < decision.threshold).all()


def test_rules_the_few_positives_do_not_favour_are_still_a_decision_passing_exactly_their_hits():
    from warning.classify.decide import candidates

    labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 500])
    prior = np.concatenate([np.repeat([0.3, 0.0], [1, 9]), np.repeat([0.3, 0.0], [60, 440])])
    oof = np.where(labels == 1, 1.0, -1.0)
    found = candidates(oof, labels, prior, None, None, (1.0, 0.0, 0.0))
    rules = next(d for d in found if d.mode == "rules")  # the examples' own fit would drop them
    judge(rules, oof, labels, prior, None, None, None, None)
    passed = rules.probs(oof, prior) >= rules.threshold
    np.testing.assert_array_equal(passed, prior > 0)
    # a model that separates the examples is clearly better than rules that miss nine positives
    model = judge(found[0], oof, labels, prior, None, None, None, None)
    assert choose([model, rules], labels).mode == "model"


def test_the_store_share_by_the_median_sweep_of_the_models_scores():
    from warning.classify.threshold import sweep_share

    rng = np.random.default_rng(5)
    labels = np.repeat(np.array([1, 0], dtype=np.int8), [25, 3000])
    scores = np.where(labels == 1, rng.normal(2.0, 1.0, len(labels)), rng.normal(0.0, 1.0, len(labels)))
    truth = (rng.random(20_000) < 0.08).astype(np.int8)  # a store where 8 % are relevant
    store = np.where(truth == 1, rng.normal(2.0, 1.0, len(truth)), rng.normal(0.0, 1.0, len(truth)))
    assert sweep_share(scores, labels, store) == pytest.approx(0.08, abs=0.025)
    # scores that do not separate the examples estimate nothing
    assert sweep_share(rng.normal(0, 1, len(labels)), labels, store) is None
    # negatives harder than the store's (they pass more often than the store does): nothing
    hard = np.where(labels == 1, scores, scores + 1.5)
    assert sweep_share(hard, labels, store) is None


def test_a_runner_up_with_embeddings_is_saved_with_its_encoder(tmp_path):
    """A rules decision reads no embedding; the model it set aside may, and says which encoder."""
    from warning.classify.feedback import _ranking
    from warning.classify.model import LinearModel

    encoder = {"name": "mini", "file_hash": "abc", "dim": 4, "max_tokens": 64}
    ranking = LinearModel(
        indices=np.array([3, 7]), weights=np.array([1.0, 2.0], np.float32), bias=-1.0,
        threshold=0.3, dense=np.ones(4, np.float32), embedding=encoder,
    )  # fmt: skip
    model = LinearModel(
        indices=np.zeros(0, np.int64), weights=np.zeros(0, np.float32), bias=0.0,
        calib_a=0.0, calib_prior=2.0, ranking=ranking,
    )  # fmt: skip
    save_model(model, tmp_path / "w")
    loaded = load_model(tmp_path / "w", ranking=True)
    assert loaded.embedding is None and loaded.dense is None  # the rules decide without embeddings
    assert loaded.ranking.embedding == encoder and loaded.ranking.dense.tolist() == [1.0] * 4
    assert loaded.ranking.threshold == 0.3 and loaded.ranking.indices.tolist() == [3, 7]
    # no encoder configured now: suggestions fall back on the rules' own scores, not an error
    assert _ranking(loaded, None) is loaded


def _with_near_misses(seed: int):
    """A labelled file (10 relevant, 40 not) and 50 reviewers' judgements of what the service
    showed them: publications with both its words, 35 of them near misses; a store at 8 %."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"word{i}" for i in range(400)]

    def texts_of(labels, keyword, signal):
        out = []
        for y in labels:
            words = list(rng.choice(vocabulary, 6))
            words += ["oven"] if rng.random() < keyword[1 - y] else []
            words += ["toaster"] if rng.random() < signal[1 - y] else []
            out.append(" ".join(words))
        return out

    file_labels = np.repeat(np.array([1, 0], dtype=np.int8), [10, 40])
    reviewed = np.repeat(np.array([1, 0], dtype=np.int8), [15, 35])
    store_labels = (rng.random(4000) < 0.08).astype(np.int8)
    texts = texts_of(file_labels, (0.6, 0.05), (0.5, 0.02))
    texts += [t + " oven toaster" for t in texts_of(reviewed, (0, 0), (0, 0))]
    store_texts = texts_of(store_labels, (0.6, 0.05), (0.5, 0.02))
    labels = np.concatenate([file_labels, reviewed])
    weights = np.concatenate([np.ones(50), np.full(50, 3.0)])
    return texts, labels, weights, store_texts, store_labels


def test_reviewers_judgements_train_the_model_but_only_sampled_examples_judge_it():
    texts, labels, weights, store_texts, store_labels = _with_near_misses(0)
    x, store = training_features(texts), training_features(store_texts)
    common = dict(store=store, prior=rule_prior(OVENS, texts), store_prior=rule_prior(OVENS, store_texts))
    _, counted = fit_linear(x, labels, weights, **common)
    sampled = np.arange(100) < 50
    model, report = fit_linear(x, labels, weights, sampled=sampled, **common)
    truth = float(store_labels.mean())
    # Counted as a sample, the near misses hit the rules more often than the store does: the
    # pass-rate estimates fail and EM runs off (0.0002 for 0.080; other seeds 0.997, 0.018).
    off = lambda estimate: abs(np.log(estimate / truth))  # noqa: E731
    assert counted.share_method == "em" and off(counted.store_prevalence) > np.log(3)
    # Judged by the file alone, its ten positives estimate it as well as ten positives can (0.12).
    assert report.share_method in ("rules", "max") and off(report.store_prevalence) < np.log(2)
    assert (report.judging_examples, counted.judging_examples) == (50, 100)
    assert 0 < report.train_prevalence == pytest.approx(0.2)  # the file's share, not the union's
    # the reviewers' labels still train it: their words weigh more than without them
    alone, _ = fit_linear(x[:50], labels[:50], weights[:50], **{**common, "prior": common["prior"][:50]})
    trained, file_only = model.ranking or model, alone.ranking or alone
    assert set(trained.indices.tolist()) - set(file_only.indices.tolist())  # words of their texts


@pytest.mark.parametrize("kept", [(4, 40), (10, 3)])
def test_too_few_sampled_examples_of_a_class_and_all_of_them_judge(kept):
    from warning.classify.judging import MIN_SAMPLED, judging_rows

    labels = np.repeat(np.array([1, 0, 1, 0], dtype=np.int8), [*kept, 20, 20])
    sampled = np.arange(len(labels)) < sum(kept)
    assert min(kept) < MIN_SAMPLED
    np.testing.assert_array_equal(judging_rows(labels, sampled), np.arange(len(labels)))
    many = np.repeat(np.array([1, 0, 1], dtype=np.int8), [5, 5, 7])
    np.testing.assert_array_equal(judging_rows(many, np.arange(17) < 10), np.arange(10))
    np.testing.assert_array_equal(judging_rows(many, None), np.arange(17))
