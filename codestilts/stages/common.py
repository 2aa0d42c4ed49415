"""What every stage runner gets, and the training job that intermediate and target stages share."""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from accelerate.utils import set_seed
from transformers import (
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from codestilts.config import TrainConfig
from codestilts.errors import UserError
from codestilts.hardware import use_bf16
from codestilts.formats.text import Family
from codestilts.models.backbone import for_family, load_encoder, load_tokenizer
from codestilts.models.lora import merged, with_lora
from codestilts.models.task_model import HeadSpec, TaskModel
from codestilts.parallel import process_state
from codestilts.plan import Stage
from codestilts.store import CHECKPOINT, StageDir, write_json
from codestilts.tasks import TASKS, Task, records
from codestilts.formats import Record
from codestilts.tasks.overlap import without_dropped
from codestilts.training.evaluation import evaluate_records
from codestilts.training.cache import encode_cached
from codestilts.training.loop import FitResult, TrainSource, fit
from codestilts.training.sampling import TaskSampler, mix_in, task_probabilities

RESUME = "resume"
SUBSET_SEED = 0
"""Subsets (max_train_examples, max_eval_examples) are the same for every training seed."""
T = TypeVar("T")


@dataclass(frozen=True)
class StageContext:
    """A stage, its folder, its parents' folders (by their stage kind), and where the data lives."""

    stage: Stage
    dir: StageDir
    parents: dict[str, StageDir]
    data_dir: Path | None

    @property
    def params(self) -> dict:
        return self.stage.params

    def task(self) -> Task:
        return TASKS.task_for(self.params["task"])

    @property
    def is_main(self) -> bool:
        """False in the other processes of a data-parallel run: they train but write nothing."""
        return process_state().is_main_process

    def parent(self, kind: str) -> StageDir | None:
        """The folder of the parent stage of ``kind`` (a stage has at most one of each kind)."""
        return self.parents.get(kind)

    @property
    def family(self) -> Family:
        """The model's family (an encoder's stage parameters name none)."""
        return self.params["model"].get("family", "encoder")


def starting_encoder(ctx: StageContext) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The intermediate parent's checkpoint, or the base model when there is none (the baseline):
    a pretrain parent's checkpoint, or the named pretrained model; loaded as the model's family."""
    parent = ctx.parent("intermediate") or ctx.parent("pretrain")
    dropout = ctx.params["model"].get("dropout")
    if parent is not None:
        path = parent / CHECKPOINT
        return load_encoder(path, dropout, ctx.family), for_family(AutoTokenizer.from_pretrained(path), ctx.family)
    name = ctx.params["model"]["name"]
    return load_encoder(name, dropout, ctx.family), for_family(load_tokenizer(name), ctx.family)


def subset(items: list[T], limit: int | None) -> list[T]:
    """At most ``limit`` items, drawn with a fixed seed (the same subset for every run)."""
    if limit is None or len(items) <= limit:
        return items
    chosen = sorted(random.Random(SUBSET_SEED).sample(range(len(items)), limit))
    return [items[i] for i in chosen]


def task_records(ctx: StageContext, task: Task, language: str, split: str, limit: int | None = None) -> list[Record]:
    """A split's records, less those the plan found sharing a text with a test record (the stage's
    ``dropped`` parameter), then at most ``limit`` of them."""
    dropped = ctx.params.get("dropped", {}).get(task.name, {}).get(language, {}).get(split, [])
    kept = without_dropped(records(task, ctx.data_dir, language, split), dropped, where=f"{ctx.stage.id}: {task.name}/{language}/{split}")
    found = subset(kept, limit)
    if not found:
        raise UserError(f"task {task.name!r} has no {split} records in language {language!r}")
    return found


def test_problems(ctx: StageContext, task: Task, language: str) -> list[Record]:
    """A language's test records, those of at most the stage's ``max_problems`` problems (groups) of
    each benchmark (a group's part before its slash: ``mbpp/12``, ``humaneval/3``): the problems whose
    group hashes first, so that every language keeps the problems it has of the same chosen set, and
    a problem keeps all its records (a buggy and a fixed version, every token of a program)."""
    found = task_records(ctx, task, language, "test")
    limit = ctx.params.get("max_problems")
    if limit is None:
        return found
    chosen: dict[str, set[str]] = defaultdict(set)
    for group in sorted({r.group for r in found}, key=lambda g: hashlib.sha256(g.encode()).hexdigest()):
        benchmark = chosen[group.partition("/")[0]]
        if len(benchmark) < limit:
            benchmark.add(group)
    kept = set().union(*chosen.values())
    return [r for r in found if r.group in kept]


@dataclass(frozen=True)
class TrainingTask:
    """A task of a training stage: the languages whose train splits it uses, and the dev language."""

    task: Task
    train_languages: tuple[str, ...]
    dev_language: str


def _train_records(ctx: StageContext, job: TrainingTask, limit: int | None) -> list[tuple[str, Record]]:
    """The train records of every train language of ``job``, each with its language, then
    subsampled to ``limit`` over all of them together."""
    pooled = [(lang, r) for lang in job.train_languages for r in task_records(ctx, job.task, lang, "train")]
    return subset(pooled, limit)


@dataclass(frozen=True)
class Sampling:
    strategy: str = "proportional"
    temperature: float = 2.0
    cap: int | None = None
    extra_rates: dict[str, float] = field(default_factory=dict)
    """Sources mixed in at a fixed share of steps (continued MLM), by name."""


def train(
    ctx: StageContext,
    jobs: list[TrainingTask],
    cfg: TrainConfig,
    *,
    sampling: Sampling = Sampling(),
    extra: list[TrainingTask] = (),
) -> tuple[TaskModel, PreTrainedTokenizerBase, FitResult]:
    """Fine-tune the starting encoder with a fresh head per task, selecting on the dev splits; with
    ``cfg.lora``, LoRA adapters instead of the model's weights (merged into them at the end).

    ``extra`` tasks (MLM on unlabelled code) are trained but not used for selection. A task's records
    are read as its head's format reads them (:meth:`codestilts.formats.Format.prepare`: as text for
    a decoder or seq2seq model).
    """
    set_seed(ctx.params["seed"])  # fresh heads start from the same weights for the same seed
    encoder, tokenizer = starting_encoder(ctx)
    max_length = ctx.params["model"]["max_length"]
    everything = [*jobs, *extra]
    dropout = ctx.params["model"].get("dropout")
    normalised = ctx.params["model"].get("length_normalised", False)
    specs = {
        j.task.name: HeadSpec(j.task.format.name, j.task.num_labels, cfg.pooling, 0.1 if dropout is None else dropout, ctx.family, normalised)
        for j in everything
    }
    model = TaskModel(with_lora(encoder, cfg.lora) if cfg.lora else encoder, specs)
    fmt = model.formats

    def read(job: TrainingTask, records: list[Record]) -> list[Record]:
        return fmt[job.task.name].prepare(records, job.task.labels, job.task.template)

    train_drawn = {j.task.name: _train_records(ctx, j, cfg.max_train_examples) for j in everything}
    train_records = {j.task.name: read(j, [r for _, r in train_drawn[j.task.name]]) for j in everything}
    dev = {j.task.name: read(j, task_records(ctx, j.task, j.dev_language, "dev", cfg.max_eval_examples)) for j in jobs}
    with process_state().main_process_first():  # the main process fills the features cache, the others read it
        sources = [
            TrainSource(
                j.task.name,
                fmt[j.task.name],
                encode_cached(fmt[j.task.name], train_records[j.task.name], tokenizer, max_length, name=f"{j.task.name}/{'+'.join(j.train_languages)}/train"),
            )
            for j in everything
        ]
        dev_features = {
            j.task.name: encode_cached(fmt[j.task.name], dev[j.task.name], tokenizer, max_length, name=f"{j.task.name}/{j.dev_language}/dev")
            for j in jobs
        }

    def dev_score(m: TaskModel) -> dict[str, float]:
        scores = {}
        for job in jobs:
            result = evaluate_records(
                m, job.task.name, fmt[job.task.name], dev[job.task.name], tokenizer,
                max_length=max_length, num_labels=job.task.num_labels, language=job.dev_language,
                features=dev_features[job.task.name], bf16=use_bf16(cfg.bf16),
            )
            metric = fmt[job.task.name].dev_metric(job.task.metric)
            scores[f"{job.task.name}/{metric}"] = result.metrics[metric]
        return scores | {"score": float(np.mean(list(scores.values())))}

    probabilities = task_probabilities(
        [len(s.features) for s in sources[: len(jobs)]], sampling.strategy, temperature=sampling.temperature, cap=sampling.cap
    )
    probabilities = mix_in(probabilities, [sampling.extra_rates[j.task.name] for j in extra])
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    result = fit(
        model,
        sources,
        TaskSampler(probabilities, ctx.params["seed"]),
        dev_score,
        cfg,
        tokenizer=tokenizer,
        seed=ctx.params["seed"],
        log_dir=ctx.dir / "tb",
        resume_dir=ctx.dir / RESUME,
        label=ctx.stage.id,
    )
    summary: dict[str, Any] = {
        "train_examples": {s.name: len(s.features) for s in sources},
        "train_languages": {name: dict(Counter(lang for lang, _ in drawn)) for name, drawn in train_drawn.items()},
        "dev_examples": {name: len(items) for name, items in dev.items()},
        "sampling": dict(zip([s.name for s in sources], probabilities.round(6).tolist(), strict=True)),
        "trainable_parameters": trainable,
        "steps": result.steps,
        "task_steps": result.task_steps,
        "best_step": result.best_step,
        "dev_score": result.best_dev_score,
        "seconds": round(result.seconds, 1),
        "timing": result.timing,
        "history": result.history,
        "train_loss": result.losses,
    }
    if ctx.is_main:
        write_json(ctx.dir / "metrics.json", summary)
    model.encoder = merged(model.encoder)
    return model, tokenizer, result

