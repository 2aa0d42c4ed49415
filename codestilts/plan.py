"""From a validated config to a DAG of stages.

Each stage is identified by a content hash of its kind, its own parameters and its parents' ids,
so the same work is the same folder in the store: an intermediate checkpoint serves every target,
probe and run that asks for it. The planner validates names and data but never trains.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from codestilts.config import NONE, ExperimentConfig
from codestilts.errors import UserError
from codestilts.models.backbone import check_model
from codestilts.tasks import Format, Task, check_data, get_task
from codestilts.tasks.files import resolve_data_dir
from codestilts.tasks.user import load_task_file

StageKind = Literal["intermediate", "target", "evaluate", "probe"]
STAGE_SCHEMA = 1
"""Bumped when a stage's outputs change meaning, so that old folders are not reused."""

TRAINABLE = frozenset({Format.CLASSIFICATION, Format.PAIR_CLASSIFICATION})


@dataclass(frozen=True)
class Stage:
    kind: StageKind
    id: str
    params: dict[str, Any]
    parents: tuple[str, ...] = ()
    labels: dict[str, Any] = field(default_factory=dict)
    """What the report groups by: intermediate option, task, seed."""

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "params": self.params, "parents": list(self.parents), "labels": self.labels}


@dataclass
class Plan:
    stages: list[Stage]
    data_dir: Path | None
    config: ExperimentConfig

    def by_id(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}


def stage_id(kind: StageKind, slug: str, params: dict[str, Any], parents: tuple[str, ...]) -> str:
    payload = json.dumps({"kind": kind, "params": params, "parents": parents, "schema": STAGE_SCHEMA}, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
    return f"{kind}-{re.sub(r'[^A-Za-z0-9.]+', '-', slug).strip('-')}-{digest}"


def _make(kind: StageKind, slug: str, params: dict[str, Any], parents: tuple[str, ...], labels: dict[str, Any]) -> Stage:
    return Stage(kind=kind, id=stage_id(kind, slug, params, parents), params=params, parents=parents, labels=labels)


def _resolve_task(config: ExperimentConfig, data_dir: Path | None, key: str, index: int, formats: frozenset[Format]) -> Task:
    where = config.where(key, index)
    task = get_task(getattr(config, key)[index], where=where)
    if task.format not in formats:
        expected = " or ".join(sorted(f.value for f in formats))
        raise UserError(f"task {task.name!r} is {task.format.value}; expected {expected} here", where=where)
    check_data(task, data_dir, where=where)
    return task


def build_plan(config: ExperimentConfig) -> Plan:
    """Validate names and data against the registry, then lay out every stage in dependency order."""
    data_dir = resolve_data_dir(config.data_dir)
    for i, path in enumerate(config.task_files):
        load_task_file(path, where=config.where("task_files", i))
    check_model(config.model.name, where=config.where("model", "name"))
    model = config.model.model_dump()
    source = config.source_language

    intermediates = {
        name: None if name == NONE else _resolve_task(config, data_dir, "intermediate", i, TRAINABLE)
        for i, name in enumerate(config.intermediate)
    }
    targets = [_resolve_task(config, data_dir, "targets", i, TRAINABLE) for i in range(len(config.targets))]
    probes = [_resolve_task(config, data_dir, "probes", i, frozenset({Format.RETRIEVAL})) for i in range(len(config.probes))]
    for key, tasks in (("targets", targets), ("probes", probes)):
        for i, task in enumerate(tasks):
            if source not in task.languages:
                raise UserError(
                    f"task {task.name!r} has no source language {source!r} (it has {', '.join(task.languages)})",
                    where=config.where(key, i),
                )

    stages: list[Stage] = []
    base_probes_done: set[str] = set()
    for seed in config.seeds:
        for option, task in intermediates.items():
            parents: tuple[str, ...] = ()
            if task is not None:
                inter = _make(
                    "intermediate",
                    f"{task.name}-s{seed}",
                    {"model": model, "task": task.identity(), "train": config.training.intermediate.model_dump(), "seed": seed},
                    (),
                    {"intermediate": option, "task": task.name, "seed": seed},
                )
                stages.append(inter)
                parents = (inter.id,)
            for target in targets:
                trained = _make(
                    "target",
                    f"{target.name}-{option}-s{seed}",
                    {
                        "model": model,
                        "task": target.identity(),
                        "source_language": source,
                        "train": config.training.target.model_dump(),
                        "seed": seed,
                    },
                    parents,
                    {"intermediate": option, "task": target.name, "seed": seed},
                )
                evaluated = _make(
                    "evaluate",
                    f"{target.name}-{option}-s{seed}",
                    {
                        "task": target.identity(),
                        "languages": list(target.languages),
                        "source_language": source,
                        "max_length": config.model.max_length,
                    },
                    (trained.id,),
                    {"intermediate": option, "task": target.name, "seed": seed, "role": "target"},
                )
                stages += [trained, evaluated]
            for probe in probes:
                if task is None and probe.name in base_probes_done:
                    continue  # the base model's probe needs no seed: one stage serves them all
                probed = _make(
                    "probe",
                    f"{probe.name}-{option}" + (f"-s{seed}" if task is not None else ""),
                    {
                        "model": model,
                        "task": probe.identity(),
                        "languages": list(probe.languages),
                        "source_language": source,
                        "probe": config.probe.model_dump(),
                    },
                    parents,
                    {"intermediate": option, "task": probe.name, "seed": seed if task is not None else None, "role": "probe"},
                )
                stages.append(probed)
                if task is None:
                    base_probes_done.add(probe.name)
    return Plan(stages=_dedupe(stages), data_dir=data_dir, config=config)


def _dedupe(stages: list[Stage]) -> list[Stage]:
    seen: dict[str, Stage] = {}
    for stage in stages:
        seen.setdefault(stage.id, stage)
    return list(seen.values())
