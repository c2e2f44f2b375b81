"""The batch product equals the plain sparse product, in every shape the scorer meets."""

import numpy as np
import scipy.sparse as sp

from warning.classify.product import BLOCK_WIDTH, StackedWeights


def _random(rows: int, cols: int, density: float, seed: int) -> sp.csr_matrix:
    return sp.random(rows, cols, density=density, format="csr", dtype=np.float32, random_state=seed)


def test_product_matches_the_sparse_product_across_several_slices():
    features = _random(300, 5000, 0.01, 1)
    weights = _random(5000, 2 * BLOCK_WIDTH + 7, 0.05, 2)
    got = StackedWeights(weights).product(features)
    assert got.shape == (300, 2 * BLOCK_WIDTH + 7) and got.dtype == np.float32
    np.testing.assert_allclose(got, (features @ weights).toarray(), rtol=1e-5, atol=1e-6)


def test_terms_without_weight_and_documents_without_terms_score_zero():
    weights = sp.csr_matrix(([2.0, -1.0], ([3, 7], [0, 1])), shape=(10, 2), dtype=np.float32)
    features = sp.csr_matrix(([1.0, 0.5, 1.0], ([0, 0, 2], [3, 5, 9])), shape=(3, 10), dtype=np.float32)
    got = StackedWeights(weights).product(features)
    np.testing.assert_array_equal(got, [[2.0, 0.0], [0.0, 0.0], [0.0, 0.0]])


def test_empty_batch_and_no_watchlists():
    stacked = StackedWeights(_random(100, 3, 0.1, 3))
    assert stacked.product(sp.csr_matrix((0, 100), dtype=np.float32)).shape == (0, 3)
    none = StackedWeights(sp.csr_matrix((100, 0), dtype=np.float32))
    assert none.product(_random(4, 100, 0.1, 4)).shape == (4, 0)


def test_repeated_batches_leave_no_state_behind():
    weights = _random(2000, 10, 0.1, 5)
    stacked = StackedWeights(weights)
    for seed in range(3):
        features = _random(50, 2000, 0.02, 10 + seed)
        np.testing.assert_allclose(stacked.product(features), (features @ weights).toarray(), rtol=1e-5)
