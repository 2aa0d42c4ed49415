"""``codestilts exec-eval``: execute model samples (or a benchmark's reference solutions) against the
benchmark's tests in the sandbox, and report verdicts and pass@k."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from codestilts.errors import UserError
from codestilts.execution.batch import evaluate_samples
from codestilts.execution.benchmarks import (
    BENCHMARKS,
    benchmark_files,
    infer_benchmark,
    infer_language,
    load_problems,
)
from codestilts.execution.passk import summarize
from codestilts.execution.runner import runner_for
from codestilts.execution.sandbox import NO_SANDBOX_WARNING, SANDBOX_MODES, bwrap_path



def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "exec-eval",
        help="execute code samples against benchmark tests (sandboxed) and report pass@k",
        description="Execute samples (JSONL lines with task_id, language, completion) against the "
        "tests of a benchmark in a bubblewrap sandbox; write per-sample verdicts and pass@k.",
    )
    p.add_argument("samples", nargs="?", help="JSONL file: task_id, completion, [language], [benchmark]")
    p.add_argument("--allow-code-execution", action="store_true",
                   help="required: acknowledges that model-generated code will be executed")
    p.add_argument("--benchmark", choices=BENCHMARKS,
                   help="benchmark of the samples (default: inferred from each task_id)")
    p.add_argument("--natural-language", default="English", help="HumanEval-XL docstring language")
    p.add_argument("--reference", choices=("canonical", "buggy"),
                   help="instead of SAMPLES, run the benchmark's canonical (or HumanEvalPack's buggy) solutions")
    p.add_argument("--language", action="append", default=None,
                   help="with --reference: only these languages (repeatable)")
    p.add_argument("--k", default="1,10,100", help="comma-separated k values for pass@k")
    p.add_argument("--jobs", type=int, default=None, help="scheduler capacity in units (default: 2 per CPU core; heavy compilers take 2)")
    p.add_argument("--timeout", type=float, default=10.0, help="wall-clock seconds per run step")
    p.add_argument("--sandbox", choices=SANDBOX_MODES, default="bwrap")
    p.add_argument("--retries", type=int, default=2, help="retries of sandbox_error samples")
    p.add_argument("--out", help="per-sample results JSONL (default: SAMPLES with .results.jsonl)")
    p.add_argument("--summary", help="write the summary JSON here too")
    p.set_defaults(handler=exec_eval)


def _parse_ks(text: str) -> list[int]:
    try:
        ks = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise UserError(f"--k must be comma-separated integers, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise UserError(f"--k values must be >= 1, got {text!r}")
    return ks


def read_samples(path: str, benchmark: str | None) -> list[dict]:
    if not os.path.exists(path):
        raise UserError(f"samples file not found: {path}")
    samples = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise UserError(f"malformed JSON ({err.msg})", where=where) from None
            if not isinstance(rec, dict):
                raise UserError("expected a JSON object", where=where)
            for key in ("task_id", "completion"):
                if not isinstance(rec.get(key), str):
                    raise UserError(f"missing or non-string field {key!r}", where=where)
            bench = rec.get("benchmark") or benchmark or infer_benchmark(rec["task_id"])
            if bench is None:
                raise UserError(f"cannot tell the benchmark of task_id {rec['task_id']!r}", where=where,
                                hint="pass --benchmark")
            if bench not in BENCHMARKS:
                raise UserError(f"unknown benchmark {bench!r}", where=where,
                                hint="one of " + ", ".join(BENCHMARKS))
            language = rec.get("language") or infer_language(rec["task_id"])
            if not language:
                raise UserError("missing field 'language'", where=where)
            lang = runner_for(language, where=where)
            samples.append({"task_id": rec["task_id"], "language": lang.name, "benchmark": bench,
                            "completion": rec["completion"], "where": where})
    if not samples:
        raise UserError(f"no samples in {path}")
    return samples


def reference_samples(benchmark: str, which: str, languages: list[str] | None, nl: str) -> list[dict]:
    names = languages or sorted(benchmark_files(benchmark, nl))
    samples = []
    for name in names:
        lang = runner_for(name).name
        for task_id, problem in load_problems(benchmark, lang, nl).items():
            code = problem.canonical_solution if which == "canonical" else problem.buggy_solution
            if code:
                samples.append({"task_id": task_id, "language": lang, "benchmark": benchmark,
                                "completion": code, "where": task_id})
    if not samples:
        raise UserError(f"{benchmark}: no {which} solutions for {', '.join(names)}")
    return samples


def exec_eval(args: argparse.Namespace) -> int:
    if not args.allow_code_execution:
        raise UserError("exec-eval executes model-generated code; pass --allow-code-execution "
                        "to confirm (it runs in a bubblewrap sandbox by default)")
    ks = _parse_ks(args.k)
    if args.reference:
        if not args.benchmark:
            raise UserError("--reference needs --benchmark")
        samples = reference_samples(args.benchmark, args.reference, args.language, args.natural_language)
        out = Path(args.out or f"{args.benchmark}-{args.reference}.results.jsonl")
    elif args.samples:
        samples = read_samples(args.samples, args.benchmark)
        out = Path(args.out or (str(Path(args.samples).with_suffix("")) + ".results.jsonl"))
    else:
        raise UserError("give a SAMPLES.jsonl file (or --reference canonical|buggy --benchmark NAME)")
    if args.sandbox == "none":
        print(NO_SANDBOX_WARNING, file=sys.stderr)
    elif bwrap_path() is None:
        raise UserError("bubblewrap (bwrap) is not installed", hint="run scripts/install-toolchains.sh")
    if args.timeout <= 0:
        raise UserError("--timeout must be positive")
    partial = out.with_name(out.name + ".partial")  # results as they finish: survives an interruption
    with open(partial, "w", encoding="utf-8") as stream:
        def sink(result: dict) -> None:
            stream.write(json.dumps(result) + "\n")
            stream.flush()

        results = evaluate_samples(samples, natural_language=args.natural_language, jobs=args.jobs,
                                   timeout=args.timeout, mode=args.sandbox, retries=args.retries, sink=sink)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r) + "\n")
    os.replace(tmp, out)
    partial.unlink(missing_ok=True)
    summary = summarize(results, ks)
    defects = [{k: r[k] for k in ("task_id", "language", "verdict", "known_defect")} for r in results
               if "known_defect" in r]
    if defects:  # benchmark defects (docs/execution.md): their verdicts are no fact about the harness
        summary["known_defects"] = defects
    text = json.dumps(summary, indent=2)
    if args.summary:
        Path(args.summary).write_text(text + "\n")
    print(text)
    print(f"codestilts: results in {out}", file=sys.stderr)
    return 0
