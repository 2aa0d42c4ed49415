"""Masked language modelling on unlabelled text (source code): pretraining and continued MLM. Tokens
are masked at random in each batch; the dev score is the masked-token loss under a fixed masking.
A decoder trains on the same records by causal language modelling (:mod:`codestilts.formats.clm`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codestilts.formats.base import IGNORE, Collator, Feature, Format, TaskOutput, batches, model_keys, rows

MLM_PROBABILITY = 0.15
EVAL_SEED = 1234
"""Dev MLM loss masks with this seed, so every evaluation masks the same tokens."""


@dataclass(frozen=True)
class TextItem:
    """Unlabelled text (source code) for masked language modelling."""

    id: str
    group: str
    text: str


class MaskedLM(Format):
    name = "mlm"
    record = TextItem
    roles = frozenset({"pretrain"})
    metric = "loss"

    def texts(self, record: TextItem) -> tuple[str, ...]:
        return (record.text,)

    def as_text(self, family, length_normalised=False):
        """A decoder reads unlabelled text left to right: causal LM on the same records."""
        from codestilts.formats.clm import CLM

        return CLM if family == "decoder" else None

    def encode(self, records: Sequence[TextItem], tokenizer, max_length: int) -> list[Feature]:
        if not records:
            return []
        encoded = tokenizer([r.text for r in records], truncation=True, max_length=max_length, return_special_tokens_mask=True)
        return rows(encoded, len(records))

    def collator(self, tokenizer) -> Collator:
        """Masks tokens at random, from torch's RNG."""
        from transformers import DataCollatorForLanguageModeling

        mask = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MLM_PROBABILITY)
        return lambda features: dict(mask([model_keys(f) for f in features]))

    def head(self, spec, config):
        from codestilts.models.heads import MaskedLMHead

        return MaskedLMHead(config.hidden_size, config.vocab_size, getattr(config, "layer_norm_eps", 1e-12))

    def forward(self, model, head, batch) -> TaskOutput:
        """With labels, vocabulary logits only at the masked positions (``[masked, vocab]``), the
        only ones the loss reads: about a seventh of the head's work; without, at every position."""
        hidden = model.encode(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
        embeddings = model.encoder.get_input_embeddings().weight
        labels = batch.get("labels")
        if labels is None:
            return TaskOutput(logits=head(hidden, embeddings).float())
        masked = labels != IGNORE
        logits = head(hidden[masked], embeddings).float()
        return TaskOutput(logits=logits, loss=head.loss(logits, labels[masked]))

    def loss(self, model, task: str, features: Sequence[Feature], tokenizer, batch_size: int = 64) -> float:
        """Mean masked-token loss of head ``task`` on ``features``, with a fixed masking (the RNG is restored after)."""
        import torch

        with torch.random.fork_rng():
            torch.manual_seed(EVAL_SEED)
            return token_mean_loss(model, task, features, self.collator(tokenizer), batch_size)


def token_mean_loss(model, task: str, features: Sequence[Feature], collate: Collator, batch_size: int) -> float:
    """The loss of head ``task`` over ``features``, each batch weighted by its labelled tokens."""
    import torch

    model.eval()
    device = next(model.parameters()).device
    losses, weights = [], []
    with torch.no_grad():
        for batch in batches(features, collate, batch_size, device):
            labelled = int((batch["labels"] != IGNORE).sum())
            if labelled:
                losses.append(model(task, **batch).loss.item() * labelled)
                weights.append(labelled)
    return float(sum(losses) / max(sum(weights), 1))


MLM = MaskedLM()
