"""Training: every head learns, samplers follow their formulas, and runs resume exactly."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from accelerate.utils import set_seed

from codestilts.config import TrainConfig
from codestilts.models.backbone import load_encoder, load_tokenizer
from codestilts.models.task_model import HeadSpec, TaskModel
from codestilts.formats import (
    CLASSIFICATION,
    MLM,
    MULTIPLE_CHOICE,
    PAIR_CLASSIFICATION,
    RETRIEVAL,
    SPAN_EXTRACTION,
    TOKEN_TAGGING,
    ClassificationExample,
    Format,
    MultipleChoiceExample,
    PairExample,
    RetrievalItem,
    SpanExample,
    TaggingExample,
    TextItem,
)
from codestilts.training.evaluation import evaluate_records
from codestilts.training.loop import FitResult, TrainSource, fit
from codestilts.training.sampling import BatchStream, TaskSampler, task_probabilities

WORDS = ["apple", "river", "stone", "cloud", "green", "table", "music", "paper", "light", "horse", "glass", "train"]


def _synthetic(fmt: Format, n: int, seed: int) -> list:
    """Small learnable tasks, one per format."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        words = rng.sample(WORDS, 4)
        if fmt is CLASSIFICATION:
            label = i % 2
            records.append(ClassificationExample(f"{i}", f"{i}", " ".join(words + ["yes" if label else "no"]), label))
        elif fmt is PAIR_CLASSIFICATION:
            label = i % 2
            records.append(PairExample(f"{i}", f"{i}", words[0], f"{'same' if label else 'other'} {words[1]}", label))
        elif fmt is MULTIPLE_CHOICE:
            label = i % 3
            choices = [("right " if c == label else "") + w for c, w in enumerate(words[1:4])]
            records.append(MultipleChoiceExample(f"{i}", f"{i}", f"pick {words[0]}", tuple(choices), label))
        elif fmt is SPAN_EXTRACTION:
            context = " ".join(words[:2]) + " answer " + words[2] + " " + words[3]
            start = context.index(" answer ") + len(" answer ")
            records.append(SpanExample(f"{i}", f"{i}", "what is the answer?", context, ((start, start + len(words[2])),)))
        elif fmt is TOKEN_TAGGING:
            tokens = [w if rng.random() < 0.5 else str(rng.randint(0, 99)) for w in words]
            records.append(TaggingExample(f"{i}", f"{i}", tuple(tokens), tuple(int(t.isdigit()) for t in tokens)))
        elif fmt is RETRIEVAL:
            records.append(RetrievalItem(f"{i}", f"{i}", " ".join(words), query=f"{words[0]} {words[1]}"))
        else:
            records.append(TextItem(f"{i}", f"{i}", " ".join(words)))
    return records


CHANCE = {
    CLASSIFICATION: ("accuracy", 0.5, 2),
    PAIR_CLASSIFICATION: ("accuracy", 0.5, 2),
    MULTIPLE_CHOICE: ("accuracy", 1 / 3, 0),
    SPAN_EXTRACTION: ("f1", 0.25, 0),
    TOKEN_TAGGING: ("accuracy", 0.6, 2),
    RETRIEVAL: ("acc@1", 1 / 64, 0),
}


def tiny_model(fmt: Format, num_labels: int = 0, seed: int = 0) -> TaskModel:
    """The tiny encoder with one fresh head ``t`` (mean pooling, no dropout), initialised from ``seed``."""
    set_seed(seed)
    return TaskModel(load_encoder("tiny"), {"t": HeadSpec(fmt.name, num_labels, "mean", 0.0)})


def train_head(
    fmt: Format, train: list, cfg: TrainConfig, tmp_path: Path, *, num_labels: int = 0, max_length: int = 32, seed: int = 0
) -> tuple[TaskModel, FitResult]:
    """:func:`tiny_model` trained on ``train``."""
    tokenizer = load_tokenizer("tiny")
    model = tiny_model(fmt, num_labels, seed)
    source = TrainSource("t", fmt, fmt.encode(train, tokenizer, max_length))
    result = fit(
        model, [source], TaskSampler(np.array([1.0]), seed), lambda m: {"score": 0.0}, cfg,
        tokenizer=tokenizer, seed=seed, log_dir=tmp_path / "tb", resume_dir=tmp_path / "resume", label=fmt.name,
    )
    return model, result


@pytest.mark.parametrize("fmt", list(CHANCE))
def test_each_head_learns_above_chance(fmt: Format, tmp_path: Path) -> None:
    metric, chance, num_labels = CHANCE[fmt]
    cfg = TrainConfig(learning_rate=3e-3, batch_size=16, max_steps=60, warmup_ratio=0.0, eval_every=60)
    model, _ = train_head(fmt, _synthetic(fmt, 256, 0), cfg, tmp_path, num_labels=num_labels)
    test = _synthetic(fmt, 64, 1)
    result = evaluate_records(model, "t", fmt, test, load_tokenizer("tiny"), max_length=32, num_labels=num_labels, language="en")
    assert result.metrics[metric] > chance + 0.15, result.metrics
    assert len(result.predictions) == len(test)


def test_mlm_loss_goes_down(tmp_path: Path) -> None:
    cfg = TrainConfig(learning_rate=3e-3, batch_size=16, max_steps=40, warmup_ratio=0.0, eval_every=40)
    _, result = train_head(MLM, _synthetic(MLM, 256, 0), cfg, tmp_path, max_length=16)
    assert np.mean(result.losses[-10:]) < np.mean(result.losses[:5]) - 1.0


@pytest.mark.parametrize(
    ("strategy", "kwargs", "expected"),
    [
        ("uniform", {}, [1 / 3] * 3),
        ("proportional", {}, [0.1, 0.3, 0.6]),
        ("temperature", {"temperature": 2.0}, np.sqrt([100, 300, 600]) / np.sqrt([100, 300, 600]).sum()),
        ("capped", {"cap": 300}, [100 / 700, 300 / 700, 300 / 700]),
    ],
)
def test_sampler_proportions_follow_their_formula(strategy: str, kwargs: dict, expected) -> None:
    probabilities = task_probabilities([100, 300, 600], strategy, **kwargs)
    assert np.allclose(probabilities, expected)
    sampler = TaskSampler(probabilities, seed=3)
    observed = np.bincount([sampler.draw() for _ in range(20000)], minlength=3) / 20000
    assert np.allclose(observed, expected, atol=0.015)


LENGTHS = [int(n) for n in np.random.default_rng(0).integers(4, 200, size=300)]


@pytest.mark.parametrize("lengths", [None, LENGTHS[:10]], ids=["shuffled", "length-grouped"])
def test_batch_stream_resumes_where_it_stopped(lengths) -> None:
    straight = BatchStream(size=10, batch_size=4, seed=1, stream=0, lengths=lengths)
    expected = [straight.next_indices() for _ in range(7)]
    first = BatchStream(size=10, batch_size=4, seed=1, stream=0, lengths=lengths)
    got = [first.next_indices() for _ in range(4)]
    resumed = BatchStream(size=10, batch_size=4, seed=1, stream=0, lengths=lengths)
    resumed.load_state_dict(first.state_dict())
    got += [resumed.next_indices() for _ in range(3)]
    assert got == expected
    assert sorted(sum(expected[:3], [])) == list(range(10))  # one epoch covers every example once


def _epoch(stream: BatchStream) -> list[list[int]]:
    return [stream.next_indices() for _ in range(stream.batches_per_epoch)]


def _padding(batches: list[list[int]], lengths: list[int]) -> int:
    return sum(len(b) * max(lengths[i] for i in b) - sum(lengths[i] for i in b) for b in batches)


def test_length_grouped_batches_pad_less_and_are_seeded() -> None:
    grouped = _epoch(BatchStream(size=300, batch_size=16, seed=0, stream=0, lengths=LENGTHS))
    shuffled = _epoch(BatchStream(size=300, batch_size=16, seed=0, stream=0))
    assert sorted(sum(grouped, [])) == list(range(300))
    assert sorted(map(len, grouped)) == sorted(map(len, shuffled))
    assert _padding(grouped, LENGTHS) < _padding(shuffled, LENGTHS) / 2
    assert max(LENGTHS) in [LENGTHS[i] for i in grouped[0]]  # the longest batch first
    assert _epoch(BatchStream(size=300, batch_size=16, seed=0, stream=0, lengths=LENGTHS)) == grouped
    other_seed = _epoch(BatchStream(size=300, batch_size=16, seed=1, stream=0, lengths=LENGTHS))
    assert other_seed != grouped and sorted(map(sorted, other_seed)) != sorted(map(sorted, grouped))
    longest = [max(LENGTHS[i] for i in b) for b in grouped[1:]]
    assert longest != sorted(longest, reverse=True)  # the other batches come in random order


@pytest.mark.parametrize("fmt", [CLASSIFICATION, MULTIPLE_CHOICE, RETRIEVAL])
def test_grouping_by_feature_length_pads_fewer_tokens(fmt: Format) -> None:
    """Through the real features and collators of a format: fewer padding positions in an epoch."""
    tokenizer = load_tokenizer("tiny")
    rng = random.Random(0)
    field = "context" if fmt is MULTIPLE_CHOICE else "text"
    records = [  # texts of very different lengths
        replace(r, **{field: " ".join(rng.choices(WORDS, k=rng.randint(1, 40)))}) for r in _synthetic(fmt, 96, 0)
    ]
    features = fmt.encode(records, tokenizer, 64)
    collate = fmt.collator(tokenizer)

    def padded(stream: BatchStream) -> int:
        batches = [collate([features[i] for i in b]) for b in _epoch(stream)]
        return sum(int((batch[key] == 0).sum()) for batch in batches for key in batch if key.endswith("attention_mask"))

    lengths = [fmt.length(f) for f in features]
    grouped = padded(BatchStream(len(features), 8, seed=0, stream=0, lengths=lengths))
    assert grouped < padded(BatchStream(len(features), 8, seed=0, stream=0)) / 2


def test_data_parallel_shares_cover_the_global_batch() -> None:
    streams = [BatchStream(size=16, batch_size=8, seed=0, stream=0, rank=r, world=2) for r in range(2)]
    single = BatchStream(size=16, batch_size=8, seed=0, stream=0)
    for _ in range(3):
        assert sorted(streams[0].next_indices() + streams[1].next_indices()) == sorted(single.next_indices())


def test_timing_splits_a_run_into_steps_evaluations_and_checkpoint_phases(tmp_path: Path) -> None:
    """``FitResult.timing`` (a stage's ``metrics.json`` ``timing``) accounts for the run: steps,
    dev evaluations, and the save, seal and swap of each checkpoint, within the run's seconds."""
    scores = iter([0.1, 0.2, 0.3])
    cfg = TrainConfig(learning_rate=1e-3, batch_size=8, max_steps=6, eval_every=2, checkpoint_every=2, warmup_ratio=0.0)
    tokenizer = load_tokenizer("tiny")
    source = TrainSource("t", CLASSIFICATION, CLASSIFICATION.encode(_synthetic(CLASSIFICATION, 32, 0), tokenizer, 16))
    result = fit(
        tiny_model(CLASSIFICATION, 2), [source], TaskSampler(np.array([1.0]), 0), lambda m: {"score": next(scores)}, cfg,
        tokenizer=tokenizer, seed=0, log_dir=tmp_path / "tb", resume_dir=tmp_path / "resume", label="timing",
    )
    assert set(result.timing) == {"train", "dev", "save", "seal", "swap"}
    assert all(seconds > 0 for seconds in result.timing.values())
    assert sum(result.timing.values()) <= result.seconds
