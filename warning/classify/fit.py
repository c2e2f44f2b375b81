"""Fitting one watchlist's linear model: weights, calibration and threshold from cross-validation.

Pure functions over a feature matrix; where the examples come from is `train.py`'s business.
Calibration and the threshold are chosen on out-of-fold scores, never on scores of documents the
model was fitted on, so the probability means the same thing on tomorrow's publications.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

from warning.classify.featurize import N_FEATURES, hash_terms, terms
from warning.classify.model import LinearModel
from warning.errors import NotEnoughExamples

C_GRID = (0.3, 1.0, 3.0, 10.0)
MAX_WEIGHTS = 40_000
FOLDS = 5


@dataclass
class FitReport:
    """Cross-validated quality of a fit, at the chosen threshold."""

    precision: float
    recall: float
    f1: float
    pr_auc: float
    threshold: float
    c: float
    folds: int


def fit_linear(
    features: sp.csr_matrix,
    labels: np.ndarray,
    weights: np.ndarray | None = None,
    target_precision: float | None = None,
    seed: int = 0,
) -> tuple[LinearModel, FitReport | None]:
    """Fit, calibrate and pick a threshold; the report is None when there are too few examples for CV."""
    labels = np.asarray(labels, dtype=np.int8)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    n_pos, n_neg = int(labels.sum()), int((labels == 0).sum())
    if n_pos == 0 or n_neg == 0:
        raise NotEnoughExamples(f"training needs relevant and irrelevant examples (have {n_pos} and {n_neg})")
    columns, compact = _compact(features)
    idf = _idf(compact)
    scaled = compact @ sp.diags(idf.astype(np.float32))
    folds = min(FOLDS, n_pos, n_neg)
    if folds < 2:
        model = _fit(scaled, labels, weights, C_GRID[0])
        return _finish(model, idf, columns, 1.0, 0.0, 0.5), None
    oof_by_c = {c: _out_of_fold(scaled, labels, weights, c, folds, seed) for c in C_GRID}
    best_c = max(C_GRID, key=lambda c: average_precision_score(labels, oof_by_c[c]))
    oof = oof_by_c[best_c]
    a, b = _platt(oof, labels)
    probs = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    threshold = choose_threshold(labels, probs, target_precision)
    report = _report(labels, probs, threshold, best_c, folds)
    model = _fit(scaled, labels, weights, best_c)
    return _finish(model, idf, columns, a, b, threshold), report


def _compact(features: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
    """Only the columns the training set uses (liblinear's time grows with the width of the matrix)."""
    columns = np.unique(features.indices)
    indices = np.searchsorted(columns, features.indices).astype(np.int32)
    compact = sp.csr_matrix(
        (features.data, indices, features.indptr), shape=(features.shape[0], len(columns))
    )
    return columns.astype(np.int64), compact


def _idf(features: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of each column in the training set (folded into weights)."""
    df = np.bincount(features.indices, minlength=features.shape[1]).astype(np.float64)
    return np.log((1.0 + features.shape[0]) / (1.0 + df)) + 1.0


def _fit(x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, c: float) -> LogisticRegression:
    # The dual problem is the fast one when, as here, features far outnumber examples.
    clf = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(x, y, sample_weight=w)


def _out_of_fold(x, y, w, c: float, folds: int, seed: int) -> np.ndarray:
    oof = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        clf = _fit(x[train_idx], y[train_idx], w[train_idx], c)
        oof[test_idx] = clf.decision_function(x[test_idx])
    return oof


def _platt(decision: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: a one-feature logistic regression from raw score to probability."""
    clf = LogisticRegression(C=100.0, solver="lbfgs")
    clf.fit(decision.reshape(-1, 1), labels)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def choose_threshold(labels: np.ndarray, probs: np.ndarray, target_precision: float | None = None) -> float:
    """Best-F1 threshold, or the one with the most recall at ``target_precision`` (best F1 if none).

    Among cuts with the same recall the highest wins: going lower only adds false positives, and on
    well-separated data the lowest such cut would sit near probability zero. Without any
    example there is nothing to cut between: 0.5, the probability that says "no evidence either way".
    """
    if not len(probs):
        return 0.5
    order = np.argsort(-probs)
    sorted_probs, hits = probs[order], labels[order].astype(np.float64)
    tp = np.cumsum(hits)
    predicted = np.arange(1, len(hits) + 1)
    precision, recall = tp / predicted, tp / max(hits.sum(), 1.0)
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


def _report(labels, probs, threshold: float, c: float, folds: int) -> FitReport:
    predicted = probs >= threshold
    tp = int((predicted & (labels == 1)).sum())
    precision = tp / max(int(predicted.sum()), 1)
    recall = tp / max(int(labels.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    pr_auc = float(average_precision_score(labels, probs))
    return FitReport(precision, recall, f1, pr_auc, threshold, c, folds)


def _finish(
    clf: LogisticRegression, idf: np.ndarray, columns: np.ndarray, a: float, b: float, threshold: float
) -> LinearModel:
    compact = clf.coef_.ravel() * idf
    weights = np.zeros(N_FEATURES)
    weights[columns] = compact
    nonzero = np.flatnonzero(weights)
    if len(nonzero) > MAX_WEIGHTS:
        # Rare training terms carry tiny weights; dropping them keeps 100 models in memory.
        nonzero = nonzero[np.argsort(-np.abs(weights[nonzero]))[:MAX_WEIGHTS]]
    nonzero.sort()
    return LinearModel(
        indices=nonzero.astype(np.int64),
        weights=weights[nonzero].astype(np.float32),
        bias=float(clf.intercept_[0]),
        calib_a=a,
        calib_b=b,
        threshold=threshold,
    )


def term_lookup(texts: Sequence[str], columns: np.ndarray, limit: int = 20_000) -> dict[int, str]:
    """For weighted columns, the most frequent readable term landing there in ``texts``."""
    wanted = set(int(c) for c in columns)
    counts: dict[int, Counter] = {}
    for text in texts[:limit]:
        found = terms(text)
        for term, col in zip(found, hash_terms(found), strict=True):
            col = int(col)
            if col in wanted:
                counts.setdefault(col, Counter())[term] += 1
    return {col: counter.most_common(1)[0][0] for col, counter in counts.items()}
