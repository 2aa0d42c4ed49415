"""Pretrain stage: a small model trained from scratch on unlabelled code, with its own byte-level BPE
code tokenizer: a BERT-style encoder by masked language modelling, or (``model.family: decoder``) a
GPT-2-style decoder by causal language modelling. Its checkpoint is the base model of every other stage."""

from __future__ import annotations

from pathlib import Path

import torch
from accelerate.utils import set_seed

from codestilts.config import PretrainConfig, TrainConfig
from codestilts.errors import UserError
from codestilts.models.backbone import AUTO_CLASSES, scratch_config
from codestilts.models.code_tokenizer import train_code_tokenizer
from codestilts.models.task_model import HeadSpec, TaskModel, save_encoder
from codestilts.progress import log
from codestilts.stages.common import (
    CHECKPOINT,
    RESUME,
    StageContext,
    subset,
    task_records,
)
from codestilts.store import write_json
from codestilts.formats import MLM, TextItem
from codestilts.tasks import TASKS
from codestilts.training.loop import TrainSource, fit
from codestilts.training.sampling import TaskSampler

DEV_SHARE = 10
"""Every DEV_SHARE-th file of a source folder goes to the dev split."""


def source_files(directory: Path, extensions: list[str]) -> list[TextItem]:
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in extensions)
    items = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if text.strip():
            name = str(path.relative_to(directory))
            items.append(TextItem(id=name, group=name, text=text))
    if not items:
        raise UserError(f"no readable source files with extensions {', '.join(extensions)} under {directory}")
    return items


def unlabelled_code(ctx: StageContext, cfg: PretrainConfig) -> tuple[list[TextItem], list[TextItem]]:
    """(train, dev) texts: a folder of source files, or an MLM task's train/dev splits."""
    if cfg.directory:
        items = source_files(Path(cfg.directory), cfg.extensions)
        return [t for i, t in enumerate(items) if i % DEV_SHARE], [t for i, t in enumerate(items) if not i % DEV_SHARE]
    task = TASKS.get(cfg.task)
    languages = cfg.languages or list(task.languages)
    train = [r for lang in languages for r in task_records(ctx, task, lang, "train")]
    dev = [r for lang in languages for r in task_records(ctx, task, lang, "dev")]
    return train, dev


def run_pretrain(ctx: StageContext) -> None:
    params = ctx.params["pretrain"]
    cfg = PretrainConfig(**params | {"training": TrainConfig(**params["training"])})
    max_length = ctx.params["model"]["max_length"]
    set_seed(cfg.seed)
    train_items, dev_items = unlabelled_code(ctx, cfg)
    family = ctx.family
    tokenizer = train_code_tokenizer((t.text for t in train_items), cfg.vocab_size, max_length, family)
    config = scratch_config(cfg.architecture, family, max_length, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id or 0)
    encoder = AUTO_CLASSES[family].from_config(config)
    model = TaskModel(encoder, {"mlm": HeadSpec(MLM.name, family=family)})
    objective = model.formats["mlm"]  # MLM for an encoder, causal LM for a decoder
    train = objective.encode(subset(train_items, cfg.training.max_train_examples), tokenizer, max_length)
    dev = objective.encode(subset(dev_items, cfg.training.max_eval_examples), tokenizer, max_length)

    def dev_score(m: TaskModel) -> dict[str, float]:
        loss = objective.loss(m, "mlm", dev, tokenizer)
        return {f"{objective.name}/loss": loss, f"{objective.name}/perplexity": float(torch.exp(torch.tensor(loss))), "score": -loss}

    result = fit(
        model,
        [TrainSource("mlm", objective, train)],
        TaskSampler(torch.ones(1).numpy(), cfg.seed),
        dev_score,
        cfg.training,
        tokenizer=tokenizer,
        seed=cfg.seed,
        log_dir=ctx.dir / "tb",
        resume_dir=ctx.dir / RESUME,
        label=ctx.stage.id,
    )
    if ctx.is_main:
        save_encoder(model.encoder, tokenizer, ctx.dir / CHECKPOINT)
        write_json(
            ctx.dir / "metrics.json",
            {
                "vocab_size": len(tokenizer),
                "parameters": sum(p.numel() for p in encoder.parameters()),
                "train_texts": len(train),
                "dev_texts": len(dev),
                "steps": result.steps,
                "best_step": result.best_step,
                f"dev_{objective.name}_loss": -result.best_dev_score,
                "history": result.history,
                "train_loss": result.losses,
                "seconds": round(result.seconds, 1),
                "timing": result.timing,
            },
        )
        log.info("%s: %d parameters, dev %s loss %.3f", ctx.stage.id, sum(p.numel() for p in encoder.parameters()), objective.name, -result.best_dev_score)
