"""Whether the machine has fast bf16, which decides ``bf16: auto``."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from codestilts import hardware

AMX = "processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile\n\nprocessor\t: 1\nflags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile\n"
NO_AMX = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16\n"


@pytest.mark.parametrize(("cpuinfo", "fast"), [(AMX, True), (NO_AMX, False), (None, False)])
def test_cpus_without_gpu_have_fast_bf16_only_with_amx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpuinfo: str | None, fast: bool) -> None:
    path = tmp_path / "cpuinfo"
    if cpuinfo is not None:
        path.write_text(cpuinfo)
    monkeypatch.setattr(hardware, "CPUINFO", path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    hardware.fast_bf16.cache_clear()
    try:
        assert hardware.fast_bf16() is fast
        assert hardware.use_bf16("auto") is fast
        assert hardware.use_bf16(True) is True and hardware.use_bf16(False) is False
    finally:
        hardware.fast_bf16.cache_clear()
