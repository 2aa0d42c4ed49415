"""Which process this is, when a run is started by a launcher (``torchrun``, ``accelerate launch``)
for data-parallel training; a plain run is the one main process."""

from __future__ import annotations

import torch
from accelerate import PartialState


def process_state() -> PartialState:
    """The shared process state. On machines without CUDA it asks for CPU processes (gloo), which
    Accelerate only sets up when told so on first use."""
    return PartialState(cpu=not torch.cuda.is_available())


def process_device() -> torch.device:
    """The device this process computes on: Accelerate's, the one training uses (the GPU when there
    is one). Evaluate and probe stages move their model there."""
    return process_state().device
