"""What resumable checkpoints cost a training stage: saving, sealing (SHA-256) and swapping.

The intermediate stage of ``bench/train_throughput.py`` (MiniLM, snli, batch 32, max_length 128,
codestilts' defaults) runs --every x 3 steps with ``eval_every`` = --every, so it writes the default
checkpoint (one per evaluation) twice, at steps --every and 2 x --every (none after the last step).
Its ``metrics.json`` ``timing`` gives the seconds of each phase. Printed: the
seconds per checkpoint of each phase, the share of the measured stage's seconds, and the share at
the default interval of a real snli stage (one checkpoint per epoch: the checkpoint against an
epoch of steps at the measured step time, one evaluation and the checkpoint).

    .venv/bin/python bench/checkpoint_cost.py
    .venv/bin/python bench/checkpoint_cost.py --every 20 --precision fp32
"""

from __future__ import annotations

import argparse
import math
import os

from train_throughput import BATCH, intermediate_stage

PHASES = ("save", "seal", "swap")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="default: $CODESTILTS_DATA")
    parser.add_argument("--every", type=int, default=10, help="steps between evaluations (and so checkpoints)")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto")
    args = parser.parse_args()

    bf16 = "auto" if args.precision == "auto" else args.precision == "bf16"
    load = os.getloadavg()[0]
    metrics = intermediate_stage(args.data_dir, args.max_length, 0, {"max_steps": 3 * args.every, "eval_every": args.every, "bf16": bf16})
    timing, checkpoints = metrics["timing"], 2
    per = {phase: timing[phase] / checkpoints for phase in PHASES}
    cost = sum(per.values())
    step = timing["train"] / metrics["steps"]
    evaluation = timing["dev"] / len(metrics["history"])
    epoch = math.ceil(sum(metrics["train_examples"].values()) / BATCH)
    print(f"load average {load:.2f} -> {os.getloadavg()[0]:.2f}; bf16 {metrics['train']['bf16']}; {metrics['steps']} steps, {checkpoints} checkpoints")
    print(f"per checkpoint: {cost:.2f} s (" + ", ".join(f"{p} {per[p]:.2f} s" for p in PHASES) + f"); a step {step:.3f} s, an evaluation {evaluation:.1f} s")
    print(f"share of this stage's {metrics['seconds']:.1f} s: {checkpoints * cost / metrics['seconds']:.1%} (a checkpoint every {args.every} steps)")
    print(f"share at the default interval (one per epoch of {epoch} steps): {cost / (epoch * step + evaluation + cost):.1%}")


if __name__ == "__main__":
    main()
