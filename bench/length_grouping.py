"""Training throughput with and without length-grouped batches (``group_by_length``), side by side.

The same model, task, data and seed are trained for --steps optimizer steps with plain shuffled
batches and with length-grouped ones, alternating (plain first, then grouped first, ...) for
--rounds rounds so that drift in machine speed hits both alike. Printed: examples/s of each (median
over rounds), the grouped/plain ratio, and the share of batch positions that are padding.

    .venv/bin/python bench/length_grouping.py                                  # snli, tiny model
    .venv/bin/python bench/length_grouping.py --task syntax-roles --model minilm --max-length 256
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import numpy as np

from codestilts.config import TrainConfig
from codestilts.data import resolve_data_dir
from codestilts.formats import Feature
from codestilts.models.backbone import load_encoder, load_tokenizer
from codestilts.models.task_model import HeadSpec, TaskModel
from codestilts.tasks import TASKS, records
from codestilts.training.loop import TrainSource, fit
from codestilts.training.sampling import BatchStream, TaskSampler


def padding_share(lengths: list[int], batch_size: int, steps: int, grouped: bool) -> float:
    """Padding positions / all positions over the first ``steps`` batches the loop would draw."""
    stream = BatchStream(len(lengths), batch_size, seed=0, stream=0, lengths=lengths if grouped else None)
    padded = total = 0
    for _ in range(steps):
        batch = [lengths[i] for i in stream.next_indices()]
        padded += len(batch) * max(batch) - sum(batch)
        total += len(batch) * max(batch)
    return padded / total


def examples_per_second(args: argparse.Namespace, features: list[Feature], grouped: bool) -> float:
    task = TASKS.get(args.task)
    tokenizer = load_tokenizer(args.model)
    model = TaskModel(load_encoder(args.model), {task.name: HeadSpec(task.format.name, task.num_labels)})
    cfg = TrainConfig(
        learning_rate=1e-4, batch_size=args.batch_size, max_steps=args.steps, eval_every=args.steps, group_by_length=grouped
    )
    with tempfile.TemporaryDirectory() as work:
        result = fit(
            model, [TrainSource(task.name, task.format, features)], TaskSampler(np.array([1.0]), 0),
            lambda m: {"score": 0.0}, cfg, tokenizer=tokenizer, seed=0,
            log_dir=Path(work) / "tb", resume_dir=Path(work) / "resume", label=f"grouped={grouped}",
        )
    return args.steps * args.batch_size / result.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="default: $CODESTILTS_DATA")
    parser.add_argument("--task", default="snli")
    parser.add_argument("--language", default=None, help="default: the task's source language")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-examples", type=int, default=4000)
    args = parser.parse_args()

    task = TASKS.get(args.task)
    items = records(task, resolve_data_dir(args.data_dir), args.language or task.source_language, "train")[: args.max_examples]
    features = task.format.encode(items, load_tokenizer(args.model), args.max_length)
    lengths = [task.format.length(f) for f in features]
    rates: dict[bool, list[float]] = {False: [], True: []}
    for round_ in range(args.rounds):
        for grouped in (False, True) if round_ % 2 == 0 else (True, False):
            rates[grouped].append(examples_per_second(args, features, grouped))
    plain, grouped = statistics.median(rates[False]), statistics.median(rates[True])
    print(f"{args.task} ({len(features)} examples, {args.model}, max_length {args.max_length}, batch {args.batch_size})")
    for name, key, rate in (("plain", False, plain), ("grouped", True, grouped)):
        share = padding_share(lengths, args.batch_size, args.steps, key)
        print(f"  {name:8s} {rate:8.1f} examples/s   padding {share:6.1%} of positions")
    print(f"  grouped/plain: {grouped / plain:.2f}x")


if __name__ == "__main__":
    main()
