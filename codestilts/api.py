"""The Python API: what the CLI calls, usable from notebooks and scripts.

>>> from codestilts import run
>>> result = run("examples/quickstart.yaml", out="runs/quickstart")
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from codestilts.config import ExperimentConfig, load_config, parse_config
from codestilts.executor import ExecutionOptions, RunSummary, decide, execute, send_back
from codestilts.parallel import process_state
from codestilts.plan import Plan, build_plan
from codestilts.report.build import FORMATS
from codestilts.report.build import write_report as build_report
from codestilts.report.results import PLAN_FILE, collect
from codestilts.store import Status, Store, write_json
from codestilts.tasks import TASKS, Task

ConfigLike = ExperimentConfig | str | Path | dict[str, Any]


@dataclass
class RunResult:
    out: Path
    summary: RunSummary
    results: pd.DataFrame


def as_config(config: ConfigLike) -> ExperimentConfig:
    if isinstance(config, ExperimentConfig):
        return config
    if isinstance(config, dict):
        return parse_config(config)
    return load_config(config)


def default_out(config: ExperimentConfig) -> Path:
    return Path("runs") / config.name


def plan(config: ConfigLike) -> Plan:
    return build_plan(as_config(config))


def stage_status(planned: Plan, out: Path) -> list[tuple[str, Status]]:
    store = Store(out)
    return [(stage.id, store.stage(stage.id).status()) for stage in planned.stages]


def reruns(planned: Plan, out: Path) -> dict[str, str]:
    """Complete stages that ``codestilts run`` would run again, with why: a stage it runs reads
    their checkpoint, which retention dropped (checkpoint checksums are left to the run itself)."""
    store = Store(out)
    decisions = {stage.id: decide(stage, store, ExecutionOptions()) for stage in planned.stages}
    return send_back(planned, store, decisions, deep=False)


def _plan_tasks(planned: Plan) -> list[Task]:
    """Every task a plan trains or evaluates, so that the report can tell NL tasks from code ones."""
    names = {t["name"] for s in planned.stages for t in s.params.get("tasks", [])}
    names |= {s.params["task"]["name"] for s in planned.stages if "task" in s.params}
    return [TASKS.get(name) for name in sorted(names)]


def write_plan(planned: Plan, out: Path) -> None:
    write_json(
        out / PLAN_FILE,
        {
            "name": planned.config.name,
            "model": planned.config.model.name,
            "source_language": planned.config.source_language,
            "intermediate": planned.config.option_names(),
            "tasks": {t.name: list(t.languages) for t in _plan_tasks(planned)},
            "stages": [stage.describe() for stage in planned.stages],
            "dropped": [count.row() for count in planned.dropped],
        },
    )


def write_report(out: Path, formats: Collection[str] = FORMATS) -> pd.DataFrame:
    """The report of the run in ``out`` (results.csv, report.md with figures, ...), from its store alone."""
    return build_report(out, formats)


def run(
    config: ConfigLike,
    out: str | Path | None = None,
    *,
    executor: Literal["local", "ray"] = "local",
    address: str | None = None,
    options: ExecutionOptions = ExecutionOptions(),
) -> RunResult:
    """Plan, run every stage not already complete, and write results.csv and report.md.

    ``executor="ray"`` runs the stages as Ray tasks (``address`` of a cluster, or a local Ray).
    """
    cfg = as_config(config)
    planned = build_plan(cfg)
    folder = Path(out) if out is not None else default_out(cfg)
    state = process_state()  # under `accelerate launch`, one process writes the run's files
    if state.is_main_process:
        write_plan(planned, folder)
    state.wait_for_everyone()
    if executor == "ray":
        from codestilts.ray_executor import execute_on_ray

        summary = execute_on_ray(planned, Store(folder), options, address)
    else:
        summary = execute(planned, Store(folder), options)
    results = write_report(folder) if state.is_main_process else collect(folder)
    return RunResult(out=folder, summary=summary, results=results)
