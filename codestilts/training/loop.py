"""The training loop, on Hugging Face Accelerate, readable top to bottom.

AdamW with linear warmup and decay, gradient accumulation and clipping, optional bf16 autocast,
evaluation on the source-language dev split every ``eval_every`` steps, and selection of the best
dev score (with optional early stopping). Target languages are never looked at here.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from transformers import DataCollatorWithPadding, PreTrainedTokenizerBase, get_linear_schedule_with_warmup

from codestilts.config import TrainConfig
from codestilts.models.task_model import TaskModel
from codestilts.progress import log, progress_bar
from codestilts.training.features import Feature

DevScore = Callable[[TaskModel], float]


@dataclass
class FitResult:
    steps: int
    best_step: int
    best_dev_score: float
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def make_accelerator(cfg: TrainConfig) -> Accelerator:
    return Accelerator(
        cpu=not torch.cuda.is_available(),
        mixed_precision="bf16" if cfg.bf16 else "no",
        gradient_accumulation_steps=cfg.gradient_accumulation,
    )


def _optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (no_decay if param.ndim < 2 or "LayerNorm" in name else decay).append(param)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.learning_rate)


def fit(
    model: TaskModel,
    train: Sequence[Feature],
    dev_score: DevScore,
    cfg: TrainConfig,
    *,
    tokenizer: PreTrainedTokenizerBase,
    seed: int,
    log_dir: Path,
    label: str,
) -> FitResult:
    """Train ``model`` in place and leave it holding the weights with the best dev score."""
    set_seed(seed)
    accelerator = make_accelerator(cfg)
    loader = DataLoader(
        list(train),
        batch_size=cfg.batch_size,
        shuffle=True,
        collate_fn=DataCollatorWithPadding(tokenizer),
        generator=torch.Generator().manual_seed(seed),
    )
    updates_per_epoch = math.ceil(len(loader) / cfg.gradient_accumulation)
    total = cfg.max_steps or math.ceil(cfg.epochs * updates_per_epoch)
    eval_every = cfg.eval_every or updates_per_epoch
    optimizer = _optimizer(model, cfg)
    scheduler = get_linear_schedule_with_warmup(optimizer, round(cfg.warmup_ratio * total), total)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)

    writer = SummaryWriter(log_dir=str(log_dir))
    result = FitResult(steps=0, best_step=0, best_dev_score=-math.inf)
    best_state: dict[str, torch.Tensor] | None = None
    stale = 0
    started = time.monotonic()
    running_loss: list[float] = []
    with progress_bar(label, total) as bar:
        while result.steps < total:
            for batch in loader:
                with accelerator.accumulate(model):
                    loss = model(**batch).loss
                    accelerator.backward(loss)
                    if accelerator.sync_gradients:
                        accelerator.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
                running_loss.append(loss.item())
                if not accelerator.sync_gradients:
                    continue
                result.steps += 1
                mean_loss = float(np.mean(running_loss))
                running_loss.clear()
                writer.add_scalar("train/loss", mean_loss, result.steps)
                writer.add_scalar("train/lr", scheduler.get_last_lr()[0], result.steps)
                rate = result.steps / max(time.monotonic() - started, 1e-9)
                bar.update(bar.task_ids[0], advance=1, status=f"loss {mean_loss:.4f} {rate:.2f} step/s")
                if result.steps % eval_every == 0 or result.steps == total:
                    score = dev_score(accelerator.unwrap_model(model))
                    model.train()
                    writer.add_scalar("dev/score", score, result.steps)
                    result.history.append({"step": result.steps, "loss": mean_loss, "dev": score})
                    log.info("%s step %d/%d loss %.4f dev %.4f", label, result.steps, total, mean_loss, score)
                    if score > result.best_dev_score:
                        result.best_dev_score, result.best_step, stale = score, result.steps, 0
                        best_state = copy.deepcopy(accelerator.unwrap_model(model).state_dict())
                    else:
                        stale += 1
                    if cfg.patience is not None and stale >= cfg.patience:
                        log.info("%s: early stop after %d evaluations without improvement", label, stale)
                        total = result.steps
                if result.steps >= total:
                    break
    writer.close()
    unwrapped = accelerator.unwrap_model(model)
    if best_state is not None:
        unwrapped.load_state_dict(best_state)
    result.seconds = time.monotonic() - started
    return result


@torch.no_grad()
def predict_logits(
    model: TaskModel, features: Sequence[Feature], tokenizer: PreTrainedTokenizerBase, batch_size: int = 64
) -> np.ndarray:
    """Logits for each feature, in order, in eval mode."""
    model.eval()
    collate = DataCollatorWithPadding(tokenizer)
    device = next(model.parameters()).device
    out = []
    for start in range(0, len(features), batch_size):
        batch = collate([{k: v for k, v in f.items() if k != "labels"} for f in features[start : start + batch_size]])
        out.append(model(**{k: v.to(device) for k, v in batch.items()}).logits.float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.spec.num_labels))
