"""A full disk, a read-only output folder and exhausted memory: one clear line naming the stage (or
the command), exit code 2, no traceback; the run stops, nothing partial looks complete, and the
same command run again once the machine is fixed finishes the work."""

from __future__ import annotations

import errno
import io
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from codestilts.cli import main
from codestilts.stages import RUNNERS
from codestilts.store import COMPLETE, FAILED, StageDir
from tests.conftest import REPO, tiny_config

ERRORS = {
    "memory": (MemoryError(), "out of memory"),
    "torch-oom": (torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), "out of memory"),
    "disk-full": (OSError(errno.ENOSPC, "No space left on device", "model.safetensors"), "model.safetensors: no space left on device"),
    "quota": (OSError(errno.EDQUOT, "Disk quota exceeded"), "disk quota exceeded"),
    "read-only": (OSError(errno.EROFS, "Read-only file system", "metrics.json"), "read-only file system"),
    "safetensors-full": (RuntimeError("Error while serializing: I/O error: No space left on device (os error 28)"), "no space left on device"),
    "torch-save-full": (RuntimeError("PytorchStreamWriter failed writing file data/0: file write failed"), "no space left on device"),
}


def _config(tmp_path: Path, data: Path, **overrides) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(tiny_config(data, intermediate=["none"], **overrides)))
    return path


def _one_clear_line(err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert lines[-1].startswith("codestilts: error: "), err[-2000:]
    for text in expected:
        assert text in lines[-1]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_environment_error_in_a_stage_stops_the_run_and_names_the_stage(
    name: str, fixture_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    error, message = ERRORS[name]

    def failing(ctx) -> None:
        raise error

    monkeypatch.setitem(RUNNERS, "target", failing)
    out = tmp_path / "out"
    assert main(["run", str(_config(tmp_path, fixture_data)), "--out", str(out)]) == 2
    _one_clear_line(capsys.readouterr().err, "stage target-defect-humanevalpack-none", message)
    (folder,) = (out / "stages").iterdir()  # the run stopped: the probe that does not depend on it never started
    assert not (folder / COMPLETE).exists() and not (folder / FAILED).exists()


def test_a_log_line_the_disk_refuses_stops_the_stage_with_the_clear_line(
    fixture_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """logging would print its own traceback and run on; the stage's log handler raises instead."""

    class FullDisk(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(logging.FileHandler, "_open", lambda self: FullDisk())
    out = tmp_path / "out"
    assert main(["run", str(_config(tmp_path, fixture_data)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    _one_clear_line(err, "stage target-defect-humanevalpack-none", "no space left on device")
    assert "Logging error" not in err


def test_the_stage_runs_when_the_machine_is_fixed(fixture_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = RUNNERS["probe"]

    def out_of_memory(ctx) -> None:
        raise MemoryError

    config, out = _config(tmp_path, fixture_data, targets=[]), tmp_path / "out"
    monkeypatch.setitem(RUNNERS, "probe", out_of_memory)
    assert main(["run", str(config), "--out", str(out)]) == 2
    monkeypatch.setitem(RUNNERS, "probe", probe)
    assert main(["run", str(config), "--out", str(out)]) == 0  # not recorded as failed: no --retry-failed needed
    (folder,) = (out / "stages").iterdir()
    assert StageDir(folder).status() == "done"


def _run_on_tmpfs(config: Path, mount: Path, options: str) -> subprocess.CompletedProcess:
    """`codestilts run` with its output on a fresh tmpfs mounted with ``options``, in a private
    mount namespace (nothing outside the child sees it)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    mount.mkdir()
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {mount}"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here: {probe.stderr.strip()}")
    script = f'mount -t tmpfs -o {options} tmpfs {mount} && exec "$@"'
    command = [sys.executable, "-m", "codestilts.cli", "run", str(config), "--out", str(mount / "out")]
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *command], cwd=REPO, capture_output=True, text=True)


@pytest.mark.slow
def test_real_full_disk_names_the_stage(fixture_data: Path, tmp_path: Path) -> None:
    done = _run_on_tmpfs(_config(tmp_path, fixture_data), tmp_path / "full", "size=300k")
    assert done.returncode == 2
    _one_clear_line(done.stderr, "stage target-", "no space left on device")


@pytest.mark.slow
def test_real_read_only_output_folder(fixture_data: Path, tmp_path: Path) -> None:
    done = _run_on_tmpfs(_config(tmp_path, fixture_data), tmp_path / "ro", "ro")
    assert done.returncode == 2
    _one_clear_line(done.stderr, f"codestilts run: {tmp_path / 'ro' / 'out'}", "read-only file system")
