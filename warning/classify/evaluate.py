"""Evaluation: precision, recall, F1 and PR-AUC at the watchlist's threshold, keyword baseline beside.

The baseline is what the offices' own alert services do: the watchlist's keywords as a boolean
query (any keyword present means relevant). Beating it clearly is the point of the classifier.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

from warning.classify.embed_store import embedding_source, require_source
from warning.classify.featurize import featurize
from warning.classify.fit import fit_linear
from warning.classify.model import load_model
from warning.classify.rules import rule_prior
from warning.classify.run import EXCLUDE_FACTOR, threshold_of
from warning.classify.train import read_labelled_jsonl, training_features, with_store_codes
from warning.classify.watchlists import Watchlist, keyword_pattern, load_watchlist
from warning.errors import ModelError

METRIC_KEYS = ("precision", "recall", "f1", "pr_auc", "n")


def metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Precision, recall, F1 at ``threshold`` and PR-AUC (average precision) over the scores."""
    labels = np.asarray(labels, dtype=np.int8)
    predicted = np.asarray(scores) >= threshold
    tp = int((predicted & (labels == 1)).sum())
    precision = tp / max(int(predicted.sum()), 1)
    recall = tp / max(int(labels.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    pr_auc = float(average_precision_score(labels, scores)) if 0 < labels.sum() < len(labels) else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "pr_auc": round(pr_auc, 4), "n": int(len(labels))}  # fmt: skip


def keyword_baseline(watchlist: Watchlist, texts: list[str], labels: np.ndarray) -> dict:
    """The watchlist's keywords as a boolean query, scored like a classifier."""
    pattern = keyword_pattern(watchlist.keywords)
    hits = np.array([bool(pattern and pattern.search(t)) for t in texts], dtype=float)
    return metrics(labels, hits, 0.5)


def _exclude_factor(watchlist: Watchlist, texts: list[str]) -> np.ndarray:
    pattern = keyword_pattern(watchlist.exclude)
    return np.array([EXCLUDE_FACTOR if pattern and pattern.search(t) else 1.0 for t in texts])


def evaluate_file(app, name_or_path: str, data: Path | str, cv: int | None = None) -> dict:
    """Score a labelled file with the current model, or cross-validate on it with ``cv`` folds."""
    watchlist = load_watchlist(name_or_path, app.config.watchlists_dir)
    # the file's publications as the service scores them: with their codes and applicants from the store
    examples = with_store_codes(app.db, read_labelled_jsonl(data, app.config.classify.max_text_chars))
    texts = [e.text for e in examples]
    labels = np.array([e.label for e in examples], dtype=np.int8)
    prior = rule_prior(watchlist, texts, [e.codes for e in examples], [e.applicants for e in examples])
    source = embedding_source(app)
    if cv:
        dense = source.vectors([e.id for e in examples], texts) if source is not None else None
        scores, thresholds = _cross_validated(watchlist, texts, labels, cv, dense, prior)
    else:
        model = load_model(app.config.classifiers_dir / watchlist.name)
        require_source(source, model)
        dense = source.vectors([e.id for e in examples], texts) if model.dense is not None else None
        features = featurize(texts, model.families)
        scores = model.probability(features, dense, prior) * _exclude_factor(watchlist, texts)
        thresholds = np.full(len(texts), threshold_of(watchlist, model))
    result = metrics(labels, scores - thresholds + 0.5, 0.5)
    result["pr_auc"] = metrics(labels, scores, 0.5)["pr_auc"]
    result["baseline"] = keyword_baseline(watchlist, texts, labels)
    return result


def _cross_validated(
    watchlist: Watchlist, texts: list[str], labels: np.ndarray, k: int, dense=None, prior=None
):
    """Out-of-fold probabilities, and the threshold each fold's model would have used."""
    n_pos, n_neg = int(labels.sum()), int((labels == 0).sum())
    folds = min(k, n_pos, n_neg)
    if folds < 2:
        raise ModelError(
            f"--cv {k} needs at least 2 relevant and 2 irrelevant examples (have {n_pos} and {n_neg})"
        )
    features = training_features(texts)
    factor = _exclude_factor(watchlist, texts)
    scores, thresholds = np.zeros(len(texts)), np.zeros(len(texts))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(np.zeros(len(labels)), labels):
        fold_dense = None if dense is None else dense[train_idx]
        fold_prior = None if prior is None else prior[train_idx]
        model, _ = fit_linear(
            features[train_idx], labels[train_idx], None, watchlist.target_precision, dense=fold_dense,
            prior=fold_prior,
        )  # fmt: skip
        test_dense = None if dense is None else dense[test_idx]
        test_prior = None if prior is None else prior[test_idx]
        scores[test_idx] = model.probability(features[test_idx], test_dense, test_prior) * factor[test_idx]
        thresholds[test_idx] = threshold_of(watchlist, model)
    return scores, thresholds
