"""The one product of a batch: (documents x features) times (features x watchlists).

Both sides are sparse, but the result is small and dense. A sparse-times-sparse product pays for
every (document term, watchlist weight) pair through scipy's general kernel; instead, the weight
rows of the terms this batch actually uses are gathered into a dense block, and the batch's
features, renumbered to that block, are multiplied by it with scipy's sparse-times-dense kernel,
whose inner loop runs over contiguous memory: same sums, about twice as fast.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

BLOCK_WIDTH = 64  # watchlists per dense block: a block is (terms in the batch x 64) float32


class StackedWeights:
    """Every watchlist's weight vector as one (features x watchlists) matrix, ready for batches.

    Kept in slices of at most ``BLOCK_WIDTH`` watchlists, so a dense block stays small (a batch of
    2,000 publications uses about 70,000 terms: an 18 MB block) however many watchlists there are.
    """

    def __init__(self, weights: sp.spmatrix) -> None:
        weights = sp.csc_matrix(weights, dtype=np.float32)
        self.n_features, self.width = weights.shape
        self.slices = [weights[:, lo : lo + BLOCK_WIDTH].tocsr() for lo in range(0, self.width, BLOCK_WIDTH)]
        self.has_weight = np.bincount(weights.indices, minlength=self.n_features) > 0
        self._scratch = np.full(self.n_features, -1, dtype=np.int32)  # see `_renumbered`

    @property
    def nnz(self) -> int:
        """Stored weights over all slices."""
        return sum(s.nnz for s in self.slices)

    def product(self, features: sp.csr_matrix) -> np.ndarray:
        """``(features @ weights)`` as a dense float32 (documents x watchlists) array."""
        n = features.shape[0]
        if n == 0 or self.width == 0:
            return np.zeros((n, self.width), dtype=np.float32)
        used = np.zeros(self.n_features, dtype=bool)
        used[features.indices] = True
        columns = np.flatnonzero(used & self.has_weight)
        if not len(columns):
            return np.zeros((n, self.width), dtype=np.float32)
        compact = self._renumbered(features, columns)
        parts = [compact @ part[columns].toarray() for part in self.slices]
        return parts[0] if len(parts) == 1 else np.hstack(parts)

    def _renumbered(self, features: sp.csr_matrix, columns: np.ndarray) -> sp.csr_matrix:
        """``features`` over ``columns`` only, numbered 0..len(columns)-1; other values dropped."""
        scratch = self._scratch
        scratch[columns] = np.arange(len(columns), dtype=np.int32)
        where = scratch[features.indices]
        scratch[columns] = -1  # left clean for the next batch
        keep = where >= 0
        n = features.shape[0]
        rows = np.repeat(np.arange(n), np.diff(features.indptr))[keep]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return sp.csr_matrix((features.data[keep], where[keep], indptr), shape=(n, len(columns)))
