"""A shared encoder with one head per task: what training stages train and evaluate stages load.

One head per task (a multi-task intermediate stage has several), keyed by task name. On disk (a
stage's ``checkpoint/``): ``encoder/`` holds the encoder and tokenizer in Hugging Face format (so an
intermediate checkpoint is a plain model folder any tool can load); ``heads.json`` and
``heads.safetensors`` hold the heads.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoModel, PreTrainedModel, PreTrainedTokenizerBase

from codestilts.models.heads import (
    IGNORE,
    ContrastiveHead,
    MaskedLMHead,
    MultipleChoiceHead,
    Pooling,
    SequenceClassificationHead,
    SpanHead,
    TaggingHead,
)
from codestilts.tasks.base import Format

ENCODER_DIR = "encoder"
HEADS_WEIGHTS = "heads.safetensors"
HEADS_CONFIG = "heads.json"


@dataclass(frozen=True)
class HeadSpec:
    format: str
    num_labels: int = 0
    pooling: Pooling = "cls"
    dropout: float = 0.1


@dataclass
class ModelOutput:
    logits: torch.Tensor
    loss: torch.Tensor | None = None


def build_head(spec: HeadSpec, config) -> nn.Module:
    hidden = config.hidden_size
    match Format(spec.format):
        case Format.CLASSIFICATION | Format.PAIR_CLASSIFICATION:
            return SequenceClassificationHead(hidden, spec.num_labels, spec.pooling, spec.dropout)
        case Format.MULTIPLE_CHOICE:
            return MultipleChoiceHead(hidden, spec.pooling, spec.dropout)
        case Format.SPAN_EXTRACTION:
            return SpanHead(hidden)
        case Format.TOKEN_TAGGING:
            return TaggingHead(hidden, spec.num_labels, spec.dropout)
        case Format.RETRIEVAL:
            return ContrastiveHead("mean")
        case Format.MLM:
            return MaskedLMHead(hidden, config.vocab_size, getattr(config, "layer_norm_eps", 1e-12))
    raise ValueError(f"no head for format {spec.format!r}")


class TaskModel(nn.Module):
    """``model(batch, task=name)`` runs the encoder and that task's head, with the loss when labelled."""

    def __init__(self, encoder: PreTrainedModel, specs: dict[str, HeadSpec]):
        super().__init__()
        self.encoder = encoder
        self.specs = dict(specs)
        self.heads = nn.ModuleDict({name: build_head(spec, encoder.config) for name, spec in specs.items()})

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    def forward(self, task: str, **batch: torch.Tensor) -> ModelOutput:
        head = self.heads[task]
        fmt = Format(self.specs[task].format)
        if fmt is Format.RETRIEVAL:
            queries = head(self.encode(batch["query_input_ids"], batch["query_attention_mask"]), batch["query_attention_mask"])
            documents = head(self.encode(batch["input_ids"], batch["attention_mask"]), batch["attention_mask"])
            return ModelOutput(logits=queries @ documents.T, loss=head.loss(queries, documents))
        shape = batch["input_ids"].shape
        flat = {k: batch[k].flatten(0, 1) if fmt is Format.MULTIPLE_CHOICE else batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch}
        hidden = self.encode(**flat)
        if fmt is Format.MLM:
            return self._masked_lm(head, hidden, batch.get("labels"))
        logits = head(hidden, flat["attention_mask"])
        if fmt is Format.MULTIPLE_CHOICE:
            logits = logits.view(shape[0], shape[1])
        logits = logits.float()
        if fmt is Format.SPAN_EXTRACTION:
            loss = head.loss(logits, batch["start_positions"], batch["end_positions"]) if "start_positions" in batch else None
        else:
            loss = head.loss(logits, batch["labels"]) if "labels" in batch else None
        return ModelOutput(logits=logits, loss=loss)

    def _masked_lm(self, head: nn.Module, hidden: torch.Tensor, labels: torch.Tensor | None) -> ModelOutput:
        """With labels, vocabulary logits only at the masked positions (``[masked, vocab]``), the
        only ones the loss reads: about a seventh of the head's work; without, at every position."""
        embeddings = self.encoder.get_input_embeddings().weight
        if labels is None:
            return ModelOutput(logits=head(hidden, embeddings).float())
        masked = labels != IGNORE
        logits = head(hidden[masked], embeddings).float()
        return ModelOutput(logits=logits, loss=head.loss(logits, labels[masked]))


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
    model = TaskModel(AutoModel.from_pretrained(directory / ENCODER_DIR), specs)
    model.heads.load_state_dict(load_file(directory / HEADS_WEIGHTS))
    return model
