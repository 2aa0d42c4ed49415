"""An encoder with one task head: what target stages train and evaluate stages load.

On disk (a stage's ``checkpoint/``): ``encoder/`` holds the encoder and tokenizer in Hugging Face
format (so an intermediate checkpoint is a plain model folder any tool can load), ``head.safetensors``
and ``head.json`` hold the head.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoModel, PreTrainedModel, PreTrainedTokenizerBase

from codestilts.models.heads import Pooling, SequenceClassificationHead

ENCODER_DIR = "encoder"
HEAD_WEIGHTS = "head.safetensors"
HEAD_CONFIG = "head.json"


@dataclass(frozen=True)
class HeadSpec:
    kind: str
    num_labels: int
    pooling: Pooling


@dataclass
class ModelOutput:
    logits: torch.Tensor
    loss: torch.Tensor | None = None


class TaskModel(nn.Module):
    def __init__(self, encoder: PreTrainedModel, spec: HeadSpec):
        super().__init__()
        self.encoder = encoder
        self.spec = spec
        self.head = SequenceClassificationHead(encoder.config.hidden_size, spec.num_labels, spec.pooling)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ) -> ModelOutput:
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        logits = self.head(hidden, attention_mask).float()
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return ModelOutput(logits=logits, loss=loss)


def save_encoder(encoder: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, directory: Path) -> None:
    encoder.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


def save_task_model(model: TaskModel, tokenizer: PreTrainedTokenizerBase, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    save_encoder(model.encoder, tokenizer, directory / ENCODER_DIR)
    save_file({k: v.contiguous() for k, v in model.head.state_dict().items()}, directory / HEAD_WEIGHTS)
    (directory / HEAD_CONFIG).write_text(json.dumps(asdict(model.spec)))


def load_task_model(directory: Path) -> TaskModel:
    spec = HeadSpec(**json.loads((directory / HEAD_CONFIG).read_text()))
    model = TaskModel(AutoModel.from_pretrained(directory / ENCODER_DIR), spec)
    model.head.load_state_dict(load_file(directory / HEAD_WEIGHTS))
    return model
