"""The `codestilts` command line.

Every command is a small function taking the parsed arguments. A :class:`UserError` anywhere below
becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codestilts.errors import UserError, environment_error
from codestilts.execution.cli import register as register_execution

if TYPE_CHECKING:
    from codestilts.tasks.overlap import DroppedCount

Command = Callable[[argparse.Namespace], int | None]


def cmd_run(args: argparse.Namespace) -> int:
    from codestilts import api
    from codestilts.executor import ExecutionOptions
    from codestilts.progress import console

    config = api.as_config(args.config)
    options = ExecutionOptions(retry_failed=args.retry_failed, force=tuple(args.force))
    result = api.run(config, out=args.out or api.default_out(config), executor=args.executor, address=args.address, options=options)
    summary = result.summary
    console.print(
        f"[bold]{len(summary.ran)}[/] stages ran, [bold]{len(summary.reused)}[/] reused, "
        f"[bold]{len(summary.failed)}[/] failed, [bold]{len(summary.blocked)}[/] blocked"
    )
    for stage_id, error in summary.failed.items():
        console.print(f"[red]failed[/] {stage_id}: {error} (see {result.out / 'stages' / stage_id / 'FAILED.json'})")
    console.print(f"results: {result.out / 'results.csv'}\nreport:  {result.out / 'report.md'}")
    return 0 if summary.ok else 1


def cmd_plan(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from codestilts import api

    config = api.as_config(args.config)
    planned = api.plan(config)
    out = Path(args.out) if args.out else api.default_out(config)
    statuses: dict[str, str] = dict(api.stage_status(planned, out))
    reruns = api.reruns(planned, out)
    statuses |= {stage_id: "rerun" for stage_id in reruns}
    table = Table(title=f"plan of {config.name} (output folder {out})")
    table.add_column("stage", no_wrap=True)
    table.add_column("after")
    table.add_column("status")
    colours = {"done": "green", "pending": "yellow", "failed": "red", "rerun": "yellow"}
    for stage in planned.stages:
        status = statuses[stage.id]
        after = ", ".join(p.split("-", 1)[0] for p in stage.parents) or "-"
        table.add_row(stage.id, after, f"[{colours[status]}]{status}[/]")
    Console(width=max(100, Console().width)).print(table)
    for stage_id, reason in reruns.items():
        print(f"rerun {stage_id}: {reason}")
    counts = {s: sum(1 for v in statuses.values() if v == s) for s in colours}
    again = f", {counts['rerun']} to rerun" if reruns else ""
    print(
        f"{len(planned.stages)} stages: {counts['done']} done, {counts['pending']} pending, {counts['failed']} failed{again}; "
        f"{counts['pending'] + counts['failed'] + counts['rerun']} to run"
    )
    _print_dropped(planned.dropped)
    return 0


def _print_dropped(dropped: list[DroppedCount]) -> None:
    """The train and dev records the stages drop for sharing a text with a test record, per task,
    language and split (docs/tasks.md)."""
    from rich.console import Console
    from rich.table import Table

    if not dropped:
        print("no train or dev record shares a text with a test record of the run")
        return
    table = Table(title="train/dev records dropped: each has a text equal to a test text of the run")
    for column in ("task", "language", "split", "dropped", "of", "equal to a test text of"):
        table.add_column(column, overflow="fold")
    for count in dropped:
        table.add_row(count.task, count.language, count.split, str(count.dropped), str(count.records), ", ".join(count.against))
    Console(width=max(100, Console().width)).print(table)
    print(f"{sum(c.dropped for c in dropped)} train/dev records dropped in all")


def cmd_tasks(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from codestilts.tasks import SPLITS, TASKS
    from codestilts.data import resolve_data_dir
    from codestilts.tasks.prepare import prepare
    from codestilts.tasks.sizes import SIZES, task_sizes

    for path in args.task_file:
        TASKS.load_file(path)
    if args.action == "init":
        from codestilts.tasks.taskfile.skeleton import write_skeleton

        if not args.name or not args.format:
            raise UserError("`codestilts tasks init` needs a task name and --format", hint="e.g. codestilts tasks init my-task --format classification")
        written = write_skeleton(args.name, args.format, Path(args.dir))
        print(f"wrote {', '.join(map(str, written))}; try: codestilts tasks --task-file {written[0]} show {args.name}")
        return 0
    data_dir = resolve_data_dir(args.data_dir)
    if args.action == "show":
        from codestilts.tasks.show import render_task

        if not args.name:
            raise UserError("`codestilts tasks show` needs a task name")
        print(render_task(args.name, data_dir))
        return 0
    prepare(TASKS.all(), data_dir, (SIZES,))
    table = Table(title=f"tasks (data folder: {data_dir or 'not set: CODESTILTS_DATA'})")
    for column in ("task", "format", "metric", "languages (source first)", "source train/dev/test", "splits"):
        table.add_column(column, overflow="fold")
    for task in TASKS.all():
        try:
            counts = task_sizes(task, data_dir).get(task.source_language, {})
            sizes = "/".join(str(counts.get(s, 0)) for s in SPLITS)
        except UserError as err:
            sizes = f"[dim]{err.message}[/]"
        languages = [task.source_language] + [lang for lang in task.languages if lang != task.source_language]
        table.add_row(task.name, task.format.name, task.metric, " ".join(languages), sizes, task.splits_note)
    Console(width=max(160, Console().width)).print(table)
    print("per-language sizes and examples: codestilts tasks show NAME")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from codestilts import api
    from codestilts.report.build import parse_formats
    from codestilts.report.compare import compare_runs

    if args.compare:
        print(compare_runs(*(Path(p) for p in args.compare)), end="")
        return 0
    if args.run_dir is None:
        raise UserError("`codestilts report` needs a run folder (or --compare RUN_A RUN_B)")
    out = Path(args.run_dir)
    api.write_report(out, parse_formats(args.format))
    print(f"report written to {out}")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from codestilts.report.results import PLAN_FILE
    from codestilts.store import Store

    run, dest = Path(args.run_dir), Path(args.dest)
    if not (run / PLAN_FILE).is_file():
        raise UserError(f"{run} is not a codestilts run folder (no {PLAN_FILE})")
    if dest.exists():
        raise UserError(f"{dest} exists already", hint="archive into a new folder")
    Store(run).archive(dest)
    size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    print(f"archived {run} to {dest} ({size / 1e6:.1f} MB, no checkpoints): `codestilts report {dest}` rebuilds its tables")
    return 0


def _add_run_commands(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run every stage a config implies (complete stages are reused)")
    run.add_argument("config", help="experiment YAML file")
    run.add_argument("--out", help="output folder (default: runs/<name>)")
    run.add_argument("--executor", choices=["local", "ray"], default="local", help="where stages run (default: local)")
    run.add_argument("--address", default=None, help="Ray cluster address (default: start a local Ray)")
    run.add_argument("--retry-failed", action="store_true", help="run stages that failed in an earlier run again")
    run.add_argument("--force", action="append", default=[], metavar="PATTERN", help="rerun complete stages whose id matches this glob (repeatable)")
    run.set_defaults(handler=cmd_run)

    plan = sub.add_parser("plan", help="show the stages a config implies and which are done; trains nothing")
    plan.add_argument("config", help="experiment YAML file")
    plan.add_argument("--out", help="output folder (default: runs/<name>)")
    plan.set_defaults(handler=cmd_plan)

    report = sub.add_parser("report", help="write a run's tables, intervals and figures from its store (or compare two runs)")
    report.add_argument("run_dir", nargs="?", help="the run's output folder")
    report.add_argument("--format", default="md,csv,tex,json", help="comma-separated: md,csv,tex,json (default: all)")
    report.add_argument("--compare", nargs=2, metavar=("RUN_A", "RUN_B"), help="print the zero-shot table of RUN_B minus RUN_A")
    report.set_defaults(handler=cmd_report)

    archive = sub.add_parser("archive", help="copy a run without its checkpoints: what the report reads, small enough to commit")
    archive.add_argument("run_dir", help="the run's output folder")
    archive.add_argument("dest", help="a new folder")
    archive.set_defaults(handler=cmd_archive)

    tasks = sub.add_parser("tasks", help="list the registered tasks with format, languages and sizes; `tasks show NAME`: one task")
    tasks.add_argument(
        "action", nargs="?", choices=["show", "init"],
        help="show: one task's sizes per language and split, two examples; init: write a commented task file (and example data) for --format",
    )
    tasks.add_argument("name", nargs="?", help="the task to show or to write")
    tasks.add_argument("--format", default=None, help="init: the task's format (a format whose tasks train or probe)")
    tasks.add_argument("--dir", default=".", help="init: the folder to write NAME.yaml and NAME.jsonl in (default: here)")
    tasks.add_argument("--data-dir", default=None, help="data folder (default: $CODESTILTS_DATA)")
    tasks.add_argument("--task-file", action="append", default=[], help="a YAML task file to register first (repeatable)")
    tasks.set_defaults(handler=cmd_tasks)


_REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [_add_run_commands, register_execution]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codestilts",
        description="Intermediate-task training and zero-shot cross-programming-language transfer.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in _REGISTRARS:
        register(sub)
    return parser


def _quiet_libraries() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import logging
    import warnings

    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging as hf_logging

    warnings.filterwarnings("ignore", module="transformers")
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    disable_progress_bars()
    logging.getLogger("transformers").setLevel(logging.ERROR)


def _report(err: UserError) -> int:
    print(f"codestilts: error: {err.render()}", file=sys.stderr)
    return err.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("run", "plan", "tasks"):
        _quiet_libraries()
    from codestilts.progress import setup_logging

    setup_logging(args.verbose)
    handler: Command = args.handler
    try:
        return int(handler(args) or 0)
    except UserError as err:
        return _report(err)
    except (OSError, MemoryError) as err:  # a full or read-only disk outside any stage, say
        problem = environment_error(err, f"codestilts {args.command}")
        if problem is None:
            raise
        return _report(problem)
    except KeyboardInterrupt:
        print("codestilts: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
