"""Task heads on a shared encoder (each format picks its own: :meth:`codestilts.formats.Format.head`),
and the pooling they read.

Heads are small; the encoder is shared. Intermediate stages drop their heads, target stages start
a fresh one (the jiant recipe). Every head maps encoder states (and the batch) to logits and a loss.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from codestilts.formats.base import IGNORE

Pooling = Literal["cls", "mean", "last"]


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, how: Pooling) -> torch.Tensor:
    """One vector per sequence: the first token's state, the last non-padding token's (a decoder's
    summary of the whole text; padding on either side), or the mean over non-padding tokens."""
    if how == "cls":
        return hidden[:, 0]
    if how == "last":
        positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)
        last = (attention_mask.bool() * positions).argmax(dim=1)
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class SequenceClassificationHead(nn.Module):
    """Pooled state -> label logits: classification and pair classification."""

    def __init__(self, hidden_size: int, num_labels: int, pooling: Pooling = "cls", dropout: float = 0.1):
        super().__init__()
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(pool(hidden, attention_mask, self.pooling)))

    @staticmethod
    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, labels)


class MultipleChoiceHead(SequenceClassificationHead):
    """One score per (context, choice) sequence; the batch arrives flattened to ``[B*K, L]``."""

    def __init__(self, hidden_size: int, pooling: Pooling = "cls", dropout: float = 0.1):
        super().__init__(hidden_size, 1, pooling, dropout)


class SpanHead(nn.Module):
    """Start and end logits per token (extractive QA, bug localisation)."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.out = nn.Linear(hidden_size, 2)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits = self.out(hidden).float()
        return logits.masked_fill(~attention_mask.bool().unsqueeze(-1), torch.finfo(logits.dtype).min)

    @staticmethod
    def loss(logits: torch.Tensor, start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
        return (F.cross_entropy(logits[..., 0], start) + F.cross_entropy(logits[..., 1], end)) / 2


class TaggingHead(nn.Module):
    """Tag logits per token; only each word's first sub-token carries a label."""

    def __init__(self, hidden_size: int, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(hidden))

    @staticmethod
    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(), ignore_index=IGNORE)


class ContrastiveHead(nn.Module):
    """Retrieval training: pooled query and document vectors, InfoNCE with in-batch negatives."""

    def __init__(self, pooling: Pooling = "mean", temperature: float = 0.05):
        super().__init__()
        self.pooling = pooling
        self.temperature = temperature

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return F.normalize(pool(hidden, attention_mask, self.pooling).float(), dim=-1)

    def loss(self, queries: torch.Tensor, documents: torch.Tensor) -> torch.Tensor:
        similarity = queries @ documents.T / self.temperature
        targets = torch.arange(len(queries), device=similarity.device)
        return (F.cross_entropy(similarity, targets) + F.cross_entropy(similarity.T, targets)) / 2


class MaskedLMHead(nn.Module):
    """BERT-style LM head (transform + decoder tied to the encoder's input embeddings), for any encoder."""

    def __init__(self, hidden_size: int, vocab_size: int, layer_norm_eps: float = 1e-12):
        super().__init__()
        self.transform = nn.Linear(hidden_size, hidden_size)
        self.norm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, hidden: torch.Tensor, embedding_weight: torch.Tensor) -> torch.Tensor:
        states = self.norm(F.gelu(self.transform(hidden)))
        return states @ embedding_weight.T + self.bias

    @staticmethod
    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Logits ``[..., vocab]`` and labels ``[...]`` of any matching leading shape."""
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.flatten(), ignore_index=IGNORE)
