from __future__ import annotations

import numpy as np

from codestilts.training.metrics import accuracy, f1, ranks, retrieval_metrics


def test_ranks_and_mrr_on_a_known_matrix() -> None:
    similarity = np.array([[0.9, 0.1, 0.0], [0.8, 0.5, 0.1], [0.2, 0.7, 0.3]])
    found = ranks(similarity)
    assert found.tolist() == [1, 2, 2]
    metrics = retrieval_metrics(found)
    assert metrics["acc@1"] == 1 / 3
    assert np.isclose(metrics["mrr"], (1 + 0.5 + 0.5) / 3)


def test_binary_and_macro_f1() -> None:
    labels = np.array([1, 1, 0, 0])
    predictions = np.array([1, 0, 0, 1])
    assert accuracy(labels, predictions) == 0.5
    assert f1(labels, predictions, 2) == 0.5
    assert f1(np.array([0, 1, 2]), np.array([0, 1, 2]), 3) == 1.0
    assert f1(np.array([0, 0]), np.array([1, 1]), 2) == 0.0
