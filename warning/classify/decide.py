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
decision is clearly better (`choose`): judged out of bag, with its threshold chosen on each
resample's in-bag part as training chooses it, so that choosing a threshold on the very scores it
is judged on does not count as a gain; a gain within the noise of a few examples goes to what the
user wrote and can read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from warning.classify.threshold import choose_threshold, store_threshold

MIN_RULE_GAP = 0.1  # rules' hit rate on positives minus negatives under which they estimate nothing
UNION_MARGIN = 5.0  # logits by which a rule hit clears the highest document without one
MODEL_BASED = ("model", "blend", "union")  # the decisions that may replace the rules (`choose`)
# How clearly a model-based decision must beat the rules: its mean out-of-bag gain must exceed Z
# standard deviations of the resampled gains, so the margin follows from the examples' own noise
# (wide with ten positives, near zero with a thousand). A resample's gain is counted on the ~37 %
# of examples it leaves out, the mean's spread is about sqrt(0.37) = 0.61 of its: Z = 0.26 is a
# one-sided confidence of 2/3 (z 0.43 x 0.61). Chosen on the validate split among 0, 0.26, 0.5
# and 0.84 (80 %): the larger ones fell back on the rules where the model was better (ordinary
# and hard sets at 25 positives: 0.49 / 0.47 and 0.43 / 0.47 against 0.50 / 0.50).
Z = 0.26
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
    # What the threshold and F1 were counted from, for `choose`'s out-of-bag resamples: the
    # examples' probabilities, the store sample's (None: judged on the examples), the store's share,
    # and whether the threshold is fixed (the rules': any hit) or chosen on the examples.
    example_probs: np.ndarray | None = None
    store_probs: np.ndarray | None = None
    share: float | None = None
    fixed: bool = False
    target_precision: float | None = None
    honest: float | None = None  # mean out-of-bag F1 (`choose`), threshold chosen in bag

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
    # Rules that the few positives at hand do not favour still stand as the default decision (ten
    # positives may miss the keywords by chance); the model must show it is clearly better.
    rules = _fit_1d(prior, labels) or _unsupported_rules(prior, labels)
    found.append(Decision("rules", 0.0, rules[1], rules[0]))
    am, bm = _fit_1d(oof, labels) or (a, b)
    z = np.concatenate([am * oof + bm, am * store_d + bm]) if store_d is not None else am * oof + bm
    smallest = float(prior[prior > 0].min())
    found.append(Decision("union", am, bm, (float(np.ptp(z)) + UNION_MARGIN) / smallest))
    return found


def _unsupported_rules(prior: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of rules the examples do not favour: a document without a hit at the
    examples' share of positives, a hit one tenth of a logit above it (so it passes the rules'
    threshold, and no more)."""
    share = (float(np.sum(labels)) + 0.5) / (len(labels) + 1.0)
    return 0.1 / float(prior[prior > 0].min()), float(np.log(share / (1.0 - share)))


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
    d.example_probs, d.fixed, d.target_precision = probs, fixed is not None, target_precision
    if share is not None:
        store_probs = d.probs(store_d, store_prior)
        d.threshold = fixed or store_threshold(probs[labels == 1], store_probs, share, target_precision)
        d.in_store = expected_in_store(probs[labels == 1], store_probs, share, d.threshold)
        d.f1, d.share, d.store_probs = d.in_store[2], share, store_probs
    else:
        d.threshold = fixed or choose_threshold(labels, probs, target_precision)
        d.f1 = _f1(probs >= d.threshold, labels == 1)
    return d


def _any_hit(d: Decision, prior) -> float:
    """The rules' threshold: any hit (a keyword or a code; `BatchRules.evidence_score`) matches,
    as the keywords' boolean query does. Choosing how many keywords on ten positives would fit
    their noise."""
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


def choose(
    found: list[Decision],
    labels: np.ndarray | None = None,
    seed: int = 0,
    judgeable: tuple[str, ...] = MODEL_BASED,
) -> Decision:
    """The rules unless a model-based decision is clearly better; else the best of those.

    Judged out of bag (`out_of_bag`): in each paired resample of the examples (and store
    sample), a model-based decision's threshold is chosen on the in-bag part, as training
    chooses it, and every decision's F1 is counted on the out-of-bag part. A model-based decision
    replaces the rules only where its mean gain exceeds `Z` standard deviations of the resampled
    gains: the rules were fitted to nothing, so a threshold chosen on the same scores it is judged
    on would otherwise count as a gain, and ten positives that happen to suit the model would
    outvote the keywords on noise. ``labels``: the examples' labels. ``judgeable``: the
    model-based decisions that can be judged for the store (`judging.judgeable`); the others are
    not weighed, and where none is the rules stand."""
    rules = next((d for d in found if d.mode == "rules"), None)
    if rules is None:  # no rules to stand: every model-based decision is weighed
        judgeable = MODEL_BASED
    others = [d for d in found if d.mode in judgeable]  # never "rules"
    if rules is not None and not others:
        return rules
    if rules is None or labels is None or any(d.example_probs is None for d in found):
        return max(others, key=lambda d: d.f1) if others else rules
    scores = out_of_bag(found, np.asarray(labels), seed)
    for d, s in zip(found, scores, strict=True):
        d.honest = float(s.mean())
    base = scores[found.index(rules)]
    clear = [
        d
        for d, s in zip(found, scores, strict=True)
        if d.mode in judgeable and (s - base).mean() > Z * (s - base).std()
    ]
    return max(clear, key=lambda d: d.honest) if clear else rules


def out_of_bag(found: list[Decision], labels: np.ndarray, seed: int) -> list[np.ndarray]:
    """Each decision's F1 in `BOOTSTRAP` paired resamples, counted on the examples (and store
    rows) left out of the resample, with a non-fixed threshold chosen on those drawn.

    Positives and negatives are resampled apart (a resample without a positive judges nothing);
    a resample leaving out no positive is skipped. Judged for the store (``share``), the F1 is the
    one `expected_in_store` gives: recall on the left-out positives, the share above the cut on
    the left-out store rows."""
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(labels == 1), np.flatnonzero(labels != 1)
    n_store = max((len(d.store_probs) for d in found if d.store_probs is not None), default=0)
    scores: list[list[float]] = [[] for _ in found]
    for _ in range(BOOTSTRAP):
        pos_in, neg_in = rng.choice(pos, len(pos)), rng.choice(neg, len(neg))
        pos_out, neg_out = _left_out(pos, pos_in), _left_out(neg, neg_in)
        store_in = rng.integers(0, n_store, n_store) if n_store else None
        store_out = _left_out(np.arange(n_store), store_in) if n_store else None
        if not len(pos_out):
            continue
        for k, d in enumerate(found):
            if d.share is not None:
                scores[k].append(_oob_store(d, labels, pos_in, pos_out, store_in, store_out))
            else:
                rows_in, rows_out = np.concatenate([pos_in, neg_in]), np.concatenate([pos_out, neg_out])
                probs = d.example_probs
                t = (
                    d.threshold
                    if d.fixed
                    else choose_threshold(labels[rows_in], probs[rows_in], d.target_precision)
                )
                scores[k].append(_f1(probs[rows_out] >= t, labels[rows_out] == 1))
    return [np.array(s) if s else np.zeros(1) for s in scores]


def _left_out(rows: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    return rows[~np.isin(rows, drawn)]


def _oob_store(d: Decision, labels, pos_in, pos_out, store_in, store_out) -> float:
    probs, store = d.example_probs, d.store_probs
    t = d.threshold
    if not d.fixed:
        t = store_threshold(probs[pos_in], store[store_in], d.share, d.target_precision)
    recall = float((probs[pos_out] >= t).mean())
    above = max(float((store[store_out] >= t).mean()) if len(store_out) else 0.0, d.share * recall, 1e-12)
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
