"""What this machine computes fast: whether bf16 matrix products run on dedicated hardware.

``bf16: auto`` (the default of training and probes) asks this when a config is read, so a stage's
parameters say which precision it computed in.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: Path) -> frozenset[str]:
    """The CPU's feature flags as Linux lists them (empty where there is no ``/proc/cpuinfo``)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


@cache
def fast_bf16() -> bool:
    """True on a CUDA GPU with native bf16 (Ampere or newer), or, without a GPU, on a CPU with AMX
    bf16 tiles (``amx_bf16``: Intel Xeon since Sapphire Rapids). Elsewhere bf16 is emulated or
    converted and gains little or nothing over fp32."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return "amx_bf16" in cpu_flags(CPUINFO)


def use_bf16(setting: bool | str) -> bool:
    """A ``bf16`` setting as a decision: ``auto`` is :func:`fast_bf16`."""
    return fast_bf16() if setting == "auto" else bool(setting)


def autocast(device: torch.device, bf16: bool) -> AbstractContextManager:
    """bf16 autocast on ``device`` when ``bf16`` (what training under ``bf16`` computes in); a
    context that changes nothing otherwise."""
    import torch

    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)
