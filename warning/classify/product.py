"""Per-watchlist columns over the hashed features, read a batch at a time as small dense blocks.

Scoring multiplies a batch (documents x features) by every watchlist's weights (features x
watchlists). Both sides are sparse but the result is small and dense. A sparse-times-sparse
product pays for every (document term, watchlist weight) pair through scipy's general kernel;
instead, the weight rows of the terms this batch actually uses are gathered into a dense block, and
the batch's features, renumbered to that block, are multiplied by it with scipy's
sparse-times-dense kernel, whose inner loop runs over contiguous memory: same sums, about twice as
fast. Explanations look up each (term, watchlist) the same way, in a block of table entries.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

BLOCK_WIDTH = 64  # watchlists per dense block: a block is (terms in the batch x 64) values


class StackedColumns:
    """A (features x watchlists) sparse matrix kept in slices of at most ``BLOCK_WIDTH`` watchlists.

    Slicing keeps a dense block small (a batch of 2,000 publications uses about 70,000 terms: an
    18 MB float32 block) however many watchlists there are.
    """

    def __init__(self, matrix: sp.spmatrix, dtype: type = np.float32) -> None:
        matrix = sp.csc_matrix(matrix, dtype=dtype)
        self.n_features, self.width = matrix.shape
        self.bounds = list(range(0, self.width, BLOCK_WIDTH))
        self.slices = [matrix[:, lo : lo + BLOCK_WIDTH].tocsr() for lo in self.bounds]
        self.has_entry = np.diff(matrix.tocsr().indptr) > 0
        self.scratch = np.full(self.n_features, -1, dtype=np.int32)  # see `renumber`

    @property
    def nnz(self) -> int:
        """Stored entries over all slices."""
        return sum(s.nnz for s in self.slices)

    def used_columns(self, features: sp.csr_matrix) -> np.ndarray:
        """The features (columns of ``features``) present in the batch that have an entry here."""
        used = np.zeros(self.n_features, dtype=bool)
        used[features.indices] = True
        return np.flatnonzero(used & self.has_entry)

    def block(self, k: int, columns: np.ndarray) -> np.ndarray:
        """Slice ``k`` restricted to the feature rows ``columns``, dense."""
        return self.slices[k][columns].toarray()

    def positions(self, features: sp.csr_matrix, columns: np.ndarray) -> np.ndarray:
        """For each stored value of ``features``, its row in a block over ``columns``, or -1."""
        scratch = self.scratch
        scratch[columns] = np.arange(len(columns), dtype=np.int32)
        where = scratch[features.indices]
        scratch[columns] = -1  # left clean for the next batch
        return where


class StackedWeights(StackedColumns):
    """Every watchlist's weight vector as one (features x watchlists) matrix, ready for batches."""

    def product(self, features: sp.csr_matrix) -> np.ndarray:
        """``(features @ weights)`` as a dense float32 (documents x watchlists) array."""
        n = features.shape[0]
        columns = self.used_columns(features) if n and self.width else np.zeros(0, dtype=np.int64)
        if not len(columns):
            return np.zeros((n, self.width), dtype=np.float32)
        compact = _renumbered(features, self.positions(features, columns), len(columns))
        parts = [compact @ self.block(k, columns) for k in range(len(self.slices))]
        return parts[0] if len(parts) == 1 else np.hstack(parts)


def _renumbered(features: sp.csr_matrix, where: np.ndarray, width: int) -> sp.csr_matrix:
    """``features`` with column j moved to ``where[j]``, values where it is -1 dropped."""
    keep = where >= 0
    n = features.shape[0]
    rows = np.repeat(np.arange(n), np.diff(features.indptr))[keep]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix((features.data[keep], where[keep], indptr), shape=(n, width))
