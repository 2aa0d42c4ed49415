"""The stage store: one folder per stage under ``<out>/stages/``, written atomically.

A stage folder holds ``stage.json`` (what the stage is), its outputs (``metrics.json``,
``predictions.jsonl``, ``checkpoint/``, ``log.txt``, TensorBoard ``tb/``) and, last of all,
``COMPLETE.json``: a manifest of every file with its size and SHA-256. A stage is complete only when
that manifest exists and the files still match it; a folder without it is partial and is redone.
A failed stage leaves ``FAILED.json`` with its error instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

COMPLETE = "COMPLETE.json"
FAILED = "FAILED.json"
Status = Literal["done", "pending", "failed"]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class StageDir:
    """The folder of one stage."""

    def __init__(self, path: Path):
        self.path = path

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def _files(self) -> list[Path]:
        return sorted(p for p in self.path.rglob("*") if p.is_file() and p.name not in (COMPLETE, FAILED))

    def status(self) -> Status:
        if self.is_complete():
            return "done"
        return "failed" if (self.path / FAILED).is_file() else "pending"

    def is_complete(self) -> bool:
        """The manifest exists and every file it lists is there with its recorded size."""
        marker = self.path / COMPLETE
        if not marker.is_file():
            return False
        try:
            manifest = read_json(marker)["files"]
        except (ValueError, KeyError):
            return False
        return all(
            (self.path / name).is_file() and (self.path / name).stat().st_size == entry["size"]
            for name, entry in manifest.items()
        )

    def verify(self) -> list[str]:
        """Files whose content no longer matches the manifest's checksum (empty when intact)."""
        manifest = read_json(self.path / COMPLETE)["files"]
        return [name for name, entry in manifest.items() if _sha256(self.path / name) != entry["sha256"]]

    def begin(self, description: dict[str, Any], keep: tuple[str, ...] = ()) -> None:
        """Start (or restart) the stage: a partial or failed attempt is cleared, except the entries
        named in ``keep`` (a resumable training checkpoint, its logs)."""
        if self.path.exists():
            for entry in self.path.iterdir():
                if entry.name in keep:
                    continue
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        self.path.mkdir(parents=True, exist_ok=True)
        write_json(self.path / "stage.json", description)

    def complete(self) -> None:
        files = {
            str(p.relative_to(self.path)): {"size": p.stat().st_size, "sha256": _sha256(p)} for p in self._files()
        }
        write_json(self.path / COMPLETE, {"files": files})

    def fail(self, error: str, details: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_json(self.path / FAILED, {"error": error, "details": details})

    def failure(self) -> dict[str, str] | None:
        path = self.path / FAILED
        return read_json(path) if path.is_file() else None


class Store:
    """All stage folders of one output folder."""

    def __init__(self, out: Path):
        self.out = out
        self.stages = out / "stages"

    def stage(self, stage_id: str) -> StageDir:
        return StageDir(self.stages / stage_id)
