"""What this machine computes fast: whether bf16 matrix products run on dedicated hardware.

``bf16: auto`` (the training default) asks this when a config is read, so a stage's parameters say
which precision it trained in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
