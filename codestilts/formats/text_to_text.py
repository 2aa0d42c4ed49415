"""Text to text: how decoders and encoder-decoders (seq2seq) are trained and scored on a labelled format.

A record is rendered as a prompt and candidate continuations (a classification task's label names,
a multiple-choice record's choices) by a :class:`~codestilts.formats.text.Template` (Jinja over the
record's fields), into a :class:`~codestilts.formats.text.ChoiceText`. :class:`TextToText` scores
every candidate by the log-likelihood of its tokens after the prompt (optionally divided by its
token count: length-normalised) and predicts the best one; training is the language-modelling loss on the correct continuation alone. Evaluation,
metrics and per-example scores are those of the labelled format it renders, so a decoder's
predictions and report rows read as an encoder's do.
"""

from __future__ import annotations

from collections.abc import Sequence

from codestilts.formats.base import IGNORE, Collator, Feature, TaskOutput
from codestilts.formats.classification import LabelFormat
from codestilts.formats.text import ChoiceText, Family, Template, render


class TextToText(LabelFormat):
    """A labelled format scored as text by a decoder or seq2seq model (see the module's docstring).

    Its records are :class:`ChoiceText`; ``base`` (the format rendered) gives the metrics and the
    per-example scores; evaluation is :class:`LabelFormat`'s (the best-scored choice is the prediction).
    """

    record = ChoiceText
    roles = frozenset()
    ends_text = False
    """Each continuation ends with the end-of-text token (generation: the model learns to stop)."""

    def __init__(self, base: LabelFormat, family: Family, length_normalised: bool = False):
        self.base, self.family, self.length_normalised = base, family, length_normalised
        self.name = f"text-to-text/{family}"
        """Features depend on the family alone (the features cache keys on this name)."""
        self.metric = base.metric

    def texts(self, record: ChoiceText) -> tuple[str, ...]:
        return (record.prompt, "\n".join(record.choices))

    def prepare(self, records, labels, template: Template | None = None) -> list[ChoiceText]:
        """The base format's records rendered as text, by ``template`` or the base format's own."""
        template = template or self.base.text_template
        return [render(r, self.base.candidates(r, tuple(labels)), template) for r in records]

    # --- features and batches ---------------------------------------------------------------

    def encode(self, records: Sequence[ChoiceText], tokenizer, max_length: int) -> list[Feature]:
        """Per record, per choice: ``input_ids`` and ``targets`` (the continuation's ids where the loss
        and the score read them, IGNORE elsewhere). A decoder reads prompt then continuation in one
        sequence (targets aligned with it); seq2seq reads the prompt in the encoder and the
        continuation as decoder labels. A prompt too long loses its start."""
        bos = [tokenizer.bos_token_id] if self.family == "decoder" and tokenizer.bos_token_id is not None else []
        end = [tokenizer.eos_token_id] if self.ends_text and tokenizer.eos_token_id is not None else []
        features = []
        for record in records:
            continuations = [tokenizer(c, add_special_tokens=False)["input_ids"] + end for c in record.choices]
            if self.family == "decoder":
                room = max(1, max_length - len(bos) - max(map(len, continuations)))
                prompt = bos + tokenizer(record.prompt, add_special_tokens=False)["input_ids"][-room:]
                inputs = [(prompt + c)[:max_length] for c in continuations]
                targets = [([IGNORE] * len(prompt) + c)[:max_length] for c in continuations]
            else:
                prompt = tokenizer(record.prompt)["input_ids"]
                inputs = [prompt[-max_length:]] * len(continuations)
                targets = [c[:max_length] for c in continuations]
            features.append({"input_ids": inputs, "targets": targets, "labels": record.label})
        return features

    def collator(self, tokenizer) -> Collator:
        """``[B, K, L]`` tensors: ``input_ids`` padded with the pad token, ``attention_mask``,
        ``targets`` padded with IGNORE; ``labels`` ``[B]``. A decoder's rows are padded on the left,
        so that every continuation ends at the last position (its scoring reads the last logits only)."""
        import torch

        left = self.family == "decoder"

        def padded(rows: list[list[int]], value: int) -> torch.Tensor:
            width = max(map(len, rows))
            return torch.tensor([[value] * (width - len(row)) + row if left else row + [value] * (width - len(row)) for row in rows])

        def collate(features: list[Feature]) -> dict[str, torch.Tensor]:
            shape = (len(features), len(features[0]["input_ids"]), -1)
            inputs = [row for f in features for row in f["input_ids"]]
            return {
                "input_ids": padded(inputs, tokenizer.pad_token_id).view(shape),
                "attention_mask": padded([[1] * len(row) for row in inputs], 0).view(shape),
                "targets": padded([row for f in features for row in f["targets"]], IGNORE).view(shape),
                "labels": torch.tensor([f["labels"] for f in features]),
            }

        return collate

    def length(self, feature: Feature) -> int:
        return max(map(len, feature["input_ids"])) + (0 if self.family == "decoder" else max(map(len, feature["targets"])))

    # --- model ------------------------------------------------------------------------------

    def head(self, spec, config):
        """No head: the language model's own output layer scores the text."""
        from torch import nn

        return nn.Module()

    def forward(self, model, head, batch) -> TaskOutput:
        """Logits ``[B, K]``: each choice's log-likelihood (per token when length-normalised). With
        ``labels``, only the correct choice is run (the loss reads nothing else): logits ``[B, 1]``
        and the loss, the mean negative log-likelihood of its tokens."""
        import torch

        count, choices = batch["input_ids"].shape[:2]
        ids, mask, targets = (batch[k].flatten(0, 1) for k in ("input_ids", "attention_mask", "targets"))
        labels = batch.get("labels")
        if labels is not None:
            pick = torch.arange(count, device=ids.device) * choices + labels
            ids, mask, targets = ids[pick], mask[pick], targets[pick]
        scored = targets != IGNORE
        logp = token_log_likelihoods(model.encoder, self.family, ids, mask, targets)
        total, tokens = logp.sum(-1), scored.sum(-1).clamp(min=1)
        if labels is not None:
            return TaskOutput(total.view(count, 1), loss=-total.sum() / tokens.sum())
        return TaskOutput((total / tokens if self.length_normalised else total).view(count, choices))

    # --- evaluation: LabelFormat's, with the base format's metrics ------------------------------

    def metrics(self, labels, predicted, num_labels):
        return self.base.metrics(labels, predicted, num_labels)

    def example_score(self, row, metric):
        return self.base.example_score(row, metric)


def token_log_likelihoods(lm, family: Family, ids, mask, targets):
    """``[N, T]``: the log-probability of each target token (0 where ``targets`` is IGNORE), from a
    causal LM reading ``ids`` (targets aligned with them, padded on the left) or a seq2seq model
    reading ``ids`` with ``targets`` as its decoder's labels.

    A decoder computes vocabulary logits for the last positions alone, those that predict a
    continuation token (``logits_to_keep``, where the model takes it): the vocabulary times the whole
    sequence, for every choice of a batch, would not fit in memory for long prompts."""
    from torch.nn import functional as F

    if family == "decoder":
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding moves no token's position
        keep = min(int((targets != IGNORE).sum(-1).max()) + 1, ids.shape[1])
        extra = {"logits_to_keep": keep} if _takes(lm, "logits_to_keep") else {}
        logits = lm(input_ids=ids, attention_mask=mask, position_ids=positions, **extra).logits[:, -keep:-1]
        targets = targets[:, -keep + 1 :]
    else:
        decoder_ids = lm.prepare_decoder_input_ids_from_labels(labels=targets)
        logits = lm(input_ids=ids, attention_mask=mask, decoder_input_ids=decoder_ids).logits
    return -F.cross_entropy(logits.transpose(1, 2).float(), targets, ignore_index=IGNORE, reduction="none")


def _takes(lm, argument: str) -> bool:
    """Whether the transformers model under ``lm`` (a peft wrapper or the model itself) takes ``argument``."""
    import inspect

    model = lm.get_base_model() if hasattr(lm, "get_base_model") else lm
    return argument in inspect.signature(model.forward).parameters
