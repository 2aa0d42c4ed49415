"""Which task each training step draws from, and the resumable stream of batches for each task.

Task sampling strategies for multi-task training (n_i is task i's number of training examples):

- ``uniform``:       p_i = 1 / N
- ``proportional``:  p_i ∝ n_i
- ``temperature``:   p_i ∝ n_i^(1/T)   (T = 1 is proportional, T -> inf is uniform)
- ``capped``:        p_i ∝ min(n_i, cap)

``extra`` sources (continued MLM on unlabelled code) take a fixed share of steps on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Strategy = Literal["uniform", "proportional", "temperature", "capped"]


def task_probabilities(
    sizes: Sequence[int], strategy: Strategy = "proportional", *, temperature: float = 1.0, cap: int | None = None
) -> np.ndarray:
    n = np.asarray(sizes, dtype=float)
    if strategy == "uniform":
        weights = np.ones_like(n)
    elif strategy == "proportional":
        weights = n
    elif strategy == "temperature":
        weights = n ** (1.0 / temperature)
    elif strategy == "capped":
        if cap is None:
            raise ValueError("the capped strategy needs a cap")
        weights = np.minimum(n, cap)
    else:
        raise ValueError(f"unknown sampling strategy {strategy!r}")
    return weights / weights.sum()


def mix_in(probabilities: np.ndarray, rates: Sequence[float]) -> np.ndarray:
    """Append sources with fixed shares ``rates``; the others share what is left."""
    rest = 1.0 - float(sum(rates))
    return np.concatenate([probabilities * rest, np.asarray(rates, dtype=float)])


class TaskSampler:
    """Draws a source index per step from fixed probabilities; its RNG state is checkpointed."""

    def __init__(self, probabilities: np.ndarray, seed: int):
        self.probabilities = probabilities
        self.rng = np.random.default_rng(seed)

    def draw(self) -> int:
        return int(self.rng.choice(len(self.probabilities), p=self.probabilities))

    def state_dict(self) -> dict[str, Any]:
        return self.rng.bit_generator.state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state


@dataclass
class BatchStream:
    """Endless batches over one task's features: a fresh permutation each epoch, seeded by
    (seed, stream, epoch), so the position (epoch, batch) is all a resumed run needs.

    ``batch_size`` is the global batch; with several processes each takes its share of it.
    """

    size: int
    batch_size: int
    seed: int
    stream: int
    rank: int = 0
    world: int = 1
    epoch: int = 0
    position: int = 0

    @property
    def batches_per_epoch(self) -> int:
        return max(1, -(-self.size // self.batch_size))

    def next_indices(self) -> list[int]:
        if self.position >= self.batches_per_epoch:
            self.epoch, self.position = self.epoch + 1, 0
        order = np.random.default_rng([self.seed, self.stream, self.epoch]).permutation(self.size)
        batch = order[self.position * self.batch_size : (self.position + 1) * self.batch_size]
        self.position += 1
        share = batch[self.rank :: self.world]
        return [int(i) for i in (share if len(share) else batch[:1])]  # a short last batch: no rank idles

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch, self.position = state["epoch"], state["position"]
