"""Threshold choice on out-of-fold probabilities."""

import numpy as np

from warning.classify.fit import choose_threshold


def test_target_precision_does_not_sink_below_the_last_positive():
    # Perfectly separated: every positive above every negative.
    probs = np.array([0.99, 0.95, 0.9, 0.4, 0.02, 0.01, 0.005, 0.001])
    labels = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    threshold = choose_threshold(labels, probs, target_precision=0.8)
    assert 0.4 < threshold < 0.9  # all positives in, no negative let in to "use up" the precision


def test_target_precision_takes_the_most_recall_it_allows():
    probs = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    labels = np.array([1, 1, 0, 1, 1, 0, 0])
    # Cut after 0.5: 4 of 5 predicted are relevant (precision 0.8) and recall is complete.
    threshold = choose_threshold(labels, probs, target_precision=0.8)
    assert 0.4 < threshold < 0.5


def test_best_f1_without_target():
    probs = np.array([0.9, 0.8, 0.3, 0.2])
    labels = np.array([1, 1, 0, 0])
    assert 0.3 < choose_threshold(labels, probs) < 0.8
