"""The two training stages: intermediate (keeps the encoder only) and target (keeps encoder + head)."""

from __future__ import annotations

from codestilts.config import TrainConfig
from codestilts.models.task_model import save_encoder, save_task_model
from codestilts.progress import log
from codestilts.stages.common import CHECKPOINT, StageContext, train_on_task
from codestilts.training.loop import FitResult


def _report(ctx: StageContext, result: FitResult) -> None:
    log.info(
        "%s: %d steps in %.0fs, best dev %.4f at step %d",
        ctx.stage.id,
        result.steps,
        result.seconds,
        result.best_dev_score,
        result.best_step,
    )


def run_intermediate(ctx: StageContext) -> None:
    """Train on the intermediate task in its own language; save the encoder, drop the head."""
    task = ctx.task()
    model, tokenizer, result = train_on_task(ctx, task, task.source_language, TrainConfig(**ctx.params["train"]))
    save_encoder(model.encoder, tokenizer, ctx.dir / CHECKPOINT)
    _report(ctx, result)


def run_target(ctx: StageContext) -> None:
    """Fine-tune on the target task in the source language, selected on its dev split."""
    cfg = TrainConfig(**ctx.params["train"])
    model, tokenizer, result = train_on_task(ctx, ctx.task(), ctx.params["source_language"], cfg)
    save_task_model(model, tokenizer, ctx.dir / CHECKPOINT)
    _report(ctx, result)
