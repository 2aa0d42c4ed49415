"""Causal language modelling on unlabelled text (source code): a decoder's pretraining and its
continued LM, on the records of an MLM task (:class:`~codestilts.formats.mlm.TextItem`). The dev
score is the mean next-token loss."""

from __future__ import annotations

from collections.abc import Sequence

from codestilts.formats.base import Collator, Feature, TaskOutput, model_keys
from codestilts.formats.mlm import MaskedLM, token_mean_loss


class CausalLM(MaskedLM):
    """Every token predicted from those before it; the language model's own output layer, no head."""

    name = "clm"

    def as_text(self, family, length_normalised=False):
        return self if family == "decoder" else None

    def collator(self, tokenizer) -> Collator:
        """Labels are the inputs (the model shifts them), IGNORE at padding."""
        from transformers import DataCollatorForLanguageModeling

        shift = DataCollatorForLanguageModeling(tokenizer, mlm=False)
        return lambda features: dict(shift([model_keys(f) for f in features]))

    def head(self, spec, config):
        from torch import nn

        return nn.Module()

    def forward(self, model, head, batch) -> TaskOutput:
        out = model.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch.get("labels"))
        return TaskOutput(logits=out.logits.float(), loss=out.loss)

    def loss(self, model, task: str, features: Sequence[Feature], tokenizer, batch_size: int = 64) -> float:
        """Mean next-token loss of ``model`` on ``features``."""
        return token_mean_loss(model, task, features, self.collator(tokenizer), batch_size)


CLM = CausalLM()
