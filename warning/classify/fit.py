"""Fitting one watchlist's linear model: weights, calibration and threshold from cross-validation.

Pure functions over a feature matrix; where the examples come from is `train.py`'s business.
Calibration and the threshold are chosen on out-of-fold scores, never on scores of documents the
model was fitted on, so the probability means the same thing on tomorrow's publications.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

from warning.classify.decide import MODEL_BASED, TOL, candidates, choose, judge, rule_union
from warning.classify.featurize import (
    CHAR_MARK,
    FAMILIES,
    FAMILY_WIDTH,
    N_FEATURES,
    WORDS,
    char_terms,
    hash_terms,
    terms,
)
from warning.classify.judging import PRIOR_FEW, judgeable, judging_rows, store_share
from warning.classify.model import LinearModel
from warning.classify.threshold import choose_threshold, logit, store_threshold
from warning.errors import NotEnoughExamples

__all__ = ["choose_threshold", "fit_linear", "store_threshold"]  # the threshold functions' old home

C_GRID = (0.3, 1.0, 3.0, 10.0)
MAX_WEIGHTS = 40_000
FOLDS = 5
LARGE, LARGE_FOLDS = 4000, 3  # from this many examples 3 folds, to bound training time
SHORT_TEXT = 40  # median features per text (words family) under which char n-grams are tried
PREVALENCE_RATIO = 1.5  # store odds this far from the training odds move the threshold
DENSE_SCALE = 1.0  # weight of the unit-length embedding block beside the unit-length hashed rows


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
    families: tuple[str, ...] = WORDS
    train_prevalence: float = 0.0
    store_prevalence: float | None = None  # estimated; used when clearly not the training share
    prior_weight: float = 0.0  # the rules' weight in the calibration (`calibrate`)
    mode: str = "model"  # the decision chosen (`decide`): "model", "blend", "rules" or "union"
    # how the store's share was estimated: "sweep", "rules", "max" (the larger of both), "em",
    # or "none" (ten positives that nothing separates: the rules decide)
    share_method: str | None = None
    # False: not every decision could be judged against the rules for the store (`judgeable`)
    judged: bool = True
    judging_examples: int = 0  # how many examples judged the decisions (`judging_rows`)
    decisions: dict[str, float] = field(default_factory=dict)  # each decision's estimated F1


def fit_linear(
    features: sp.csr_matrix,
    labels: np.ndarray,
    weights: np.ndarray | None = None,
    target_precision: float | None = None,
    seed: int = 0,
    *,
    dense: np.ndarray | None = None,
    store: sp.csr_matrix | None = None,
    store_dense: np.ndarray | None = None,
    prior: np.ndarray | None = None,
    store_prior: np.ndarray | None = None,
    store_examples: np.ndarray | None = None,
    rule_positives: bool = False,
    sampled: np.ndarray | None = None,
) -> tuple[LinearModel, FitReport | None]:
    """Fit, calibrate and pick a threshold; the report is None when there are too few examples for CV.

    Settings are chosen per watchlist on out-of-fold scores of its own examples: the regularisation
    C and, where ``features`` carries the chars family and texts are short, whether to use it.
    ``dense`` (documents x d unit vectors, e.g. sentence embeddings) joins the hashed features in
    the same logistic regression. ``prior``: the watchlist's rule score of each example (keywords,
    codes, competitors; `BatchRules.evidence_score`), blended with the model by the calibration
    (see `calibrate`), so a few labels lean on the rules and many labels on the model; on long
    texts only below `PRIOR_FEW` positives.
    ``store``: features of a random sample of the store the model will score (``store_dense``
    its embeddings, ``store_prior`` its rule scores); its share of relevant documents, estimated
    by EM, weighs the out-of-fold examples when the threshold is chosen, so precision holds when
    the labelled examples are, say, half positive and the store one in a hundred.
    ``store_examples``: for each store row, the index of the same document among the examples
    (-1 for none); those rows are read at their out-of-fold probability, since the fitted model's
    own training documents score higher than unseen ones and would inflate the estimate. The
    probabilities stay calibrated on the examples, so the scores subscriptions' ``min_score``
    refers to keep their scale.
    ``rule_positives``: the positives are the rules' own hits (a cold start), so the rules cannot
    be blended in or judged on them; with ``prior`` the decision is every rule hit plus what the
    model adds (`decide.rule_union`).
    ``sampled``: which examples were labelled without regard to any score (a labelled file), as
    opposed to reviewers' judgements of what the service showed them (alerts, `--suggest`). All
    train the model; only the sampled ones judge it (`judging_rows`).
    """
    labels = np.asarray(labels, dtype=np.int8)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    n_pos, n_neg = int(labels.sum()), int((labels == 0).sum())
    if n_pos == 0 or n_neg == 0:
        raise NotEnoughExamples(f"training needs relevant and irrelevant examples (have {n_pos} and {n_neg})")
    folds = min(FOLDS, n_pos, n_neg)
    if folds < 2:
        design = Design(features, WORDS, dense)
        model = _fit(design.x, labels, weights, C_GRID[0])
        return design.finish(model, 1.0, 0.0, 0.5), None
    if len(labels) >= LARGE:
        folds = min(folds, LARGE_FOLDS)
    tried = candidate_families(features)
    design, best_c, oof = _choose(features, labels, weights, dense, folds, seed, tried)
    # Where texts are long the model reads the keywords as words: past a few positives, blending
    # the rules in again was measured to cost F1 (ordinary background at 25 positives: 0.46
    # against 0.49); on short texts it helped at every budget (hard set at 25: 0.52 against 0.46).
    blend = prior is not None and not rule_positives and (len(tried) > 1 or n_pos < PRIOR_FEW)
    calibration = calibrate(oof, labels, prior if blend else None)
    model = design.finish(_fit(design.x, labels, weights, best_c), *calibration[:2], 0.5)
    model.calib_prior = calibration[2]
    full_oof = oof
    cold = rule_positives and prior is not None
    rows = np.arange(len(labels)) if cold else judging_rows(labels, sampled)
    if len(rows) < len(labels):  # from here on, only the judging rows count
        oof, labels, prior = oof[rows], labels[rows], None if prior is None else np.asarray(prior)[rows]
    train_share, n_judging = float(labels.mean()), int(labels.sum())
    estimate = store_d = share_method = None
    if store is not None and store.shape[0]:
        store_d = model.decision(store, store_dense).astype(np.float64)
        if store_examples is not None:  # the model has seen these: their out-of-fold scores are honest
            seen = np.asarray(store_examples) >= 0
            store_d[seen] = full_oof[np.asarray(store_examples)[seen]]
        estimate, share_method = store_share(model, oof, labels, prior, store_d, store_prior, train_share)
    # The estimate is noisy (about a fifth): only a clear difference moves the threshold.
    moved = estimate is not None and abs(logit(estimate) - logit(train_share)) > np.log(PREVALENCE_RATIO)
    if cold:
        found = [rule_union(oof, labels, prior, store_d, calibration[:2])]
    else:
        found = [
            judge(d, oof, labels, prior, store_d, store_prior, estimate if moved else None, target_precision)
            for d in candidates(oof, labels, prior, store_d, store_prior, calibration)
        ]
    judged = MODEL_BASED if cold else judgeable(share_method, n_judging)  # a cold start has one decision
    chosen = choose(found, labels, seed, judgeable=judged)
    model.calib_a, model.calib_b, model.calib_prior = chosen.a, chosen.b, chosen.g
    model.threshold = chosen.threshold
    if chosen.mode == "rules":  # the model's words would explain nothing: the rules decide alone
        model.ranking = _runner_up(model, found)
        model.indices, model.weights, model.dense = np.zeros(0, np.int64), np.zeros(0, np.float32), None
    report = _report(labels, chosen.probs(oof, prior), model.threshold, best_c, folds, chosen.in_store)
    report.families, report.train_prevalence, report.store_prevalence = design.families, train_share, estimate
    report.prior_weight, report.mode, report.share_method = chosen.g, chosen.mode, share_method
    report.judged, report.judging_examples = judged == MODEL_BASED, len(labels)
    # A cold start's one decision is not judged against others (its positives are the rules'
    # own hits): no estimated F1 to record for it.
    # Each decision's F1 as `choose` judged it: out of bag where it was resampled, else estimated.
    report.decisions = {} if rule_positives else {d.mode: round(_judged(d), 4) for d in found}
    return model, report


def _judged(d) -> float:
    return d.f1 if d.honest is None else d.honest


def _runner_up(model: LinearModel, found) -> LinearModel | None:
    """The best model-based decision a rules decision set aside, as a model of its own: what
    `--suggest` ranks by, since the rules give the store a few distinct scores and the documents
    nearest their threshold are thousands of ties. The blend before the union: the union passes
    every rule hit, so its scores near the threshold say nothing of the hits."""
    others = [d for d in found if d.mode != "rules"]
    if not others:
        return None
    best = max(others, key=lambda d: (d.mode != "union", _judged(d)))
    return replace(model, calib_a=best.a, calib_b=best.b, calib_prior=best.g, threshold=best.threshold)


def _choose(features, labels, weights, dense, folds: int, seed: int, candidates):
    """(design, C, out-of-fold decisions) of the family choice and C with the best out-of-fold PR-AUC."""
    best = None
    for families in candidates:
        design = Design(features, families, dense)
        for c in C_GRID if best is None else _near(best[2]):
            oof = _out_of_fold(design.x, labels, weights, c, folds, seed)
            auc = average_precision_score(labels, oof)
            if best is None or auc > best[0] + 1e-9:
                best = (auc, design, c, oof)
    return best[1:]


def calibrate(
    decision: np.ndarray, labels: np.ndarray, prior: np.ndarray | None
) -> tuple[float, float, float]:
    """(a, b, g) of ``sigmoid(a * decision + b + g * prior)``, fitted on out-of-fold decisions.

    Platt scaling with the rules' score as a second input: a stacked blend whose weights the
    examples choose. Where the model is weak (few labels) the rules carry the score; where it has
    learnt more than they say, g shrinks. A prior pointing the wrong way (g <= 0: the rules hit
    the negatives as often) is left out: the rules are written to mean relevance.
    """
    a, b = _platt(decision, labels)
    if prior is None or np.ptp(prior) == 0:
        return a, b, 0.0
    both = np.column_stack([decision, np.asarray(prior, dtype=np.float64)])
    clf = LogisticRegression(C=100.0, solver="lbfgs", tol=TOL, max_iter=10_000).fit(both, labels)
    a2, g = (float(v) for v in clf.coef_[0])
    if g <= 0 or a2 <= 0:
        return a, b, 0.0
    return a2, float(clf.intercept_[0]), g


def _near(c: float) -> tuple[float, ...]:
    """The C values tried for a second family: the first family's best and the next one up (a
    bound on training time: char n-gram fits cost about five times a words fit)."""
    i = C_GRID.index(c)
    return C_GRID[i : i + 2]


def candidate_families(features: sp.csr_matrix) -> list[tuple[str, ...]]:
    """Words always; words and char n-grams too when ``features`` has them and texts are short."""
    chars = features.indices >= FAMILY_WIDTH
    if not chars.any():
        return [WORDS]
    words_per_row = np.bincount(
        np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))[~chars], minlength=features.shape[0]
    )
    return [WORDS, ("words", "chars")] if np.median(words_per_row) <= SHORT_TEXT else [WORDS]


class Design:
    """The training matrix of one choice of families: compacted columns, idf, the dense block."""

    def __init__(self, features: sp.csr_matrix, families: tuple[str, ...], dense: np.ndarray | None) -> None:
        self.families = tuple(families)
        self.columns, compact = _compact(_restrict(features, self.families))
        self.idf = _idf(compact)
        x = compact @ sp.diags(self.idf.astype(np.float32))
        self.dim = 0 if dense is None else dense.shape[1]
        if dense is not None:
            x = sp.hstack([x, sp.csr_matrix(np.asarray(dense, dtype=np.float32) * DENSE_SCALE)], format="csr")
        self.x = x.tocsr()

    def finish(self, clf: LogisticRegression, a: float, b: float, threshold: float) -> LinearModel:
        coef = clf.coef_.ravel()
        sparse_coef = coef[: len(coef) - self.dim]
        model = _finish(sparse_coef, float(clf.intercept_[0]), self.idf, self.columns, a, b, threshold)
        model.families = self.families
        if self.dim:
            model.dense = (coef[len(coef) - self.dim :] * DENSE_SCALE).astype(np.float32)
        return model


def _restrict(features: sp.csr_matrix, families: tuple[str, ...]) -> sp.csr_matrix:
    """``features`` with only the columns of ``families`` (the others' values dropped)."""
    family = features.indices // FAMILY_WIDTH
    keep = np.isin(family, [FAMILIES.index(f) for f in families])
    if keep.all():
        return features
    rows = np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))[keep]
    indptr = np.zeros(features.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=features.shape[0]), out=indptr[1:])
    return sp.csr_matrix((features.data[keep], features.indices[keep], indptr), shape=features.shape)


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
    clf = LogisticRegression(C=100.0, solver="lbfgs", tol=TOL, max_iter=10_000)
    clf.fit(decision.reshape(-1, 1), labels)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def _report(labels, probs, threshold: float, c: float, folds: int, in_store=None) -> FitReport:
    """Cross-validated figures at ``threshold``; ``in_store``: (precision, recall, F1) expected in
    the store, given when the threshold was set for the store's prevalence."""
    predicted = probs >= threshold
    tp = int((predicted & (labels == 1)).sum())
    precision = tp / max(int(predicted.sum()), 1)
    recall = tp / max(int(labels.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    if in_store is not None:
        precision, recall, f1 = in_store
    pr_auc = float(average_precision_score(labels, probs))
    return FitReport(precision, recall, f1, pr_auc, threshold, c, folds)


def _finish(
    coef: np.ndarray, bias: float, idf: np.ndarray, columns: np.ndarray, a: float, b: float, threshold: float
) -> LinearModel:
    compact = coef * idf
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
        bias=bias,
        calib_a=a,
        calib_b=b,
        threshold=threshold,
    )


def term_lookup(texts: Sequence[str], columns: np.ndarray, limit: int = 20_000) -> dict[int, str]:
    """For weighted columns, the most frequent readable term landing there in ``texts``.

    A char n-gram column is named by the word it most often comes from, with the n-gram:
    "ovens [ven]", so explanations name words."""
    wanted = set(int(c) for c in columns)
    chars = any(c >= FAMILY_WIDTH for c in wanted)
    counts: dict[int, Counter] = {}
    for text in texts[:limit]:
        found = terms(text)
        if chars:
            found += [f"{word} [{gram[1:]}]" for gram, word in char_terms(text)]
        for term, col in zip(found, _columns_of(found), strict=True):
            col = int(col)
            if col in wanted:
                counts.setdefault(col, Counter())[term] += 1
    return {col: counter.most_common(1)[0][0] for col, counter in counts.items()}


def _columns_of(found: list[str]) -> np.ndarray:
    """Columns of readable terms, a named n-gram "word [gram]" at its n-gram's column."""
    return hash_terms(
        [CHAR_MARK + t[t.rindex("[") + 1 : -1] if t.endswith("]") and " [" in t else t for t in found]
    )
