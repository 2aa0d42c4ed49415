"""Training throughput of a codestilts intermediate stage against transformers' Trainer, on the
identical workload, side by side.

The workload: the packaged MiniLM (all-MiniLM-L6-v2), the snli task's train pairs from the data
folder, batch 32, max_length 128, learning rate 5e-5 with 10% linear warmup and linear decay, weight
decay 0.01, gradient clipping at 1.0, ``--steps`` optimizer steps (default 277: one epoch of the
8,858 train pairs), then accuracy on the task's dev split (984 pairs).

- Trainer: what a user writes. ``AutoModelForSequenceClassification``; the pairs tokenised once with
  ``datasets.map``; ``Trainer`` with those hyperparameters in ``TrainingArguments`` and its defaults
  otherwise (padding per batch by ``DataCollatorWithPadding``, shuffled batches, fused AdamW), then
  ``trainer.evaluate()`` with accuracy.
- codestilts: the intermediate stage that a config naming ``snli`` plans (the workload's learning
  rate, batch, warmup, weight decay and clipping, ``max_steps``, ``eval_every`` = the steps, and
  ``bf16`` set to the precision compared; every other setting its default: length-grouped batches,
  fused AdamW), run by the stage runner into a temporary store; dev accuracy from its ``metrics.json``.

Every run is a fresh subprocess. Rounds alternate which side goes first, so that drift in machine
speed hits both alike; round r trains both with seed r. samples/s = steps x 32 / seconds of the
optimizer steps: for Trainer from ``on_train_begin`` to the last ``on_step_end``, for codestilts its
``timing.train`` (evaluation and checkpoints left out on both sides). Printed per precision: the
median samples/s of each, their ratio, the mean dev accuracy of each over the rounds and the
difference in points, with the load average (1 min) seen around the runs.

    .venv/bin/python bench/train_throughput.py                                  # fp32 and bf16, 3 rounds
    .venv/bin/python bench/train_throughput.py --steps 40 --rounds 2 --precisions bf16
    .venv/bin/python bench/train_throughput.py --variant ungrouped:group_by_length=false
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

BATCH = 32
LEARNING_RATE = 5e-5
"""The top of the usual range for BERT-family fine-tuning: at 1e-5 one epoch leaves dev accuracy on its
steep rise (0.43 and 0.55 for the two sides of one round), where the order of batches decides more
than the code; at 5e-5 it comes near where it levels off, so the two dev metrics can be compared."""
WARMUP = 0.1
WEIGHT_DECAY = 0.01
TASK = "snli"
RESULT = "RESULT "


def pairs(data_dir: str | None, split: str) -> list:
    from codestilts.tasks import TASKS, records
    from codestilts.data import resolve_data_dir

    task = TASKS.get(TASK)
    return records(task, resolve_data_dir(data_dir), task.source_language, split)


def run_trainer(args: argparse.Namespace) -> dict[str, Any]:
    """Train and evaluate with transformers' Trainer, as a user would write it."""
    import numpy as np
    import torch
    from datasets import Dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainerCallback,
        TrainingArguments,
    )

    from codestilts.models.backbone import resolve

    path = resolve("minilm")
    tokenizer = AutoTokenizer.from_pretrained(path)

    def dataset(split: str) -> Dataset:
        items = pairs(args.data_dir, split)
        table = {"premise": [r.text_a for r in items], "hypothesis": [r.text_b for r in items], "label": [r.label for r in items]}
        tokenize = lambda b: tokenizer(b["premise"], b["hypothesis"], truncation=True, max_length=args.max_length)  # noqa: E731
        return Dataset.from_dict(table).map(tokenize, batched=True, remove_columns=["premise", "hypothesis"])

    class StepClock(TrainerCallback):
        def on_train_begin(self, *_, **__):
            self.start = self.end = time.perf_counter()

        def on_step_end(self, *_, **__):
            self.end = time.perf_counter()

    def accuracy(prediction) -> dict[str, float]:
        return {"accuracy": float((np.argmax(prediction.predictions, axis=-1) == prediction.label_ids).mean())}

    clock = StepClock()
    with tempfile.TemporaryDirectory() as out:
        trainer = Trainer(
            model=AutoModelForSequenceClassification.from_pretrained(path, num_labels=3),
            args=TrainingArguments(
                output_dir=out,
                per_device_train_batch_size=BATCH,
                max_steps=args.steps,
                learning_rate=LEARNING_RATE,
                warmup_steps=WARMUP,
                weight_decay=WEIGHT_DECAY,
                bf16=args.precision == "bf16",
                use_cpu=not torch.cuda.is_available(),
                seed=args.seed,
                save_strategy="no",
                report_to="none",
                disable_tqdm=True,
            ),
            train_dataset=dataset("train"),
            eval_dataset=dataset("dev"),
            processing_class=tokenizer,
            compute_metrics=accuracy,
            callbacks=[clock],
        )
        trainer.train()
        dev = trainer.evaluate()["eval_accuracy"]
    return {"seconds": clock.end - clock.start, "dev_accuracy": dev}


def intermediate_stage(data_dir: str | None, max_length: int, seed: int, training: dict[str, Any]) -> dict[str, Any]:
    """Plan the intermediate stage of a config naming the task (``training`` over its defaults),
    run it with the stage runner into a temporary store, and return its ``metrics.json``."""
    from codestilts.config import parse_config
    from codestilts.executor import run_stage
    from codestilts.plan import build_plan
    from codestilts.store import Store, read_json

    config = parse_config(
        {
            "name": "throughput",
            "data_dir": data_dir,
            "model": {"name": "minilm", "max_length": max_length},
            "seeds": [seed],
            "intermediate": [TASK],
            "training": {"intermediate": training},
        }
    )
    plan = build_plan(config)
    stage = next(s for s in plan.stages if s.kind == "intermediate")
    with tempfile.TemporaryDirectory() as out:
        store = Store(Path(out))
        run_stage(stage, store, plan.data_dir, plan.parent_kinds(stage))
        return read_json(store.stage(stage.id) / "metrics.json") | {"train": stage.params["train"]}


def run_codestilts(args: argparse.Namespace) -> dict[str, Any]:
    """Run the intermediate stage that a config naming the task plans: the workload's hyperparameters,
    codestilts' defaults otherwise."""
    workload = {"learning_rate": LEARNING_RATE, "batch_size": BATCH, "warmup_ratio": WARMUP, "weight_decay": WEIGHT_DECAY, "max_grad_norm": 1.0}
    training = workload | {"max_steps": args.steps, "eval_every": args.steps, "bf16": args.precision == "bf16"} | json.loads(args.options)
    metrics = intermediate_stage(args.data_dir, args.max_length, args.seed, training)
    return {"seconds": metrics["timing"]["train"], "dev_accuracy": metrics["dev_score"], "train": metrics["train"]}


def worker(args: argparse.Namespace) -> None:
    load = os.getloadavg()[0]
    result = (run_trainer if args.worker == "trainer" else run_codestilts)(args)
    result |= {"samples_per_second": args.steps * BATCH / result["seconds"], "load": [round(load, 2), round(os.getloadavg()[0], 2)]}
    print(RESULT + json.dumps(result), flush=True)


def launch(args: argparse.Namespace, side: str, precision: str, seed: int, options: dict[str, Any]) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--worker", side, "--precision", precision, "--seed", str(seed), "--steps", str(args.steps),
        "--max-length", str(args.max_length), "--options", json.dumps(options),
    ] + (["--data-dir", args.data_dir] if args.data_dir else [])
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode != 0 or not lines:
        sys.exit(f"{side} {precision} seed {seed} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len(RESULT) :])


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME:KEY=VALUE,KEY=VALUE`` -> (NAME, {KEY: VALUE}); values are read as YAML."""
    name, _, settings = text.partition(":")
    options = {}
    for pair in filter(None, settings.split(",")):
        key, _, value = pair.partition("=")
        options[key.strip()] = yaml.safe_load(value)
    return name, options


def summarise(runs: list[dict[str, Any]], arms: list[str], precision: str) -> None:
    mine = [r for r in runs if r["precision"] == precision]
    rate = {arm: statistics.median(r["samples_per_second"] for r in mine if r["arm"] == arm) for arm in arms}
    dev = {arm: [r["dev_accuracy"] for r in mine if r["arm"] == arm] for arm in arms}
    loads = [value for r in mine for value in r["load"]]
    print(f"\n{precision} ({len(dev['trainer'])} rounds, load average {min(loads):.2f}-{max(loads):.2f})")
    print(f"  {'':24s} {'samples/s':>10s} {'x Trainer':>10s} {'dev accuracy':>14s} {'points':>7s}")
    for arm in arms:
        accuracy = statistics.mean(dev[arm])
        spread = statistics.stdev(dev[arm]) if len(dev[arm]) > 1 else 0.0
        points = 100 * (accuracy - statistics.mean(dev["trainer"]))
        print(f"  {arm:24s} {rate[arm]:10.1f} {rate[arm] / rate['trainer']:9.2f}x {accuracy:8.4f}±{spread:.3f} {points:+7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="default: $CODESTILTS_DATA")
    parser.add_argument("--steps", type=int, default=277)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--variant", action="append", default=[], help="another codestilts arm, NAME:KEY=VALUE,...")
    parser.add_argument("--json", default=None, help="also write every run to this file")
    parser.add_argument("--worker", choices=["trainer", "codestilts"], help=argparse.SUPPRESS)
    parser.add_argument("--precision", default="fp32", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    from codestilts.hardware import fast_bf16

    arms = {"trainer": None, "codestilts": {}} | dict(parse_variant(v) for v in args.variant)
    precisions = args.precisions.split(",")
    print(f"{os.cpu_count()} CPUs, bf16 by default here: {fast_bf16()}; {args.steps} steps x {BATCH}, max_length {args.max_length}")
    runs = []
    for round_ in range(args.rounds):
        order = list(arms) if round_ % 2 == 0 else list(reversed(arms))
        for precision in precisions:
            for arm in order:
                side, options = ("trainer", {}) if arms[arm] is None else ("codestilts", arms[arm])
                run = launch(args, side, precision, round_, options) | {"arm": arm, "precision": precision, "seed": round_}
                runs.append(run)
                print(f"round {round_} {precision:5s} {arm:24s} {run['samples_per_second']:7.1f} samples/s  dev {run['dev_accuracy']:.4f}  load {run['load']}", flush=True)
    for precision in precisions:
        summarise(runs, list(arms), precision)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
