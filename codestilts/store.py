"""The stage store: one folder per stage under ``<out>/stages/``, written atomically.

A stage folder holds ``stage.json`` (what the stage is), its outputs (``metrics.json``,
``predictions.jsonl``, ``checkpoint/``, ``log.txt``, TensorBoard ``tb/``), its wall time
(``timing.json``) and, last of all,
``COMPLETE.json``: a manifest of every file with its size and SHA-256. A stage is complete only when
that manifest exists and the files still match it; a folder without it is partial and is redone.
A failed stage leaves ``FAILED.json`` with its error instead.

What "still match" checks, and when: every file's size and every small file's checksum whenever a
stage's status is asked; the checksums of its model weights (:data:`CHECKSUM_ON_READ`) only when
:meth:`StageDir.verify` is called with ``deep=True``, which the executor does before a stage that
runs reads a reused one (hashing every checkpoint of a big grid at each rerun would be slow).

A complete trained stage may drop its ``checkpoint/`` once no stage needs it (the config's
``retention:``, :mod:`codestilts.retention`): its manifest is rewritten without the checkpoint's
files and says so (``"dropped": ["checkpoint"]``); the stage stays complete, its metrics and logs
are kept, and a stage that needs the checkpoint runs it again (:meth:`StageDir.drop_checkpoint`).

A folder written in several steps and kept across restarts (a resumable training checkpoint) is
sealed with its own ``MANIFEST.json`` once all its files are written (:func:`seal`); a folder whose
seal is missing or does not match is not trusted (:func:`is_sealed`).
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
SEAL = "MANIFEST.json"
TIMING = "timing.json"
"""Every stage's wall time: ``wall_seconds``, from the start of its runner to its last output."""
CHECKPOINT = "checkpoint"
"""A trained stage's model folder: what its children read."""
DROPPED = "dropped"
"""The manifest's list of the outputs a complete stage no longer holds (only ``checkpoint``)."""
CHECKSUM_ON_READ = (f"{CHECKPOINT}/",)
"""Where the large files are: their checksums are verified only by ``verify(deep=True)``."""
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


Manifest = dict[str, dict[str, Any]]
"""Relative file name -> {"size": bytes, "sha256": hex digest}."""


def manifest_of(folder: Path, skip: tuple[str, ...] = ()) -> Manifest:
    """Size and checksum of every file under ``folder`` but those named in ``skip``."""
    return {
        str(p.relative_to(folder)): {"size": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def read_manifest(path: Path) -> Manifest | None:
    """The files a manifest lists; None when it is missing or unreadable (a torn or foreign file)."""
    try:
        files = read_json(path)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    valid = isinstance(files, dict) and all(isinstance(entry, dict) for entry in files.values())
    return files if valid else None


def mismatches(folder: Path, manifest: Manifest, *, sizes_only: tuple[str, ...] = ()) -> list[str]:
    """Files of ``manifest`` that are missing or differ in size or checksum under ``folder``; the
    files whose names start with one of ``sizes_only`` are checked by size alone."""
    wrong = []
    for name, entry in manifest.items():
        path = folder / name
        hashed = not name.startswith(sizes_only)
        if not path.is_file() or path.stat().st_size != entry.get("size") or (hashed and _sha256(path) != entry.get("sha256")):
            wrong.append(name)
    return wrong


def seal(folder: Path) -> None:
    """Write ``folder``'s manifest, last: the folder is trusted only while its files match it."""
    write_json(folder / SEAL, {"files": manifest_of(folder, skip=(SEAL,))})


def is_sealed(folder: Path) -> bool:
    """``folder`` has a seal and every file it lists is there, with its size and checksum."""
    manifest = read_manifest(folder / SEAL)
    return manifest is not None and not mismatches(folder, manifest)


class StageDir:
    """The folder of one stage."""

    def __init__(self, path: Path):
        self.path = path

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def status(self) -> Status:
        if self.is_complete():
            return "done"
        return "failed" if (self.path / FAILED).is_file() else "pending"

    def is_complete(self) -> bool:
        """The manifest exists and its files are there with their sizes, and their checksums outside
        :data:`CHECKSUM_ON_READ`."""
        return self.verify(deep=False) == []

    def verify(self, *, deep: bool = True) -> list[str]:
        """Files that no longer match the manifest (empty when intact); ``[COMPLETE]`` without one.

        ``deep=False`` leaves out the checksums of the files under :data:`CHECKSUM_ON_READ`.
        """
        manifest = read_manifest(self.path / COMPLETE)
        if manifest is None:
            return [COMPLETE]
        return mismatches(self.path, manifest, sizes_only=() if deep else CHECKSUM_ON_READ)

    def checkpoint_dropped(self) -> bool:
        """The stage completed with a checkpoint that retention has since dropped."""
        try:
            return CHECKPOINT in read_json(self.path / COMPLETE).get(DROPPED, [])
        except (OSError, ValueError, AttributeError, TypeError):
            return False

    def drop_checkpoint(self) -> None:
        """Remove the complete stage's ``checkpoint/``; the stage stays complete.

        The manifest is rewritten first (atomically), without the checkpoint's files and naming it
        dropped; then the files go. A kill before the rename leaves the stage complete with its
        checkpoint; a kill after it, complete without one (leftover files, which no manifest lists
        and no stage reads, are removed by the next call). Nothing in between is torn.
        """
        manifest = read_manifest(self.path / COMPLETE)
        if manifest is None:
            return
        if not self.checkpoint_dropped():
            kept = {name: entry for name, entry in manifest.items() if not name.startswith(CHECKSUM_ON_READ)}
            write_json(self.path / COMPLETE, {"files": kept, DROPPED: [CHECKPOINT]})
        if (self.path / CHECKPOINT).exists():
            shutil.rmtree(self.path / CHECKPOINT)

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
        write_json(self.path / COMPLETE, {"files": manifest_of(self.path, skip=(COMPLETE, FAILED))})

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

    def archive(self, dest: Path) -> None:
        """Copy the run to the new folder ``dest`` without model weights: its own files (plan,
        tables, figures) and every complete stage less its ``checkpoint/``, the stage's manifest
        saying the checkpoint is dropped. What the report reads is all there, so ``codestilts
        report`` rebuilds the same tables from ``dest``; a stage that needs a checkpoint reruns."""
        shutil.copytree(self.out, dest, ignore=lambda folder, _: ["stages"] if Path(folder) == self.out else [])
        for folder in sorted(self.stages.iterdir()) if self.stages.is_dir() else ():
            if not StageDir(folder).is_complete():
                continue
            copy = StageDir(shutil.copytree(folder, Store(dest).stages / folder.name, ignore=shutil.ignore_patterns(CHECKPOINT)))
            if any(name.startswith(CHECKSUM_ON_READ) for name in read_manifest(copy / COMPLETE) or {}):
                copy.drop_checkpoint()
