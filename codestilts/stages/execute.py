"""Execute stage: every sample of the ``generate`` stage judged in the sandbox against its problem's
tests (the program built from the task's record as ``codestilts exec-eval`` builds it), or compared
with the reference where the problem has no tests; per problem and per language pass@k."""

from __future__ import annotations

import json
from collections import defaultdict

from codestilts.data import read_jsonl
from codestilts.execution.batch import Job, run_jobs
from codestilts.execution.benchmarks import build_source
from codestilts.execution.sandbox import NO_SANDBOX_WARNING
from codestilts.execution.runner import runner_for
from codestilts.generation.scoring import language_metrics, problem_row
from codestilts.progress import log
from codestilts.stages.common import StageContext, test_problems
from codestilts.stages.generate import SAMPLES
from codestilts.store import atomic_path, write_json


def run_execute(ctx: StageContext) -> None:
    task = ctx.task()
    params = ctx.params
    completions: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in sorted(read_jsonl(ctx.parent("generate") / SAMPLES), key=lambda r: r["sample"]):
        completions[(row["language"], row["id"])].append(row["completion"])
    problems = {language: test_problems(ctx, task, language) for language in params["languages"]}
    jobs = [
        Job({"language": language, "id": r.id, "sample": i, "benchmark": r.problem.benchmark, "task_id": r.problem.task_id},
            build_source(r.problem, completion), runner_for(language))
        for language, records in problems.items()
        for r in records
        if r.problem is not None
        for i, completion in enumerate(completions[(language, r.id)])
    ]
    if params["sandbox"] == "none" and jobs:
        log.warning(NO_SANDBOX_WARNING)
    partial = ctx.dir / "results.jsonl.partial"  # verdicts as they come: what an interrupted run had judged
    with partial.open("w", encoding="utf-8") as stream:
        results = run_jobs(jobs, timeout=params["timeout"], mode=params["sandbox"], label=f"execute {task.name}",
                           sink=lambda r: stream.write(json.dumps(r) + "\n"))
    with atomic_path(ctx.dir / "results.jsonl") as tmp, tmp.open("w", encoding="utf-8") as out:
        for result in results:  # in the order of the samples
            out.write(json.dumps(result) + "\n")
    partial.unlink()
    verdicts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for result in results:
        verdicts[(result["language"], result["id"])].append(result["verdict"])
    per_language, unavailable = {}, {}
    with atomic_path(ctx.dir / "predictions.jsonl") as tmp, tmp.open("w", encoding="utf-8") as out:
        for language, records in problems.items():
            rows = [problem_row(r, language, verdicts[(language, r.id)], completions[(language, r.id)], params["k"]) for r in records]
            for row in rows:
                out.write(json.dumps(row) + "\n")
            per_language[language] = language_metrics(rows, params["k"]) | {"examples": len(rows)}
            reason = next((r["reason"] for r in results if r["language"] == language and r["attempts"] == 0), None)
            if reason:
                unavailable[language] = reason
    write_json(ctx.dir / "metrics.json", {
        "metric": task.metric, "source_language": params["source_language"], "languages": per_language,
        "unavailable": unavailable, "samples": len(results),
    })
