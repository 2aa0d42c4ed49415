"""A shared encoder with one head per task: what training stages train and evaluate stages load.

One head per task (a multi-task intermediate stage has several), keyed by task name; each task's
format decides its head and its forward pass. The "encoder" is the model of any family: for a
decoder or seq2seq model it is the whole language model, and a task's format is the one its
format takes for that family (:meth:`codestilts.formats.Format.as_text`: text to text, no head of
its own). On disk (a stage's ``checkpoint/``): ``encoder/``
holds the encoder and tokenizer in Hugging Face format (so an intermediate checkpoint is a plain
model folder any tool can load); ``heads.json`` and ``heads.safetensors`` hold the heads.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from codestilts.formats import Format, TaskOutput, get_format
from codestilts.formats.text import Family
from codestilts.models.backbone import load_encoder
from codestilts.models.heads import Pooling

ENCODER_DIR = "encoder"
HEADS_WEIGHTS = "heads.safetensors"
HEADS_CONFIG = "heads.json"


@dataclass(frozen=True)
class HeadSpec:
    """A task's head: its format (by name) and the settings the format's head reads."""

    format: str
    num_labels: int = 0
    pooling: Pooling = "cls"
    dropout: float = 0.1
    family: Family = "encoder"
    length_normalised: bool = False
    """Decoder and seq2seq: a choice's score is its mean token log-likelihood, not the sum."""


def head_format(spec: HeadSpec) -> Format:
    """The format a head trains and scores with: the task's, or for a decoder or seq2seq model its
    text-to-text form (the planner has refused the tasks that have none)."""
    fmt = get_format(spec.format)
    return fmt if spec.family == "encoder" else fmt.as_text(spec.family, spec.length_normalised)


class TaskModel(nn.Module):
    """``model(task, **batch)`` runs the encoder and that task's head (the head and the forward pass
    of its format, :meth:`codestilts.formats.Format.forward`), with the loss when labelled."""

    def __init__(self, encoder: PreTrainedModel, specs: dict[str, HeadSpec]):
        super().__init__()
        self.encoder = encoder
        self.specs = dict(specs)
        self.formats = {name: head_format(spec) for name, spec in specs.items()}
        self.heads = nn.ModuleDict({name: self.formats[name].head(spec, encoder.config) for name, spec in specs.items()})

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    def forward(self, task: str, **batch: torch.Tensor) -> TaskOutput:
        return self.formats[task].forward(self, self.heads[task], batch)


def save_encoder(encoder: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, directory: Path) -> None:
    encoder.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


def save_task_model(model: TaskModel, tokenizer: PreTrainedTokenizerBase, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    save_encoder(model.encoder, tokenizer, directory / ENCODER_DIR)
    save_file({k: v.contiguous() for k, v in model.heads.state_dict().items()}, directory / HEADS_WEIGHTS)
    (directory / HEADS_CONFIG).write_text(json.dumps({name: asdict(spec) for name, spec in model.specs.items()}))


def load_task_model(directory: Path) -> TaskModel:
    specs = {name: HeadSpec(**spec) for name, spec in json.loads((directory / HEADS_CONFIG).read_text()).items()}
    family = next(iter(specs.values())).family
    model = TaskModel(load_encoder(directory / ENCODER_DIR, family=family), specs)
    model.heads.load_state_dict(load_file(directory / HEADS_WEIGHTS))
    return model
