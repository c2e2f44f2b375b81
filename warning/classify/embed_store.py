"""Embeddings of publications, computed once and kept in the store (float16, by text hash).

`classify` embeds each new publication when ``[classify] embedding_model`` is set; training,
``--rescore`` and ``--suggest`` read the stored vectors and compute only what is missing (a
publication whose text changed, a training file's example never stored). A vector is always used
as stored (rounded to float16), so a score is the same whether its vector was computed now or read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from warning.classify.embed import EmbeddingModel, load_embedding_model
from warning.classify.featurize import FAMILIES, WORDS
from warning.classify.model import LinearModel, embeddings_missing
from warning.errors import ModelError
from warning.store.embeddings import get_embeddings, save_embeddings, text_hash

log = logging.getLogger(__name__)


@dataclass
class EmbeddingSource:
    """The configured encoder and the store's vectors of it."""

    db: object
    model: EmbeddingModel
    computed: int = field(default=0)

    def vectors(self, ids: list[str], texts: list[str]) -> np.ndarray:
        """(len(ids) x dim) float32: stored vectors, the missing ones computed and stored."""
        hashes = [text_hash(t) for t in texts]
        vectors, found = get_embeddings(self.db, self.model.key, ids, hashes, self.model.dim)
        missing = np.flatnonzero(~found)
        if len(missing):
            fresh = self.model.encode([texts[i] for i in missing]).astype(np.float16)
            save_embeddings(
                self.db, self.model.key, [ids[i] for i in missing], [hashes[i] for i in missing], fresh
            )
            vectors[missing] = fresh.astype(np.float32)
            self.computed += len(missing)
        return vectors

    def check(self, model: LinearModel) -> str | None:
        """Why ``model`` cannot use this encoder's vectors (None: it can)."""
        wanted = model.embedding or {}
        if wanted.get("file_hash") != self.model.file_hash:
            return (
                f"model was trained with embeddings of {wanted.get('name')} (weights sha256 "
                f"{str(wanted.get('file_hash'))[:12]}), but [classify] embedding_model gives "
                f"{self.model.name} ({self.model.file_hash[:12]}); set it back or retrain"
            )
        return None


_CACHE: dict[tuple[str, str], EmbeddingModel] = {}


def embedding_source(app) -> EmbeddingSource | None:
    """The app's embedding source, or None when ``[classify] embedding_model`` is not set.

    Raises ModelError (with what to do) when it is set but cannot be used."""
    spec = app.config.classify.embedding_model
    if not spec:
        return None
    resolved = app.config.resolve(spec)
    spec = str(resolved) if resolved.is_dir() else spec
    cache_dir = app.config.classifiers_dir / ".encoders"
    key = (spec, str(cache_dir))
    if key not in _CACHE:
        _CACHE[key] = load_embedding_model(spec, cache_dir)
        log.info("embedding model %s loaded (%s dimensions)", _CACHE[key].name, _CACHE[key].dim)
    return EmbeddingSource(app.db, _CACHE[key])


def require_source(source: EmbeddingSource | None, model: LinearModel) -> None:
    """Refuse, with a clear message, to score a model trained with embeddings without them."""
    if model.dense is None:
        return
    if source is None:
        raise ModelError(embeddings_missing(model))
    problem = source.check(model)
    if problem:
        raise ModelError(problem)


def optional_source(app) -> EmbeddingSource | None:
    """`embedding_source`, or None (logged) when the configured model cannot be loaded: the
    watchlists whose models need it then stop with that reason, the others run."""
    try:
        return embedding_source(app)
    except ModelError as exc:
        log.error("embeddings unavailable: %s", exc)
        return None


def read_blocks(models: list) -> tuple[tuple[str, ...], np.ndarray | None]:
    """What scoring ``models`` needs: the feature families any of them reads, and their embedding
    weights as one (dim x models) matrix (None when none was trained with embeddings)."""
    families = {f for m in models if m is not None for f in m.families} | set(WORDS)
    dims = {len(m.dense) for m in models if m is not None and m.dense is not None}
    ordered = tuple(f for f in FAMILIES if f in families)
    if not dims:
        return ordered, None
    if len(dims) > 1:
        raise ModelError(f"models trained with embeddings of different widths {sorted(dims)}: retrain them")
    dense = np.zeros((dims.pop(), len(models)), dtype=np.float32)
    for k, m in enumerate(models):
        if m is not None and m.dense is not None:
            dense[:, k] = m.dense
    return ordered, dense
