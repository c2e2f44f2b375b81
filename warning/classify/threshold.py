"""Choosing a watchlist's threshold from out-of-fold probabilities, for its examples or its store.

Pure functions over probabilities: `choose_threshold` for the examples' own prevalence,
`store_prevalence` and `store_threshold` for a store whose share of relevant documents differs
from the training examples' (few labelled positives among many negatives, or the reverse).
"""

from __future__ import annotations

import numpy as np


def store_prevalence(probs: np.ndarray, train_share: float, rounds: int = 100) -> float:
    """The store's share of relevant documents, from probabilities calibrated at ``train_share``:
    the EM of Saerens, Latinne and Decaestecker (2002), re-weighting each posterior by the ratio of
    the new prior to the old until their mean stops moving."""
    probs = np.clip(np.asarray(probs, dtype=np.float64), 1e-9, 1 - 1e-9)
    share = float(np.mean(probs))
    floor = 1.0 / (len(probs) + 1)
    for _ in range(rounds):
        up, down = share / train_share, (1 - share) / (1 - train_share)
        new = float(np.clip(np.mean(up * probs / (up * probs + down * (1 - probs))), floor, 1 - floor))
        if abs(new - share) < 1e-6:
            return new
        share = new
    return share


SWEEP_GAP = 0.25  # `sweep_share` counts the cuts whose recall exceeds the negatives' pass rate this much


def sweep_share(decision: np.ndarray, labels: np.ndarray, store_decision: np.ndarray) -> float | None:
    """The store's share of relevant documents by adjusted classify and count over every cut of
    the model's out-of-fold scores (median sweep, Forman 2008): at each cut ``(store's pass rate -
    negatives') / (positives' - negatives')``, the median over the cuts where the positives pass
    more than `SWEEP_GAP` more often than the negatives.

    Needs a ranking and pass rates, not calibrated probabilities, so it holds with a few dozen
    positives where EM does not. None where no cut separates the examples, or the estimate is
    outside (0, 1) (labelled negatives harder than the store's: reviewers' near misses)."""
    labels = np.asarray(labels)
    pos, neg = np.sort(decision[labels == 1]), np.sort(decision[labels != 1])
    store = np.sort(np.asarray(store_decision, dtype=np.float64))
    if not (len(pos) and len(neg) and len(store)):
        return None
    cuts = np.unique(pos)
    tpr = 1.0 - np.searchsorted(pos, cuts, side="left") / len(pos)
    fpr = 1.0 - np.searchsorted(neg, cuts, side="left") / len(neg)
    rate = 1.0 - np.searchsorted(store, cuts, side="left") / len(store)
    keep = tpr - fpr > SWEEP_GAP
    if not keep.any():
        return None
    share = float(np.median((rate[keep] - fpr[keep]) / (tpr[keep] - fpr[keep])))
    floor = 1.0 / (len(store) + 1)
    return share if floor <= share <= 1 - floor else None


def store_threshold(
    positive_probs: np.ndarray, store_probs: np.ndarray, share: float, target_precision: float | None = None
) -> float:
    """The threshold for the store: recall from the out-of-fold probabilities of the positives,
    the share of the store above each cut from the store sample itself, so precision in the store
    is ``share * recall / above``. Best F1 (``2 share recall / (share + above)``), or the most
    recall at ``target_precision``. The labelled negatives play no part: reviewers' negatives are
    often harder than the store's, and counting them as the store's would set the bar too high."""
    positive_probs = np.asarray(positive_probs, dtype=np.float64)
    cuts = np.unique(positive_probs)[::-1]
    recall = 1.0 - np.searchsorted(np.sort(positive_probs), cuts, side="left") / len(positive_probs)
    # Each cut's threshold is just under it, halfway to the next lower positive probability: count
    # the store above that, not above the cut itself, or store documents tied with a positive (the
    # rules' few score levels) fall out.
    thresholds = (cuts + np.append(cuts[1:], cuts[-1] / 2)) / 2.0
    store_sorted = np.sort(np.asarray(store_probs, dtype=np.float64))
    above = 1.0 - np.searchsorted(store_sorted, thresholds, side="left") / max(len(store_sorted), 1)
    above = np.maximum(above, share * recall)  # the positives above a cut are part of the store there
    precision = share * recall / np.maximum(above, 1e-12)
    f1 = 2 * share * recall / (share + above)
    if target_precision is not None and (precision >= target_precision).any():
        return float(thresholds[int(np.flatnonzero(precision >= target_precision).max())])
    return float(thresholds[int(np.argmax(f1))])


def logit(p: float) -> float:
    """Log odds of a share."""
    return float(np.log(p / (1.0 - p)))


def choose_threshold(
    labels: np.ndarray,
    probs: np.ndarray,
    target_precision: float | None = None,
    weights: np.ndarray | None = None,
) -> float:
    """Best-F1 threshold, or the one with the most recall at ``target_precision`` (best F1 if none).

    ``weights`` count each example that many times (e.g. to stand for the store's prevalence).
    Among cuts with the same recall the highest wins: going lower only adds false positives, and on
    well-separated data the lowest such cut would sit near probability zero. Without any
    example there is nothing to cut between: 0.5, the probability that says "no evidence either way".
    """
    if not len(probs):
        return 0.5
    order = np.argsort(-probs)
    sorted_probs, hits = probs[order], labels[order].astype(np.float64)
    w = np.ones(len(hits)) if weights is None else np.asarray(weights, dtype=np.float64)[order]
    tp = np.cumsum(hits * w)
    predicted = np.cumsum(w)
    precision, recall = tp / predicted, tp / max(float((hits * w).sum()), 1e-12)
    f1 = np.where(tp > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    last_of_tie = np.append(sorted_probs[1:] != sorted_probs[:-1], True)  # cut only between scores
    candidates = np.flatnonzero(last_of_tie)
    if target_precision is not None:
        reaching = candidates[precision[candidates] >= target_precision]
        if len(reaching):
            most_recall = reaching[tp[reaching] == tp[reaching].max()]
            return _between(sorted_probs, most_recall[0])
    return _between(sorted_probs, candidates[np.argmax(f1[candidates])])


def _between(sorted_probs: np.ndarray, i: int) -> float:
    """A threshold just under the i-th highest score (halfway to the next one)."""
    below = sorted_probs[i + 1] if i + 1 < len(sorted_probs) else 0.0
    return float((sorted_probs[i] + below) / 2.0)
