"""What every stage runner gets, and the pieces intermediate and target stages share."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from codestilts.config import TrainConfig
from codestilts.errors import UserError
from codestilts.models.backbone import load_encoder, load_tokenizer
from codestilts.models.task_model import HeadSpec, TaskModel
from codestilts.plan import Stage
from codestilts.store import StageDir, write_json
from codestilts.tasks import Task, get_task, records
from codestilts.tasks.base import Record
from codestilts.training.features import Feature, encode
from codestilts.training.loop import FitResult, fit, predict_logits
from codestilts.training.metrics import classification_metrics

CHECKPOINT = "checkpoint"
SUBSET_SEED = 0
"""Subsets (max_train_examples, max_eval_examples) are the same for every training seed."""


@dataclass(frozen=True)
class StageContext:
    """A stage, its folder, its parents' folders, and where the data lives."""

    stage: Stage
    dir: StageDir
    parents: dict[str, StageDir]
    data_dir: Path | None

    @property
    def params(self) -> dict:
        return self.stage.params

    def task(self) -> Task:
        return get_task(self.params["task"]["name"])

    def parent(self, kind: str) -> StageDir | None:
        found = [d for stage_id, d in self.parents.items() if stage_id.startswith(f"{kind}-")]
        return found[0] if found else None


def starting_encoder(ctx: StageContext) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The intermediate parent's checkpoint, or the base model when there is none (the baseline)."""
    inter = ctx.parent("intermediate")
    if inter is not None:
        path = inter / CHECKPOINT
        return AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    name = ctx.params["model"]["name"]
    return load_encoder(name), load_tokenizer(name)


def subset(items: list[Record], limit: int | None) -> list[Record]:
    """At most ``limit`` records, drawn with a fixed seed (the same subset for every run)."""
    if limit is None or len(items) <= limit:
        return items
    chosen = sorted(random.Random(SUBSET_SEED).sample(range(len(items)), limit))
    return [items[i] for i in chosen]


def task_records(ctx: StageContext, task: Task, language: str, split: str, limit: int | None = None) -> list[Record]:
    found = subset(records(task, ctx.data_dir, language, split), limit)
    if not found:
        raise UserError(f"task {task.name!r} has no {split} records in language {language!r}")
    return found


def score(model: TaskModel, features: list[Feature], tokenizer: PreTrainedTokenizerBase, task: Task) -> tuple[dict[str, float], np.ndarray]:
    """Metrics and predicted labels of ``model`` on ``features``."""
    predictions = predict_logits(model, features, tokenizer).argmax(axis=1)
    labels = np.array([f["labels"] for f in features])
    return classification_metrics(labels, predictions, task.num_labels), predictions


def train_on_task(ctx: StageContext, task: Task, language: str, cfg: TrainConfig) -> tuple[TaskModel, PreTrainedTokenizerBase, FitResult]:
    """Fine-tune the starting encoder with a fresh head on ``task``'s train split in ``language``,
    selecting on that language's dev split."""
    encoder, tokenizer = starting_encoder(ctx)
    max_length = ctx.params["model"]["max_length"]
    train = encode(task_records(ctx, task, language, "train", cfg.max_train_examples), tokenizer, max_length)
    dev = encode(task_records(ctx, task, language, "dev", cfg.max_eval_examples), tokenizer, max_length)
    model = TaskModel(encoder, HeadSpec(kind=task.format.value, num_labels=task.num_labels, pooling=cfg.pooling))

    def dev_score(m: TaskModel) -> float:
        return score(m, dev, tokenizer, task)[0][task.metric]

    result = fit(
        model,
        train,
        dev_score,
        cfg,
        tokenizer=tokenizer,
        seed=ctx.params["seed"],
        log_dir=ctx.dir / "tb",
        label=ctx.stage.id,
    )
    write_json(
        ctx.dir / "metrics.json",
        {
            "language": language,
            "train_examples": len(train),
            "dev_examples": len(dev),
            "steps": result.steps,
            "best_step": result.best_step,
            f"dev_{task.metric}": result.best_dev_score,
            "seconds": round(result.seconds, 1),
            "history": result.history,
        },
    )
    return model, tokenizer, result
