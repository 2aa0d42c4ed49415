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
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from transformers.trainer_pt_utils import get_length_grouped_indices

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


def length_grouped_batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's batches of similar lengths: Transformers' grouping (a random permutation cut into
    mega-batches of up to 50 batches, each sorted by length) cut into batches; the batch holding the
    longest example stays first (an out-of-memory error shows at once), the others are shuffled."""
    generator = torch.Generator().manual_seed(int(rng.integers(2**63)))
    order = np.asarray(get_length_grouped_indices(list(lengths), batch_size, generator=generator))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return batches[:1] + [batches[1 + i] for i in rng.permutation(len(batches) - 1)]


@dataclass
class BatchStream:
    """Endless batches over one task's features: a fresh order each epoch, seeded by
    (seed, stream, epoch), so the position (epoch, batch) is all a resumed run needs.

    With ``lengths`` (one per feature) the batches group features of similar length
    (:func:`length_grouped_batches`), so less of each batch is padding.
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
    lengths: Sequence[int] | None = None
    _epoch_batches: tuple[int, list[np.ndarray]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def batches_per_epoch(self) -> int:
        return max(1, -(-self.size // self.batch_size))

    def _batches(self) -> list[np.ndarray]:
        """This epoch's batches (computed once per epoch)."""
        if self._epoch_batches is None or self._epoch_batches[0] != self.epoch:
            rng = np.random.default_rng([self.seed, self.stream, self.epoch])
            if self.lengths is None:
                order = rng.permutation(self.size)
                batches = [order[i : i + self.batch_size] for i in range(0, self.size, self.batch_size)]
            else:
                batches = length_grouped_batches(self.lengths, self.batch_size, rng)
            self._epoch_batches = (self.epoch, batches)
        return self._epoch_batches[1]

    def next_indices(self) -> list[int]:
        if self.position >= self.batches_per_epoch:
            self.epoch, self.position = self.epoch + 1, 0
        batch = self._batches()[self.position]
        self.position += 1
        share = batch[self.rank :: self.world]
        return [int(i) for i in (share if len(share) else batch[:1])]  # a short last batch: no rank idles

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch, self.position = state["epoch"], state["position"]
