"""A watchlist's model: a sparse linear scorer over the shared features, calibrated to a probability.

Saved as plain arrays (``model.npz``, read with ``allow_pickle=False``) plus a JSON card
(``card.json``): nothing on disk is ever unpickled. The card names the featurizer version; a model
built by another version is refused, because its weights would point at the wrong columns.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from warning.classify.featurize import FAMILIES, FEATURIZER_VERSION, N_FEATURES, WORDS
from warning.errors import ModelError

MODEL_FILE = "model.npz"
CARD_FILE = "card.json"
RANKING = "ranking_"  # prefix of the runner-up's arrays in model.npz (`LinearModel.ranking`)


@dataclass
class LinearModel:
    """Sparse weights over the hashed features, a bias, and Platt calibration ``sigmoid(a*s + b)``."""

    indices: np.ndarray  # int64 feature columns with a weight, ascending
    weights: np.ndarray  # float32, same length
    bias: float
    calib_a: float = 1.0
    calib_b: float = 0.0
    calib_prior: float = 0.0  # weight of the watchlist's rule score in the calibration (`fit.calibrate`)
    threshold: float = 0.5
    terms: dict[int, str] = field(default_factory=dict)  # column -> a readable term landing there
    card: dict = field(default_factory=dict)
    featurizer_version: str = FEATURIZER_VERSION
    families: tuple[str, ...] = WORDS  # the feature families its weights read
    dense: np.ndarray | None = None  # float32 weights of the embedding block, if trained with one
    embedding: dict | None = None  # the encoder it was trained with: name, file_hash, dim, max_tokens
    # A rules decision's model-based runner-up, kept for `feedback.suggest` alone: the rules give a
    # store few distinct scores, so "nearest the threshold" would be a tie among thousands.
    ranking: LinearModel | None = None

    @property
    def version(self) -> str:
        """A short id of this trained model: date and data hash from its card."""
        return f"{self.card.get('trained_at', '')[:10]}-{self.card.get('data_hash', '')[:8]}".strip("-")

    def column(self) -> sp.csc_matrix:
        """The weights as one (N_FEATURES x 1) sparse column."""
        return sp.csc_matrix(
            (self.weights, self.indices, [0, len(self.indices)]), shape=(N_FEATURES, 1), dtype=np.float32
        )

    def decision(self, features: sp.csr_matrix, dense: np.ndarray | None = None) -> np.ndarray:
        """The raw linear score of each row (``dense``: the rows' embeddings, if the model reads them)."""
        product = features @ self.column()
        score = np.asarray(product.todense()).ravel() + self.bias
        if self.dense is not None:
            if dense is None:
                raise ModelError(embeddings_missing(self))
            score += np.asarray(dense, dtype=np.float32) @ self.dense
        return score

    def calibrate(self, decision: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """Raw scores to probabilities; ``prior``: the rows' rule scores, which a model calibrated
        with them needs (`BatchRules.evidence_score`)."""
        z = self.calib_a * decision + self.calib_b
        if self.calib_prior:
            if prior is None:
                raise ModelError("this model blends the watchlist's rule scores: pass them (prior=...)")
            z = z + self.calib_prior * np.asarray(prior, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    def probability(
        self, features: sp.csr_matrix, dense: np.ndarray | None = None, prior: np.ndarray | None = None
    ) -> np.ndarray:
        """The calibrated probability that each row is relevant (``prior``: see `calibrate`)."""
        return self.calibrate(self.decision(features, dense), prior)


def embeddings_missing(model: LinearModel) -> str:
    """Why a model trained with embeddings cannot score: the message users see."""
    name = (model.embedding or {}).get("name", "a sentence-embedding model")
    return (
        f"model {model.version or '(new)'} was trained with embeddings of {name}, which are not available: "
        "set [classify] embedding_model to that model and install 'patent-warning[embeddings]', "
        "or retrain without embeddings"
    )


def save_model(model: LinearModel, directory: Path) -> None:
    """Write ``model.npz`` and ``card.json`` into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    term_cols = np.array(sorted(model.terms), dtype=np.int64)
    term_text = np.array([model.terms[int(c)] for c in term_cols], dtype=str)
    arrays = _arrays(model)
    if model.ranking is not None:
        arrays |= {RANKING + k: v for k, v in _arrays(model.ranking).items()}
    tmp = directory / (MODEL_FILE + ".tmp")
    with open(tmp, "wb") as fh:
        np.savez_compressed(
            fh,
            term_columns=term_cols,
            term_text=term_text if len(term_text) else np.zeros(0, dtype="<U1"),
            **arrays,
        )
    tmp.replace(directory / MODEL_FILE)
    card = {**model.card, "featurizer_version": model.featurizer_version, "threshold": model.threshold}
    card |= {"families": list(model.families), "embedding": model.embedding}
    if model.ranking is not None:
        card["ranking_embedding"] = model.ranking.embedding
    (directory / CARD_FILE).write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _arrays(model: LinearModel) -> dict[str, np.ndarray]:
    """The arrays that score: weights, scalars, and the embedding block and rules' weight if any."""
    return {
        "indices": model.indices.astype(np.int64),
        "weights": model.weights.astype(np.float32),
        "scalars": np.array([model.bias, model.calib_a, model.calib_b, model.threshold], dtype=np.float64),
        **({} if model.dense is None else {"dense": model.dense.astype(np.float32)}),
        **({"prior": np.array([model.calib_prior])} if model.calib_prior else {}),
    }


def model_exists(directory: Path) -> bool:
    return (directory / MODEL_FILE).exists() or (directory / CARD_FILE).exists()


def load_model(directory: Path, ranking: bool = False) -> LinearModel:
    """Load a model safely; raises ModelError with a readable reason when it cannot be used.
    ``ranking``: with a rules decision's set-aside model (`LinearModel.ranking`), which only
    `--suggest` reads (up to `fit.MAX_WEIGHTS` weights a watchlist the scorer need not hold)."""
    card = _read_card(directory)
    version = card.get("featurizer_version")
    if version != FEATURIZER_VERSION:
        raise ModelError(
            f"{directory}: model was built by featurizer {version!r} but this service uses "
            f"{FEATURIZER_VERSION!r}; retrain it with `warning train {directory.name}`"
        )
    try:
        with np.load(directory / MODEL_FILE, allow_pickle=False) as npz:
            arrays = _read_arrays(npz, "") | {k: npz[k] for k in ("term_columns", "term_text")}
            kept = ranking and RANKING + "indices" in npz.files
            ranking = _read_arrays(npz, RANKING) if kept else None
    except FileNotFoundError:
        raise ModelError(
            f"{directory}: {MODEL_FILE} is missing; retrain with `warning train {directory.name}`"
        ) from None
    except (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(
            f"{directory}/{MODEL_FILE} is corrupt ({exc}); retrain with `warning train {directory.name}`"
        ) from None
    model = _from_arrays(arrays, card, directory)
    if ranking is not None:
        ranking |= {"term_columns": np.zeros(0, np.int64), "term_text": np.zeros(0, dtype="<U1")}
        model.ranking = _from_arrays(ranking, card | {"embedding": card.get("ranking_embedding")}, directory)
    return model


def _read_arrays(npz, prefix: str) -> dict[str, np.ndarray | None]:
    arrays = {k: npz[prefix + k] for k in ("indices", "weights", "scalars")}
    arrays["dense"] = npz[prefix + "dense"] if prefix + "dense" in npz.files else None
    arrays["prior"] = npz[prefix + "prior"] if prefix + "prior" in npz.files else np.zeros(1)
    return arrays


def _read_card(directory: Path) -> dict:
    path = directory / CARD_FILE
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"{directory}: {CARD_FILE} is missing; retrain with `warning train {directory.name}`"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"{path} is corrupt ({exc}); retrain with `warning train {directory.name}`"
        ) from None
    if not isinstance(card, dict):
        raise ModelError(f"{path} is corrupt (not a JSON object)")
    return card


def _from_arrays(arrays: dict, card: dict, directory: Path) -> LinearModel:
    indices, weights, scalars = arrays["indices"], arrays["weights"], arrays["scalars"]
    ok = (
        indices.ndim == 1
        and indices.shape == weights.shape
        and scalars.shape == (4,)
        and (len(indices) == 0 or (indices.min() >= 0 and indices.max() < N_FEATURES))
        and np.all(np.isfinite(weights))
        and np.all(np.isfinite(scalars))
        and arrays["prior"].shape == (1,)
        and bool(np.isfinite(arrays["prior"][0]))
    )
    families = tuple(card.get("families") or WORDS)
    embedding, dense = card.get("embedding"), arrays["dense"]
    ok = ok and set(families) <= set(FAMILIES) and (dense is None) == (not embedding)
    if dense is not None:
        ok = (
            ok
            and dense.ndim == 1
            and len(dense) == int(embedding.get("dim", -1))
            and np.all(np.isfinite(dense))
        )
    if not ok:
        raise ModelError(f"{directory}/{MODEL_FILE} is corrupt (arrays of the wrong shape or range)")
    order = np.argsort(indices)
    terms = {int(c): str(t) for c, t in zip(arrays["term_columns"], arrays["term_text"], strict=False)}
    bias, a, b, threshold = (float(x) for x in scalars)
    return LinearModel(
        indices=indices[order].astype(np.int64),
        weights=weights[order].astype(np.float32),
        bias=bias,
        calib_a=a,
        calib_b=b,
        calib_prior=float(arrays["prior"][0]),
        threshold=threshold,
        terms=terms,
        card=card,
        families=families,
        dense=None if dense is None else dense.astype(np.float32),
        embedding=embedding or None,
    )
