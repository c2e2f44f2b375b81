"""Which decision a watchlist's model makes: the model (blended with the rules), the rules alone,
or the union of both, chosen on the watchlist's own examples.

With a handful of labelled positives a trained model can do worse than the keywords it was given,
and nothing but its own examples can tell. Every decision here is one score of the shape the
scorer already computes, ``sigmoid(a * decision + b + g * rules)`` against a threshold, so a
choice needs no new scoring path:

- ``blend`` (``model`` where g = 0): the stacked calibration of `fit.calibrate`;
- ``rules``: a = 0, the watchlist's rule score alone, calibrated on the examples, any rule hit
  a match (`_any_hit`);
- ``union``: any rule hit passes (g large enough to lift every hit above every document without
  one), and documents without a hit pass on the model's own score.

Each is judged the same way on the same examples: the model-based ones on out-of-fold scores, the
rules in-sample (they were not fitted on the examples), the threshold and the F1 for the store's
share of relevant documents where that differs from the examples'. The rules stand unless another
decision is clearly better (`choose`): a tie, or a gain within the noise of a few examples, goes
to what the user wrote and can read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from warning.classify.threshold import choose_threshold, store_threshold

MARGIN = 0.02  # estimated F1 a model-based decision must gain over the rules alone to be chosen
MIN_RULE_GAP = 0.1  # rules' hit rate on positives minus negatives under which they estimate nothing
UNION_MARGIN = 5.0  # logits by which a rule hit clears the highest document without one
CONFIDENCE = 0.8  # share of bootstrap resamples in which a model-based decision must beat the rules
BOOTSTRAP = 200
# lbfgs's default tolerance stops a one- or two-input logistic fit on ten positives among
# thousands of negatives near zero slope (a dough watchlist's rules: -0.02 where the optimum is
# 3.6), which dropped informative rules; the calibrations here and in `fit` use this instead.
TOL = 1e-10


@dataclass
class Decision:
    """One way to decide, as the calibration the scorer applies, with its threshold and score."""

    mode: str
    a: float
    b: float
    g: float
    threshold: float = 0.5
    f1: float = 0.0  # estimated (out-of-fold, or in the store), at ``threshold``
    in_store: tuple[float, float, float] | None = None  # (precision, recall, F1) expected in the store
    # What the F1 was counted from, for `choose`'s paired bootstrap: which positives (or examples)
    # pass the threshold, which store rows, and the store's share (None: counted on the examples).
    passed: np.ndarray | None = None
    store_passed: np.ndarray | None = None
    share: float | None = None

    def probs(self, decision: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
        z = self.a * decision + self.b
        if self.g:
            z = z + self.g * np.asarray(prior, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def rules_share(prior, labels, store_prior) -> float | None:
    """The store's share of relevant documents from the rules' hit rates (adjusted classify and
    count, Forman 2005): ``(store rate - negatives' rate) / (positives' rate - negatives' rate)``.

    Needs no calibrated model, so it holds with ten positives where the model's probabilities do
    not. None where it cannot be trusted: rules that barely separate the examples, or labelled
    negatives that hit the rules more often than the store does (a reviewer's near misses, not a
    sample of the store), which puts the estimate outside (0, 1)."""
    if prior is None or store_prior is None or not len(store_prior):
        return None
    hits, labels = np.asarray(prior) > 0, np.asarray(labels)
    tpr, fpr = hits[labels == 1].mean(), hits[labels == 0].mean()
    if tpr - fpr < MIN_RULE_GAP:
        return None
    share = (float((np.asarray(store_prior) > 0).mean()) - fpr) / (tpr - fpr)
    floor = 1.0 / (len(store_prior) + 1)
    return float(share) if floor <= share <= 1 - floor else None


def candidates(oof, labels, prior, store_d, store_prior, blend: tuple[float, float, float]):
    """The decisions worth judging: the blend (or plain model), and with informative rules, the
    rules alone and the union."""
    a, b, g = blend
    found = [Decision("blend" if g else "model", a, b, g)]
    if prior is None or np.ptp(prior) == 0:
        return found
    prior = np.asarray(prior, dtype=np.float64)
    rules = _fit_1d(prior, labels)
    if rules is None:
        return found
    found.append(Decision("rules", 0.0, rules[1], rules[0]))
    am, bm = _fit_1d(oof, labels) or (a, b)
    z = np.concatenate([am * oof + bm, am * store_d + bm]) if store_d is not None else am * oof + bm
    smallest = float(prior[prior > 0].min())
    found.append(Decision("union", am, bm, (float(np.ptp(z)) + UNION_MARGIN) / smallest))
    return found


def _fit_1d(x: np.ndarray, labels: np.ndarray) -> tuple[float, float] | None:
    """(slope, intercept) of a one-input logistic regression; None where the slope is not positive."""
    clf = LogisticRegression(C=100.0, solver="lbfgs", tol=TOL, max_iter=10_000).fit(
        np.asarray(x).reshape(-1, 1), labels
    )
    slope = float(clf.coef_[0, 0])
    return (slope, float(clf.intercept_[0])) if slope > 0 else None


def judge(d: Decision, oof, labels, prior, store_d, store_prior, share, target_precision) -> Decision:
    """Set ``d``'s threshold and estimated F1: for the store when ``share`` is given (see
    `threshold.store_threshold`), else on the examples themselves."""
    probs = d.probs(oof, prior)
    labels = np.asarray(labels)
    fixed = _any_hit(d, prior) if d.mode == "rules" else None
    if share is not None:
        store_probs = d.probs(store_d, store_prior)
        d.threshold = fixed or store_threshold(probs[labels == 1], store_probs, share, target_precision)
        d.in_store = expected_in_store(probs[labels == 1], store_probs, share, d.threshold)
        d.f1, d.share = d.in_store[2], share
        d.passed, d.store_passed = probs[labels == 1] >= d.threshold, store_probs >= d.threshold
    else:
        d.threshold = fixed or choose_threshold(labels, probs, target_precision)
        d.passed = probs >= d.threshold
        d.f1 = _f1(d.passed, labels == 1)
    return d


def _any_hit(d: Decision, prior) -> float:
    """The rules' threshold: any hit (a keyword, a code, a competitor) matches, as the keywords'
    boolean query does. Choosing how many keywords on ten positives would fit their noise."""
    prior = np.asarray(prior, dtype=np.float64)
    none, weakest = d.probs(np.zeros(2), np.array([0.0, prior[prior > 0].min()]))
    return float((none + weakest) / 2)


def _f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    return 2 * int((predicted & truth).sum()) / max(int(predicted.sum()) + int(truth.sum()), 1)


def expected_in_store(
    positive_probs, store_probs, share: float, threshold: float
) -> tuple[float, float, float]:
    """(precision, recall, F1) expected in the store at ``threshold``: recall from the positives,
    the share above the cut from the store sample."""
    recall = float((positive_probs >= threshold).mean())
    above = max(float((store_probs >= threshold).mean()), share * recall, 1e-12)
    return share * recall / above, recall, 2 * share * recall / (share + above)


def choose(found: list[Decision], labels: np.ndarray | None = None, seed: int = 0) -> Decision:
    """The rules unless a model-based decision is clearly better; else the best of those.

    "Clearly": its F1 gain over the rules is at least `MARGIN` and holds in `CONFIDENCE` of
    bootstrap resamples of the same examples (and store sample), paired, so that ten positives
    that happen to suit the model do not outvote the rules on noise. ``labels``: the examples'
    labels, needed for the resamples of decisions judged on the examples."""
    rules = next((d for d in found if d.mode == "rules"), None)
    others = sorted((d for d in found if d.mode != "rules"), key=lambda d: -d.f1)
    if rules is None:
        return others[0]
    for best in others:
        if best.f1 >= rules.f1 + MARGIN and _holds(best, rules, labels, seed) >= CONFIDENCE:
            return best
    return rules


def _holds(d: Decision, rules: Decision, labels, seed: int) -> float:
    """The share of paired bootstrap resamples in which ``d``'s F1 beats the rules'."""
    if d.passed is None or rules.passed is None:
        return 1.0
    rng = np.random.default_rng(seed)
    n = len(d.passed)
    wins = 0
    for _ in range(BOOTSTRAP):
        rows = rng.integers(0, n, n)
        if d.share is None:
            truth = np.asarray(labels)[rows] == 1
            wins += _f1(d.passed[rows], truth) > _f1(rules.passed[rows], truth)
        else:
            store = rng.integers(0, len(d.store_passed), len(d.store_passed))
            wins += _store_f1(d, rows, store) > _store_f1(rules, rows, store)
    return wins / BOOTSTRAP


def _store_f1(d: Decision, rows: np.ndarray, store: np.ndarray) -> float:
    recall = float(d.passed[rows].mean())
    above = max(float(d.store_passed[store].mean()), d.share * recall, 1e-12)
    return 2 * d.share * recall / (d.share + above)


def rule_union(oof, labels, prior, store_d, model_calibration: tuple[float, float]) -> Decision:
    """The decision of a cold start, whose positives are the rules' own hits: every hit, plus the
    documents without one that the model finds likely relevant.

    Positive-unlabelled learning (Elkan and Noto 2008): a model of "is a hit" gives, for a
    document without a hit, ``P(relevant) = (1 - c) / c * p / (1 - p)``, where c, the chance
    that a relevant document is a hit, is the mean out-of-fold probability of the hits. The
    threshold is where that reaches one half. A model that finds hits easily (c near 1) adds few
    documents; one that cannot tell them from the rest (small c) adds those it ranks with them."""
    a, b = model_calibration
    probs = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    c = float(np.clip(probs[np.asarray(labels) == 1].mean(), 0.01, 0.99))
    odds = c / (2.0 * (1.0 - c))
    prior = np.asarray(prior, dtype=np.float64)
    z = np.concatenate([a * oof + b, a * store_d + b]) if store_d is not None else a * oof + b
    hits = prior[prior > 0]
    g = (float(np.ptp(z)) + UNION_MARGIN) / float(hits.min()) if len(hits) else 0.0
    return Decision("union" if g else "model", a, b, g, threshold=odds / (1.0 + odds))
