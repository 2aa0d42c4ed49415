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


def _normalize_answer(text: str, language: str) -> list[str]:
    """SQuAD's normalisation for English (lowercase, no punctuation or articles); whitespace
    tokens for code, where case and punctuation carry meaning."""
    if language != "en":
        return text.split()
    import re
    import string

    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def span_scores(prediction: str, golds: list[str], language: str) -> tuple[float, float]:
    """Exact match and token F1 of one predicted answer against its best-matching gold answer."""
    predicted = _normalize_answer(prediction, language)
    best_em, best_f1 = 0.0, 0.0
    for gold in golds:
        reference = _normalize_answer(gold, language)
        best_em = max(best_em, float(predicted == reference))
        common = sum(min(predicted.count(t), reference.count(t)) for t in set(predicted))
        if common:
            precision, recall = common / len(predicted), common / len(reference)
            best_f1 = max(best_f1, 2 * precision * recall / (precision + recall))
        elif not predicted and not reference:
            best_f1 = max(best_f1, 1.0)
    return best_em, best_f1
