"""The training loop, on Hugging Face Accelerate, readable top to bottom.

One or several tasks (each with its own head on the shared encoder) are trained together: each
optimizer step draws a task from a :class:`TaskSampler` and takes that task's next batch. AdamW with
linear warmup and decay, gradient accumulation and clipping, optional bf16 autocast, evaluation on
the source-language dev split every ``eval_every`` steps and selection of the best dev score (with
optional early stopping). Target languages are never looked at here.

Every ``checkpoint_every`` steps the whole state (model, optimizer, scheduler, batch positions, task
sampler and RNG states, best weights so far) is saved to ``resume_dir``; a killed run started again
with the same arguments continues from there and ends with the same numbers.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.state import AcceleratorState, GradientState
from accelerate.utils import DataLoaderConfiguration, DistributedDataParallelKwargs, set_seed
from safetensors.torch import load_file, save_file
from torch.utils.tensorboard import SummaryWriter
from transformers import PreTrainedTokenizerBase, get_linear_schedule_with_warmup

from codestilts.config import TrainConfig
from codestilts.hardware import use_bf16
from codestilts.models.task_model import TaskModel
from codestilts.progress import log, progress_bar
from codestilts.store import seal
from codestilts.formats import Feature, Format
from codestilts.training.sampling import BatchStream, TaskSampler

DevScore = Callable[[TaskModel], dict[str, float]]
"""Dev metrics of the model; the key ``score`` is what selection maximises."""

BEST_WEIGHTS = "best.safetensors"


@dataclass
class TrainSource:
    """One task's training data: its head name, format and encoded features."""

    name: str
    format: Format
    features: Sequence[Feature]


@dataclass
class FitResult:
    steps: int = 0
    best_step: int = 0
    best_dev_score: float = -math.inf
    stale: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    """Mean training loss of every step (over processes and accumulated micro-batches)."""
    task_steps: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timing: dict[str, float] = field(default_factory=dict)
    """Seconds of this process's run (not checkpointed) by phase: ``train`` (the steps), ``dev``
    (evaluations and keeping the best weights), and per checkpoint phase: ``save`` (writing
    model, optimizer, RNG states and best weights), ``seal`` (checksums) and ``swap``."""


class PhaseClock:
    """Adds up wall-clock seconds per named phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - start


class _LoopState:
    """What Accelerate checkpoints besides model, optimizer and scheduler."""

    def __init__(self, result: FitResult, sampler: TaskSampler, streams: list[BatchStream]):
        self.result, self.sampler, self.streams = result, sampler, streams

    def state_dict(self) -> dict[str, Any]:
        return {
            "result": {k: v for k, v in asdict(self.result).items() if k != "timing"},
            "sampler": self.sampler.state_dict(),
            "streams": [s.state_dict() for s in self.streams],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for key, value in state["result"].items():
            setattr(self.result, key, value)
        self.sampler.load_state_dict(state["sampler"])
        for stream, saved in zip(self.streams, state["streams"], strict=True):
            stream.load_state_dict(saved)


def make_accelerator(cfg: TrainConfig) -> Accelerator:
    """A fresh Accelerator per stage: stages of one run may differ in precision or accumulation."""
    AcceleratorState._reset_state(reset_partial_state=False)
    GradientState._reset_state()
    return Accelerator(
        cpu=not torch.cuda.is_available(),
        mixed_precision="bf16" if use_bf16(cfg.bf16) else "no",
        gradient_accumulation_steps=cfg.gradient_accumulation,
        # batch_size is global and BatchStream splits it over processes; without this, Accelerate
        # steps the LR schedule once per process at every optimizer step (it assumes per-process batches)
        dataloader_config=DataLoaderConfiguration(split_batches=True),
        # heads of tasks not drawn in a step, and the encoder's unused pooler, get no gradient
        kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)],
    )


def _optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:  # a LoRA stage's frozen weights
            continue
        (no_decay if param.ndim < 2 or "norm" in name.lower() else decay).append(param)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    # fused: one vectorised kernel per step instead of a dozen passes over every tensor (Trainer's default too)
    return torch.optim.AdamW(groups, lr=cfg.learning_rate, fused=True)


def planned_steps(sources: Sequence[TrainSource], cfg: TrainConfig) -> tuple[int, int]:
    """(total optimizer steps, steps per epoch); an epoch is one pass over every task's data."""
    batches = sum(max(1, -(-len(s.features) // cfg.batch_size)) for s in sources)
    per_epoch = max(1, math.ceil(batches / cfg.gradient_accumulation))
    return cfg.max_steps or math.ceil(cfg.epochs * per_epoch), per_epoch


def _save_checkpoint(
    accelerator: Accelerator, resume_dir: Path, best_state: dict[str, torch.Tensor] | None, clock: PhaseClock
) -> None:
    """Write the checkpoint next to the old one, seal it, then swap: a kill mid-write loses nothing."""
    fresh = resume_dir.with_name(resume_dir.name + ".new")
    with clock("save"):
        if accelerator.is_main_process and fresh.exists():
            shutil.rmtree(fresh)
        accelerator.wait_for_everyone()
        accelerator.save_state(str(fresh))
        accelerator.wait_for_everyone()  # every process's files are written before the seal
        if accelerator.is_main_process and best_state is not None:
            save_file({k: v.contiguous() for k, v in best_state.items()}, fresh / BEST_WEIGHTS)
    if accelerator.is_main_process:
        with clock("seal"):
            seal(fresh)  # a restarted stage resumes only from a checkpoint whose files match this
        with clock("swap"):
            old = resume_dir.with_name(resume_dir.name + ".old")
            if resume_dir.exists():
                resume_dir.rename(old)
            fresh.rename(resume_dir)
            if old.exists():
                shutil.rmtree(old)
    accelerator.wait_for_everyone()


def _step(
    accelerator: Accelerator,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    task: str,
    batches: Iterable[dict[str, torch.Tensor]],
    max_grad_norm: float,
) -> float:
    """One optimizer step of ``task`` over its micro-batches (gradient accumulation); the mean loss
    (over micro-batches and processes)."""
    losses = []
    for batch in batches:
        with accelerator.accumulate(model):
            loss = model(task, **{k: v.to(accelerator.device) for k, v in batch.items()}).loss
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
        losses.append(accelerator.reduce(loss.detach(), reduction="mean").item())
    return float(np.mean(losses))


def fit(
    model: TaskModel,
    sources: Sequence[TrainSource],
    sampler: TaskSampler,
    dev_score: DevScore,
    cfg: TrainConfig,
    *,
    tokenizer: PreTrainedTokenizerBase,
    seed: int,
    log_dir: Path,
    resume_dir: Path,
    label: str,
) -> FitResult:
    """Train ``model`` in place and leave it holding the weights with the best dev score."""
    set_seed(seed)
    accelerator = make_accelerator(cfg)
    total, per_epoch = planned_steps(sources, cfg)
    eval_every = cfg.eval_every or per_epoch
    checkpoint_every = cfg.checkpoint_every or eval_every
    streams = [
        BatchStream(
            len(s.features), cfg.batch_size, seed, i, accelerator.process_index, accelerator.num_processes,
            lengths=[s.format.length(f) for f in s.features] if cfg.group_by_length else None,
        )
        for i, s in enumerate(sources)
    ]
    collate = [s.format.collator(tokenizer) for s in sources]
    optimizer = _optimizer(model, cfg)
    scheduler = get_linear_schedule_with_warmup(optimizer, round(cfg.warmup_ratio * total), total)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    result = FitResult(task_steps={s.name: 0 for s in sources})
    accelerator.register_for_checkpointing(_LoopState(result, sampler, streams))
    best_state: dict[str, torch.Tensor] | None = None
    if resume_dir.is_dir():
        accelerator.load_state(str(resume_dir))
        if (resume_dir / BEST_WEIGHTS).is_file():
            best_state = load_file(resume_dir / BEST_WEIGHTS)
        log.info("%s: resumed at step %d of %d", label, result.steps, total)

    writer = SummaryWriter(log_dir=str(log_dir)) if accelerator.is_main_process else None
    started, done_before = time.monotonic(), result.steps
    clock = PhaseClock()
    model.train()
    with progress_bar(label, total) as bar:
        bar.update(completed=result.steps)
        while result.steps < total:
            with clock("train"):
                chosen = sampler.draw()
                source, stream = sources[chosen], streams[chosen]
                # lazily: each micro-batch is drawn and collated (MLM masking uses torch's RNG) just before its step
                batches = (collate[chosen]([source.features[i] for i in stream.next_indices()]) for _ in range(cfg.gradient_accumulation))
                mean_loss = _step(accelerator, model, optimizer, scheduler, source.name, batches, cfg.max_grad_norm)
                result.steps += 1
                result.task_steps[source.name] += 1
                result.losses.append(round(mean_loss, 6))
                if writer:
                    writer.add_scalar("train/loss", mean_loss, result.steps)
                    writer.add_scalar(f"train/loss/{source.name}", mean_loss, result.steps)
                    writer.add_scalar("train/lr", scheduler.get_last_lr()[0], result.steps)
            rate = (result.steps - done_before) / max(time.monotonic() - started, 1e-9)
            bar.update(completed=result.steps, status=f"loss {mean_loss:.4f} {rate:.2f} step/s")
            if result.steps % eval_every == 0 or result.steps == total:
                with clock("dev"):
                    scores = dev_score(accelerator.unwrap_model(model))
                    model.train()
                    if writer:
                        for name, value in scores.items():
                            writer.add_scalar(f"dev/{name}", value, result.steps)
                    result.history.append({"step": result.steps, "loss": mean_loss} | scores)
                    log.info("%s step %d/%d loss %.4f dev %.4f", label, result.steps, total, mean_loss, scores["score"])
                    if scores["score"] > result.best_dev_score:
                        result.best_dev_score, result.best_step, result.stale = scores["score"], result.steps, 0
                        best_state = {k: v.detach().clone() for k, v in accelerator.unwrap_model(model).state_dict().items()}
                    else:
                        result.stale += 1
                if cfg.patience is not None and result.stale >= cfg.patience:
                    log.info("%s: early stop after %d evaluations without improvement", label, result.stale)
                    break
            if result.steps % checkpoint_every == 0 and result.steps < total:
                _save_checkpoint(accelerator, resume_dir, best_state, clock)
    if writer:
        writer.close()
    unwrapped = accelerator.unwrap_model(model)
    if best_state is not None:
        unwrapped.load_state_dict(best_state)
    result.seconds = time.monotonic() - started
    result.timing = {phase: round(seconds, 3) for phase, seconds in clock.seconds.items()}
    accelerator.wait_for_everyone()
    if accelerator.is_main_process and resume_dir.exists():
        shutil.rmtree(resume_dir)
    accelerator.free_memory()
    return result
