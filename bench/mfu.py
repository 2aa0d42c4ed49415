"""Achieved FLOP/s of codestilts training steps as a share of this machine's measured matmul peaks.

1. Peaks: the best FLOP/s of square matrix products (``torch.mm``, sizes --peak-sizes) in fp32, and
   in bf16 (the inputs in bf16, as autocast hands them to the matmul kernels), over --peak-repeats.
2. Training: the snli task on the packaged MiniLM (batch 32, max_length 128) through the training
   loop (``codestilts.training.loop.fit``, codestilts' defaults: length-grouped batches, fused AdamW)
   for --steps steps, once in fp32 and once in bf16, timed by the loop's ``timing.train``.
3. FLOPs: counted by ``torch.utils.flop_counter.FlopCounterMode`` on one forward and backward at two
   sequence lengths, which fixes the linear-layer FLOPs per token; attention products (which
   the counter does not see inside CPU SDPA) are added as 12·B·L²·hidden per layer (forward and
   backward). A step's FLOPs follow from the shape of each batch the loop draws (the same
   seeded batch stream), "padded" over every position of the batch, "useful" over the real tokens only.

Printed per precision: seconds per step, achieved GFLOP/s (padded and useful) and each as a share
of the peak of that precision. With ``--profile`` it also prints torch.profiler's table of the
operators of the training runs (self CPU time), which shows what bounds a step.

    .venv/bin/python bench/mfu.py
    .venv/bin/python bench/mfu.py --steps 20 --precisions bf16 --profile
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from codestilts.config import TrainConfig
from codestilts.data import resolve_data_dir
from codestilts.formats import Feature
from codestilts.models.backbone import load_encoder, load_tokenizer
from codestilts.models.task_model import HeadSpec, TaskModel
from codestilts.tasks import TASKS, records
from codestilts.training.loop import TrainSource, fit
from codestilts.training.sampling import BatchStream, TaskSampler

MODEL = "minilm"
TASK = "snli"
BATCH = 32
SEED = 0


def matmul_peak(dtype: torch.dtype, sizes: list[int], repeats: int) -> float:
    """The best FLOP/s of ``n x n @ n x n`` over ``sizes`` and ``repeats``."""
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
        torch.mm(a, b)  # warm-up: kernel selection, first-touch of the output
        for _ in range(repeats):
            start = time.perf_counter()
            torch.mm(a, b)
            best = max(best, 2 * n**3 / (time.perf_counter() - start))
    return best


def flop_model(model: TaskModel, task: str) -> tuple[float, float]:
    """(FLOPs per token, FLOPs per token pair of attention) of one forward and backward: linear in
    the tokens for everything the counter sees, plus 12·hidden·layers per (query, key) pair."""
    counts = []
    for length in (32, 64):
        batch = {
            "input_ids": torch.full((BATCH, length), 1000),
            "attention_mask": torch.ones(BATCH, length, dtype=torch.long),
            "labels": torch.zeros(BATCH, dtype=torch.long),
        }
        with FlopCounterMode(display=False) as counter:
            model(task, **batch).loss.backward()
        model.zero_grad(set_to_none=True)
        counts.append(counter.get_total_flops() / (BATCH * length))
    if not np.isclose(counts[0], counts[1], rtol=1e-3):
        raise SystemExit(f"the counted FLOPs are not linear in the tokens ({counts}): attention is counted, do not add it")
    config = model.encoder.config
    return counts[0], 12.0 * config.hidden_size * config.num_hidden_layers


def step_flops(features: list[Feature], steps: int, grouped: bool, per_token: float, per_pair: float) -> tuple[float, float]:
    """(padded, useful) FLOPs of the first ``steps`` batches that the loop draws."""
    lengths = [TASKS.get(TASK).format.length(f) for f in features]
    stream = BatchStream(len(lengths), BATCH, SEED, 0, lengths=lengths if grouped else None)
    padded = useful = 0.0
    for _ in range(steps):
        batch = [lengths[i] for i in stream.next_indices()]
        longest = max(batch)
        padded += len(batch) * (per_token * longest + per_pair * longest**2)
        useful += sum(per_token * n + per_pair * n**2 for n in batch)
    return padded, useful


def train(features: list[Feature], steps: int, bf16: bool, profile: bool) -> float:
    """Seconds of ``steps`` training steps through the loop; with ``profile``, torch.profiler's
    operators of the whole run (by self CPU time) are printed."""
    task = TASKS.get(TASK)
    model = TaskModel(load_encoder(MODEL), {task.name: HeadSpec(task.format.name, task.num_labels)})
    cfg = TrainConfig(batch_size=BATCH, max_steps=steps, eval_every=steps, bf16=bf16)
    with tempfile.TemporaryDirectory() as work, torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) if profile else nullcontext() as prof:
        result = fit(
            model, [TrainSource(task.name, task.format, features)], TaskSampler(np.array([1.0]), SEED),
            lambda m: {"score": 0.0}, cfg, tokenizer=load_tokenizer(MODEL), seed=SEED,
            log_dir=Path(work) / "tb", resume_dir=Path(work) / "resume", label=f"bf16={bf16}",
        )
    if profile:
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
    return result.timing["train"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="default: $CODESTILTS_DATA")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--peak-sizes", default="1024,2048,4096")
    parser.add_argument("--peak-repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print torch.profiler's operator table of a few steps")
    args = parser.parse_args()

    sizes = [int(n) for n in args.peak_sizes.split(",")]
    peaks = {"fp32": matmul_peak(torch.float32, sizes, args.peak_repeats), "bf16": matmul_peak(torch.bfloat16, sizes, args.peak_repeats)}
    task = TASKS.get(TASK)
    items = records(task, resolve_data_dir(args.data_dir), task.source_language, "train")
    features = task.format.encode(items, load_tokenizer(MODEL), args.max_length)
    counter = TaskModel(load_encoder(MODEL), {task.name: HeadSpec(task.format.name, task.num_labels)})
    per_token, per_pair = flop_model(counter, task.name)
    padded, useful = step_flops(features, args.steps, TrainConfig().group_by_length, per_token, per_pair)

    print(f"{os.cpu_count()} CPUs, {torch.get_num_threads()} torch threads, load average {os.getloadavg()[0]:.2f}")
    print(f"matmul peak: fp32 {peaks['fp32'] / 1e9:.0f} GFLOP/s, bf16 {peaks['bf16'] / 1e9:.0f} GFLOP/s (x{peaks['bf16'] / peaks['fp32']:.1f})")
    print(f"{MODEL}, {TASK}, batch {BATCH}, {args.steps} steps: {padded / args.steps / 1e9:.0f} GFLOP per step padded, {useful / args.steps / 1e9:.0f} useful")
    for precision in args.precisions.split(","):
        seconds = train(features, args.steps, precision == "bf16", args.profile)
        achieved, real = padded / seconds, useful / seconds
        print(
            f"  {precision}: {seconds / args.steps:.3f} s/step, {achieved / 1e9:.0f} GFLOP/s padded ({achieved / peaks[precision]:.0%} of peak),"
            f" {real / 1e9:.0f} useful ({real / peaks[precision]:.0%}); load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
