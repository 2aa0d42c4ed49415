"""Probe stage: retrieval straight from an encoder, no training (BUCC/Tatoeba's role in the paper).

Two kinds of retrieval task:

- cross-language (items without a query, e.g. ``xret-*``): for each language X other than the
  source, the source-language test items are the queries and X's test items of the same problems
  the candidates, and the other way round;
- query -> code (items with a query, e.g. ``code-search-*``): in every language, each NL query
  ranks that language's test items.

Candidates are ranked by the cosine similarity of pooled hidden states, computed in batches on the
device training uses: mean-pooled for an encoder and for a seq2seq model's encoder, the last
token's for a decoder (the only one that has read the whole text). One forward pass gives every
layer's states, so every layer is scored; the layer whose scores are the stage's own (``languages``
in ``metrics.json``, the rows of ``predictions.jsonl``) is fixed in advance (``probe.layer``:
``middle``, the paper's choice, ``last`` or a number) or, with ``probe.layer: dev``, the one with
the best mean primary metric on the task's dev split (test problems never enter the choice).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from codestilts.config import DEV_LAYER
from codestilts.errors import UserError
from codestilts.formats.text import Family
from codestilts.hardware import autocast
from codestilts.models.backbone import num_layers
from codestilts.models.heads import Pooling, pool
from codestilts.parallel import process_device
from codestilts.stages.common import StageContext, starting_encoder, task_records, test_problems
from codestilts.store import atomic_path, write_json
from codestilts.formats import RETRIEVAL, Feature, RetrievalItem
from codestilts.training.cache import encode_cached
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


PROBE_POOLING: dict[Family, Pooling] = {"encoder": "mean", "decoder": "last", "seq2seq": "mean"}


def states_model(model: PreTrainedModel, family: Family) -> PreTrainedModel:
    """The part of ``model`` whose hidden states a probe compares: a seq2seq model's encoder, else all of it."""
    return model.get_encoder() if family == "seq2seq" else model


def embed(
    encoder: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    features: Sequence[Feature],
    *,
    batch_size: int,
    side: str = "",
    bf16: bool = False,
    pooling: Pooling = "mean",
) -> np.ndarray:
    """L2-normalised pooled states of every layer for each retrieval feature (its text, or with
    ``side="query_"`` its query): features x layers x hidden, layer 0 the embeddings as in
    ``hidden_states``; under bf16 autocast with ``bf16``."""
    encoder.eval()

    def vectors(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        pooled = torch.stack([pool(states, mask, pooling) for states in out.hidden_states], dim=1)
        return torch.nn.functional.normalize(pooled.float(), dim=-1)

    with torch.inference_mode(), autocast(encoder.device, bf16):
        return RETRIEVAL.side_vectors(features, tokenizer, batch_size, encoder.device, side, vectors)


def aligned(source: list[RetrievalItem], other: list[RetrievalItem]) -> tuple[list[RetrievalItem], list[RetrievalItem]]:
    """Both sides restricted to the problems they share, in the same order."""
    by_group = {item.group: item for item in other}
    pairs = [(item, by_group[item.group]) for item in source if item.group in by_group]
    return [a for a, _ in pairs], [b for _, b in pairs]


def _directions(queries: np.ndarray, candidates: np.ndarray, both: bool) -> dict[str, np.ndarray]:
    similarity = queries @ candidates.T
    return {"s2t": ranks(similarity), "t2s": ranks(similarity.T)} if both else {"q2c": ranks(similarity)}


def _metrics(found: dict[str, np.ndarray]) -> dict[str, float]:
    per_direction = {direction: retrieval_metrics(r) for direction, r in found.items()}
    names = next(iter(per_direction.values()))
    metrics = {name: float(np.mean([m[name] for m in per_direction.values()])) for name in names}
    if len(per_direction) > 1:
        metrics |= {f"{name}.{d}": m[name] for d, m in per_direction.items() for name in m}
    return metrics


@dataclass(frozen=True)
class Pairs:
    """One split's retrieval per language: the items of its rows, and its queries' and candidates'
    vectors at every layer (items x layers x hidden; row i of both is item i's problem)."""

    items: dict[str, list[RetrievalItem]]
    queries: dict[str, np.ndarray]
    candidates: dict[str, np.ndarray]
    both: bool
    """Cross-language: each side queries the other (``s2t`` and ``t2s``); else ``q2c``."""

    @property
    def layers(self) -> range:
        return range(next(iter(self.queries.values())).shape[1])

    def ranked(self, layer: int) -> dict[str, dict[str, np.ndarray]]:
        """language -> direction -> each row's rank of its right candidate at ``layer``."""
        return {lang: _directions(self.queries[lang][:, layer], self.candidates[lang][:, layer], self.both) for lang in self.items}

    def metrics(self, layer: int) -> dict[str, dict[str, float]]:
        return {lang: _metrics(found) | {"examples": len(self.items[lang])} for lang, found in self.ranked(layer).items()}


Read = Callable[[str], tuple[list[RetrievalItem], list[Feature]]]
"""A language's items of one split, with their features."""
Vectors = Callable[[list[Feature], str], np.ndarray]
"""Features' vectors at every layer, of one side (``""``: the text, ``"query_"``: the query)."""


def pairs(read: Read, vectors: Vectors, source: str, languages: Sequence[str]) -> Pairs:
    """The retrieval of one split: queries and candidates per language (the module's docstring)."""
    source_items, source_features = read(source)
    if source_items[0].query is not None:
        found = {lang: (source_items, source_features) if lang == source else read(lang) for lang in languages}
        return Pairs(
            {lang: items for lang, (items, _) in found.items()},
            {lang: vectors(features, "query_") for lang, (_, features) in found.items()},
            {lang: vectors(features, "") for lang, (_, features) in found.items()},
            both=False,
        )
    by_source = dict(zip((i.group for i in source_items), vectors(source_features, ""), strict=True))
    items, queries, candidates = {}, {}, {}
    for language in languages:
        if language == source:
            continue
        others, features = read(language)
        by_group = dict(zip((i.group for i in others), vectors(features, ""), strict=True))
        items[language], matched = aligned(source_items, others)
        queries[language] = np.stack([by_source[i.group] for i in items[language]])
        candidates[language] = np.stack([by_group[c.group] for c in matched])
    return Pairs(items, queries, candidates, both=True)


def dev_scores(dev: Pairs, metric: str) -> dict[int, float]:
    """Per layer, ``metric`` on the dev split averaged over the languages scored."""
    return {layer: float(np.mean([m[metric] for m in dev.metrics(layer).values()])) for layer in dev.layers}


def run_probe(ctx: StageContext) -> None:
    task = ctx.task()
    model, tokenizer = starting_encoder(ctx)
    encoder = states_model(model, ctx.family).to(process_device())
    settings = ctx.params["probe"]
    languages = ctx.params["languages"]
    source = ctx.params["source_language"]

    def vectors(features: list[Feature], side: str) -> np.ndarray:
        return embed(
            encoder, tokenizer, features, batch_size=settings["batch_size"], side=side, bf16=settings["bf16"],
            pooling=PROBE_POOLING[ctx.family],
        )

    def of_split(split: str) -> Pairs:
        def read(language: str) -> tuple[list[RetrievalItem], list[Feature]]:
            items = test_problems(ctx, task, language) if split == "test" else task_records(ctx, task, language, split)
            return items, encode_cached(task.format, items, tokenizer, ctx.params["model"]["max_length"], name=f"{task.name}/{language}/{split}")

        return pairs(read, vectors, source, languages)

    if settings["layer"] == DEV_LAYER:
        scores = dev_scores(of_split("dev"), task.metric)
        layer = max(scores, key=scores.get)  # the lowest of equal bests
        choice = {"layer_choice": DEV_LAYER, "dev_scores": scores}
    else:
        layer = layer_index(settings["layer"], num_layers(encoder))
        choice = {"layer_choice": "fixed"}
    test = of_split("test")
    with atomic_path(ctx.dir / "predictions.jsonl") as tmp, tmp.open("w", encoding="utf-8") as out:
        for language, found in test.ranked(layer).items():
            for direction, ranked in found.items():
                for item, rank in zip(test.items[language], ranked, strict=True):
                    out.write(json.dumps({"language": language, "direction": direction, "group": item.group, "rank": int(rank)}) + "\n")
    per_layer = {index: test.metrics(index) for index in test.layers}
    write_json(
        ctx.dir / "metrics.json",
        {"metric": task.metric, "source_language": source, "layer": layer, **choice, "languages": per_layer[layer], "layers": per_layer},
    )
