"""Task heads on a shared encoder, and the pooling they read.

Heads are small and format-specific; the encoder is shared. Intermediate stages drop their head,
target stages start a fresh one (the jiant recipe).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Pooling = Literal["cls", "mean"]


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, how: Pooling) -> torch.Tensor:
    """One vector per sequence: the first token's state, or the mean over non-padding tokens."""
    if how == "cls":
        return hidden[:, 0]
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class SequenceClassificationHead(nn.Module):
    """Pooled encoder state -> label logits. Serves classification and pair classification."""

    def __init__(self, hidden_size: int, num_labels: int, pooling: Pooling = "cls", dropout: float = 0.1):
        super().__init__()
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(pool(hidden, attention_mask, self.pooling)))
