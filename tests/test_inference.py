"""Inference (dev and test scores, probes) runs in batches of similar length, gives each record its
own result back in the records' order, and computes in the precision its stage names."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch

from codestilts import hardware
from codestilts.config import parse_config
from codestilts.formats import CLASSIFICATION, MULTIPLE_CHOICE, RETRIEVAL, SPAN_EXTRACTION, TOKEN_TAGGING, Evaluation, Format
from codestilts.formats.base import in_length_order
from codestilts.models.backbone import load_tokenizer
from codestilts.plan import build_plan
from codestilts.training.evaluation import evaluate_records
from tests.conftest import tiny_config
from tests.test_training import WORDS, _synthetic, tiny_model


def _varied(fmt: Format, n: int) -> list:
    """Records of :func:`_synthetic` with texts from 1 to 30 words, so that batches of neighbours pad a lot."""
    rng = random.Random(1)
    field = {CLASSIFICATION: "text", MULTIPLE_CHOICE: "context", SPAN_EXTRACTION: "question", TOKEN_TAGGING: None, RETRIEVAL: "text"}[fmt]
    records = _synthetic(fmt, n, 0)
    if field is None:  # tagging: the words themselves
        return [type(r)(r.id, r.group, tuple(rng.choices(WORDS, k=k)), tuple([0] * k)) for r in records for k in [rng.randint(1, 30)]]
    from dataclasses import replace

    return [replace(r, **{field: " ".join(rng.choices(WORDS, k=rng.randint(1, 30)))}) for r in records]


def test_in_length_order_computes_longest_first_and_answers_in_order() -> None:
    features = [{"input_ids": [0] * n} for n in (3, 9, 1, 9, 5)]
    seen: list[int] = []

    def compute(ordered):
        seen.extend(len(f["input_ids"]) for f in ordered)
        return [len(f["input_ids"]) * 10 for f in ordered]

    assert in_length_order(features, lambda f: len(f["input_ids"]), compute) == [30, 90, 10, 90, 50]
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize("fmt", [CLASSIFICATION, MULTIPLE_CHOICE, SPAN_EXTRACTION, TOKEN_TAGGING])
def test_batched_logits_are_each_records_own(fmt: Format) -> None:
    """Batches of 8 sorted by length give every record the logits it gets alone."""
    tokenizer = load_tokenizer("tiny")
    model = tiny_model(fmt, 2).eval()
    features = fmt.encode(_varied(fmt, 24), tokenizer, 48)
    alone = [fmt.logits(model, "t", [feature], tokenizer, batch_size=1)[0] for feature in features]
    batched = fmt.logits(model, "t", features, tokenizer, batch_size=8)
    for one, many in zip(alone, batched, strict=True):
        rows = min(len(one), len(many))
        np.testing.assert_allclose(many[:rows], one[:rows], atol=1e-4)


def test_batched_retrieval_vectors_are_each_records_own() -> None:
    tokenizer = load_tokenizer("tiny")
    model = tiny_model(RETRIEVAL).eval()
    features = RETRIEVAL.encode(_varied(RETRIEVAL, 24), tokenizer, 48)
    for side in ("", "query_"):
        alone = np.concatenate([RETRIEVAL.embed(model, "t", [feature], tokenizer, 1, side=side) for feature in features])
        np.testing.assert_allclose(RETRIEVAL.embed(model, "t", features, tokenizer, 8, side=side), alone, atol=1e-4)


@pytest.mark.parametrize("bf16", [True, False])
def test_evaluation_computes_in_the_precision_it_is_given(bf16: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def evaluate(*args, **kwargs) -> Evaluation:
        seen.append(torch.is_autocast_enabled("cpu"))
        return Evaluation({}, [])

    monkeypatch.setattr(CLASSIFICATION, "evaluate", evaluate)
    evaluate_records(tiny_model(CLASSIFICATION, 2), "t", CLASSIFICATION, [], load_tokenizer("tiny"), max_length=16, features=[], bf16=bf16)
    assert seen == [bf16]


def test_evaluate_stages_take_their_targets_precision_and_probes_decide_auto(fixture_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardware, "fast_bf16", lambda: True)
    raw = tiny_config(fixture_data)
    raw["training"]["target"]["bf16"] = False
    plan = build_plan(parse_config(raw))
    by_id = plan.by_id()
    evaluations = [s for s in plan.stages if s.kind == "evaluate"]
    probes = [s for s in plan.stages if s.kind == "probe"]
    assert evaluations and probes
    assert all(s.params["bf16"] is by_id[s.parents[0]].params["train"]["bf16"] is False for s in evaluations)
    assert all(s.params["probe"]["bf16"] is True for s in probes)
