"""Metrics, computed from per-example predictions so that reports can resample them."""

from __future__ import annotations

import numpy as np


def accuracy(labels: np.ndarray, predictions: np.ndarray) -> float:
    return float(np.mean(labels == predictions)) if len(labels) else float("nan")


def f1(labels: np.ndarray, predictions: np.ndarray, num_labels: int) -> float:
    """Binary F1 of the positive class (label 1) for two labels, macro F1 otherwise."""
    classes = [1] if num_labels == 2 else list(range(num_labels))
    scores = []
    for c in classes:
        tp = np.sum((predictions == c) & (labels == c))
        fp = np.sum((predictions == c) & (labels != c))
        fn = np.sum((predictions != c) & (labels == c))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores))


def classification_metrics(labels: np.ndarray, predictions: np.ndarray, num_labels: int) -> dict[str, float]:
    return {"accuracy": accuracy(labels, predictions), "f1": f1(labels, predictions, num_labels)}


def ranks(similarity: np.ndarray) -> np.ndarray:
    """1-based rank of the correct candidate (the diagonal) for each query row."""
    correct = np.diag(similarity)[:, None]
    return 1 + np.sum(similarity > correct, axis=1)


def retrieval_metrics(query_ranks: np.ndarray) -> dict[str, float]:
    return {"acc@1": float(np.mean(query_ranks == 1)), "mrr": float(np.mean(1.0 / query_ranks))}
