"""The two training stages: intermediate (keeps the encoder only) and target (keeps encoder + heads)."""

from __future__ import annotations

from codestilts.config import TrainConfig
from codestilts.models.task_model import save_encoder, save_task_model
from codestilts.progress import log
from codestilts.stages.common import (
    CHECKPOINT,
    Sampling,
    StageContext,
    TrainingTask,
    train,
)
from codestilts.tasks import TASKS, records
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
    """Train on the intermediate task(s), each selected on its own source-language dev split; save
    the encoder, drop the heads. With ``translate_train`` a task trains on every language that has
    training records (nl2code-mbpp-gen has none in the languages MBXP gives no solutions); with
    ``mlm`` a share of the steps is masked language modelling on unlabelled code."""
    params = ctx.params
    jobs = []
    for identity in params["tasks"]:
        task = TASKS.task_for(identity)
        languages = (
            tuple(lang for lang in task.languages if records(task, ctx.data_dir, lang, "train"))
            if params["translate_train"] else (task.source_language,)
        )
        jobs.append(TrainingTask(task, tuple(languages), task.source_language))
    extra, rates = [], {}
    if params["mlm"]:
        mlm = TASKS.task_for(params["mlm"]["task"])
        extra.append(TrainingTask(mlm, tuple(params["mlm"]["languages"]), ""))
        rates[mlm.name] = params["mlm"]["rate"]
    sampling = Sampling(**params["sampling"], extra_rates=rates)
    model, tokenizer, result = train(ctx, jobs, TrainConfig(**params["train"]), sampling=sampling, extra=extra)
    if ctx.is_main:
        save_encoder(model.encoder, tokenizer, ctx.dir / CHECKPOINT)
        _report(ctx, result)


def run_target(ctx: StageContext) -> None:
    """Fine-tune on the target task in the source language, selected on its dev split."""
    source = ctx.params["source_language"]
    model, tokenizer, result = train(ctx, [TrainingTask(ctx.task(), (source,), source)], TrainConfig(**ctx.params["train"]))
    if ctx.is_main:
        save_task_model(model, tokenizer, ctx.dir / CHECKPOINT)
        _report(ctx, result)
