"""Probe stage: cross-language retrieval straight from an encoder, no training (BUCC/Tatoeba's role).

For each language X other than the source, the source-language test items are the queries and all
of X's test items the candidates (and the other way round); candidates are ranked by the cosine
similarity of mean-pooled hidden states of one layer (the paper: a middle layer).
"""

from __future__ import annotations

import json

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from codestilts.errors import UserError
from codestilts.models.backbone import num_layers
from codestilts.models.heads import pool
from codestilts.stages.common import StageContext, starting_encoder, task_records
from codestilts.store import atomic_path, write_json
from codestilts.tasks.base import RetrievalItem
from codestilts.training.features import encode
from codestilts.training.metrics import ranks, retrieval_metrics


def layer_index(layer: int | str, layers: int) -> int:
    """Index into ``hidden_states`` (0 is the embeddings, ``layers`` the last layer)."""
    if layer == "last":
        return layers
    if layer == "middle":
        return max(1, (layers + 1) // 2)
    if not 0 <= int(layer) <= layers:
        raise UserError(f"probe.layer {layer} is outside 0..{layers} for this model")
    return int(layer)


@torch.no_grad()
def embed(
    encoder: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    items: list[RetrievalItem],
    *,
    layer: int,
    max_length: int,
    batch_size: int,
) -> np.ndarray:
    """L2-normalised mean-pooled states of ``layer`` for each item."""
    encoder.eval()
    features = encode(items, tokenizer, max_length)
    vectors = []
    for start in range(0, len(features), batch_size):
        batch = tokenizer.pad(features[start : start + batch_size], return_tensors="pt")
        out = encoder(**batch, output_hidden_states=True)
        pooled = pool(out.hidden_states[layer], batch["attention_mask"], "mean")
        vectors.append(torch.nn.functional.normalize(pooled.float(), dim=-1).numpy())
    return np.concatenate(vectors)


def aligned(source: list[RetrievalItem], other: list[RetrievalItem]) -> tuple[list[RetrievalItem], list[RetrievalItem]]:
    """Both sides restricted to the problems they share, in the same order."""
    by_group = {item.group: item for item in other}
    pairs = [(item, by_group[item.group]) for item in source if item.group in by_group]
    return [a for a, _ in pairs], [b for _, b in pairs]


def run_probe(ctx: StageContext) -> None:
    task = ctx.task()
    encoder, tokenizer = starting_encoder(ctx)
    settings = ctx.params["probe"]
    layer = layer_index(settings["layer"], num_layers(encoder))
    max_length = ctx.params["model"]["max_length"]
    source = ctx.params["source_language"]
    source_items = task_records(ctx, task, source, "test")
    per_language: dict[str, dict[str, float]] = {}
    with atomic_path(ctx.dir / "predictions.jsonl") as tmp, tmp.open("w", encoding="utf-8") as out:
        for language in ctx.params["languages"]:
            if language == source:
                continue
            queries, candidates = aligned(source_items, task_records(ctx, task, language, "test"))
            a = embed(encoder, tokenizer, queries, layer=layer, max_length=max_length, batch_size=settings["batch_size"])
            b = embed(encoder, tokenizer, candidates, layer=layer, max_length=max_length, batch_size=settings["batch_size"])
            similarity = a @ b.T
            forward, backward = ranks(similarity), ranks(similarity.T)
            fwd, bwd = retrieval_metrics(forward), retrieval_metrics(backward)
            per_language[language] = {
                **{name: (fwd[name] + bwd[name]) / 2 for name in fwd},
                **{f"{name}.s2t": value for name, value in fwd.items()},
                **{f"{name}.t2s": value for name, value in bwd.items()},
                "examples": len(queries),
            }
            for direction, found in (("s2t", forward), ("t2s", backward)):
                for item, rank in zip(queries, found, strict=True):
                    out.write(json.dumps({"language": language, "direction": direction, "group": item.group, "rank": int(rank)}) + "\n")
    write_json(
        ctx.dir / "metrics.json",
        {"metric": task.metric, "source_language": source, "layer": layer, "languages": per_language},
    )
