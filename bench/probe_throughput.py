"""Probe inference (a retrieval probe's embedding pass) three ways, side by side.

The test split of one language of a retrieval task is embedded by the probe's own function
(:func:`codestilts.stages.probe.embed`: mean-pooled states of every layer, of which the middle one
is compared) as it ran before issue 17 (batches in the records' order, fp32), with length-sorted
batches in fp32, and with length-sorted batches under bf16 autocast (the default where the machine
has fast bf16). The three alternate for --rounds rounds; printed: examples/s of each (median),
ratios against the first, the largest difference of a vector from the fp32 one, and acc@1 of
Python -> the language each way.

    .venv/bin/python bench/probe_throughput.py                                   # synth-retrieval, no data folder
    .venv/bin/python bench/probe_throughput.py --task xret-humaneval-x --language java
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch

from codestilts.data import resolve_data_dir
from codestilts.formats import RETRIEVAL
from codestilts.models.backbone import load_encoder, load_tokenizer, num_layers
from codestilts.stages.probe import aligned, embed, layer_index
from codestilts.tasks import TASKS, records
from codestilts.training.metrics import ranks, retrieval_metrics

WAYS = ("records' order, fp32", "by length, fp32", "by length, bf16")


def embed_in_records_order(encoder, tokenizer, features: list[dict], layer: int, batch_size: int) -> np.ndarray:
    """The probe's embedding as it was: batches of neighbours in the records' order, fp32 (each
    slice is one batch, so the probe's sort cannot regroup it)."""
    rows = []
    for start in range(0, len(features), batch_size):
        rows.append(embed(encoder, tokenizer, features[start : start + batch_size], batch_size=batch_size)[:, layer])
    return np.concatenate(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="default: $CODESTILTS_DATA")
    parser.add_argument("--task", default="synth-retrieval")
    parser.add_argument("--language", default="java")
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    task = TASKS.get(args.task)
    data_dir = resolve_data_dir(args.data_dir)
    tokenizer, encoder = load_tokenizer(args.model), load_encoder(args.model).eval()
    layer = layer_index("middle", num_layers(encoder))
    source = records(task, data_dir, task.source_language, "test")
    other = records(task, data_dir, args.language, "test")
    source, other = aligned(source, other)
    features = {side: RETRIEVAL.encode(items, tokenizer, args.max_length) for side, items in (("source", source), ("other", other))}
    count = sum(len(f) for f in features.values())

    def run(way: str) -> dict[str, np.ndarray]:
        if way == WAYS[0]:
            return {side: embed_in_records_order(encoder, tokenizer, f, layer, args.batch_size) for side, f in features.items()}
        return {side: embed(encoder, tokenizer, f, batch_size=args.batch_size, bf16=way == WAYS[2])[:, layer] for side, f in features.items()}

    seconds: dict[str, list[float]] = {way: [] for way in WAYS}
    vectors: dict[str, dict[str, np.ndarray]] = {}
    for round_ in range(args.rounds):
        for way in WAYS if round_ % 2 == 0 else tuple(reversed(WAYS)):
            start = time.perf_counter()
            vectors[way] = run(way)
            seconds[way].append(time.perf_counter() - start)

    print(f"{args.task} python<->{args.language} test ({count} texts, {args.model}, max_length {args.max_length}, batch {args.batch_size}), "
          f"{torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f}")
    base = statistics.median(seconds[WAYS[0]])
    for way in WAYS:
        median = statistics.median(seconds[way])
        drift = max(float(np.abs(vectors[way][s] - vectors[WAYS[0]][s]).max()) for s in features)
        found = ranks(vectors[way]["source"] @ vectors[way]["other"].T)
        print(f"  {way:22s} {count / median:8.1f} texts/s  x{base / median:5.2f}   max |v - v_fp32| {drift:.4f}   acc@1 {retrieval_metrics(found)['acc@1']:.3f}")


if __name__ == "__main__":
    main()
