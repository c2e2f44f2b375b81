"""What judges a watchlist's decisions (`decide`): which of its examples, the store's share of
relevant documents they estimate, and whether a model-based decision can be judged at all.

Split from `fit` so the fitting stays apart from the estimates it is judged by.
"""

from __future__ import annotations

import numpy as np

from warning.classify.decide import MODEL_BASED, rules_share
from warning.classify.threshold import store_prevalence, sweep_share

PRIOR_FEW = 20  # few positives: on long texts the rules' prior is blended in below this many only
MIN_SAMPLED = 5  # sampled examples of each class from which only they judge (`judging_rows`)
EM_FROM = 100  # from this many positives the store's share is estimated by EM (`store_share`)


def judging_rows(labels: np.ndarray, sampled: np.ndarray | None) -> np.ndarray:
    """The examples that judge the decisions: the sampled ones, where they hold `MIN_SAMPLED` of
    each class; else all (no unbiased part to prefer).

    Reviewers judge what the service showed them: alerts (its top scores) and `--suggest` (those
    nearest its threshold). Those positives pass the rules and the model more often than the
    store's relevant documents do, and those negatives are its near misses, so counted among the
    examples they move every estimate the decision rests on: the store's share (validate split, a
    file of 10 relevant and 40 irrelevant, then 50 reviews of the top-scored: a computing line's
    share estimated at 0.000 for 0.092, F1 0.54 to 0.03), recall at a threshold, the out-of-bag
    F1s. They still train the model."""
    every = np.arange(len(labels))
    if sampled is None:
        return every
    sampled = np.asarray(sampled, dtype=bool)
    kept = labels[sampled]
    if int(kept.sum()) < MIN_SAMPLED or int((kept == 0).sum()) < MIN_SAMPLED:
        return every
    return every[sampled]


def judgeable(share_method: str | None, n_pos: int) -> tuple[str, ...]:
    """The model-based decisions that can be judged against the rules for the store.

    None where nothing estimates the store's share ("none": validate split, five draws of 10
    positives, 4 of 110 fits; the model-based decisions once chosen there lost 0.06 and 0.27 F1 to
    the keywords in two and won 0.11 in one), nor below `PRIOR_FEW` positives where only the
    rules' estimate holds ("rules"): no cut of the model's own out-of-fold scores then passes the
    store as the examples would have it (`threshold.sweep_share`), so how the model reads the
    store cannot be told from how it reads the examples, and its F1 in the store is a guess.
    Validate split, five draws of 10 positives: each of the 6 such fits that chose the model or
    the union lost to the keywords (by 0.02-0.24), and 16 kept the rules. At 25 positives each of
    the 8 such fits that chose the model or the union gained (by 0.12-0.23), so the rule stops
    below 20.

    Below `PRIOR_FEW` positives where only the model's estimate holds ("sweep": the few positives
    hit the rules no more often than the negatives, so the rules look useless), only the union:
    it keeps every rule hit, so it can lose only the precision of what it adds, while the model
    and the blend rank the store their own way on a share read from their own scores. Validate
    split, ten draws of 10 positives per line, 10 such fits: 8 had chosen the blend (5 lost to the
    keywords, by 0.07-0.23: a dough line's ten positives missed its keywords, which find a third
    of its documents; 3 gained 0.08-0.17; net -0.47) and 2 the union (+0.11, +0.07); the union
    alone allowed, 8 chose it (-0.02 to +0.27, net +0.61) and 2 kept the rules, and the mean F1
    at 10 rose or held on each set in both halves of the draws (hard 0.440 / 0.458 to 0.453 /
    0.458)."""
    if share_method == "none" or (share_method == "rules" and n_pos < PRIOR_FEW):
        return ()
    if share_method == "sweep" and n_pos < PRIOR_FEW:
        return ("union",)
    return MODEL_BASED


def store_share(model, oof, labels, prior, store_d, store_prior, train_share) -> tuple[float | None, str]:
    """(the store's share of relevant documents, how it was estimated).

    Below `EM_FROM` positives from pass rates, which a few dozen positives give where the
    calibrated probabilities EM needs are not: the median sweep of the model's out-of-fold scores
    (`threshold.sweep_share`) and the rules' hit rates (`decide.rules_share`), the larger of the
    two where both hold ("max"). With ten positives each is off by about a third (mean error in
    log share, validate split: sweep 0.27-0.64, rules 0.24-0.31), and the errors are not
    symmetric in cost: an underestimate makes a precise model look better than rules that hit
    many documents, and the model then chosen finds less than the keywords; an overestimate errs
    towards recall and the rules the user wrote (validate split, 5 draws of 10 positives: mean
    F1 against keywords +0.088 / +0.003 / +0.028 on ordinary / hard / full text with the larger,
    +0.066 / -0.012 / +0.013 with the sweep alone). Where neither holds, no cut of the model and
    no rule tells the positives from the negatives: below `PRIOR_FEW` positives (None, "none"),
    nothing can be judged for the store; else, and from `EM_FROM` positives, by EM over the
    model's store probabilities (at 25 positives it found a full-text line's share where both
    failed: 0.224 for 0.220)."""
    n_pos = int(np.sum(labels))
    if n_pos < EM_FROM:
        found = {
            "sweep": sweep_share(oof, labels, store_d),
            "rules": rules_share(prior, labels, store_prior),
        }
        found = {k: v for k, v in found.items() if v is not None}
        if len(found) == 2:
            return max(found.values()), "max"
        if found:
            return next(iter(found.values())), next(iter(found))
        if n_pos < PRIOR_FEW:
            return None, "none"
    store_probs = model.calibrate(store_d, store_prior)
    return store_prevalence(store_probs, train_share), "em"
