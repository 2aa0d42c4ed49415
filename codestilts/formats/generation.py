"""Generation: a prompt, and the text that completes it (code generation, output prediction).

A record is a prompt and its reference completion; where the task's completions can be run, the
benchmark problem whose tests judge one (:class:`~codestilts.execution.problem.Problem`). Only
decoders and seq2seq models take generation tasks: an encoder has no head that writes text.

Training is the language-modelling loss on the reference after the prompt, followed by the end of
text so that the model learns to stop (:class:`GenerationText`). A training stage selects its
checkpoint by the reference's mean token log-likelihood on the dev split (sampling and running
programs at every evaluation would cost more than the training). The test split is sampled by the
``generate`` stage and scored by the ``execute`` stage: per problem, the share of its samples that
pass (pass@1) and the unbiased pass@k, or the share that equal the reference (``exact_match``)
where there is nothing to run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codestilts.execution.problem import Problem
from codestilts.formats.base import Evaluation, Format, Score
from codestilts.formats.text import ChoiceText, Family
from codestilts.formats.text_to_text import TextToText

DEV_METRIC = "log_likelihood"
"""What selects a generation task's checkpoint: the reference's mean token log-likelihood (dev split)."""


@dataclass(frozen=True)
class GenerationExample:
    id: str
    group: str
    prompt: str
    target: str
    """The reference completion: the training target; exact match compares a sample with it."""
    problem: Problem | None = None
    """The benchmark problem whose tests judge a completion (``prompt + completion``, then its
    tests); None where completions are scored by exact match."""
    stop: tuple[str, ...] | None = None
    """Where a completion ends (decoding stops there, the completion is cut before it); None: the
    stop sequences of the record's language (:attr:`codestilts.languages.Language.stop`)."""


class Generation(Format):
    name = "generation"
    record = GenerationExample
    roles = frozenset({"intermediate", "target"})
    metric = "exact_match"
    """What every generation task can be scored by (a task whose records run names pass@1)."""
    encoder_head = False
    derived_fields = frozenset({"problem", "stop"})

    def texts(self, record: GenerationExample) -> tuple[str, ...]:
        return (record.prompt, record.target)

    def as_text(self, family: Family, length_normalised: bool = False) -> Format | None:
        return None if family == "encoder" else GenerationText(family)

    def example_score(self, row: Mapping[str, Any], metric: str) -> Score | None:
        """A problem's row (the ``execute`` stage's predictions) carries its own pass@k and exact match."""
        value = row.get(metric)
        return None if value is None else (float(value), 1.0)

    def constant_baseline(self, rows, metric: str) -> float | None:
        """An empty completion passes no test and matches no reference: 0."""
        return 0.0


GENERATION = Generation()


class GenerationText(TextToText):
    """A generation task as a decoder or seq2seq model reads it: the prompt, and the reference as the
    one continuation, ended by the end-of-text token."""

    ends_text = True

    def __init__(self, family: Family):
        super().__init__(GENERATION, family, length_normalised=True)
        self.name = f"generation/{family}"
        self.metric = DEV_METRIC

    def prepare(self, records: Sequence[GenerationExample], labels, template=None) -> list[ChoiceText]:
        return [ChoiceText(r.id, r.group, r.prompt, (r.target,), 0) for r in records]

    def dev_metric(self, task_metric: str) -> str:
        return DEV_METRIC

    def evaluate(self, model, task, records, features, tokenizer, *, batch_size, num_labels, language) -> Evaluation:
        """The reference's mean token log-likelihood per record, and its mean over records."""
        scores = [float(row[0]) for row in self.logits(model, task, features, tokenizer, batch_size)]
        rows = [{"id": r.id, "group": r.group, DEV_METRIC: s} for r, s in zip(records, scores, strict=True)]
        return Evaluation({DEV_METRIC: float(np.mean(scores)) if scores else float("nan")}, rows)

    def example_score(self, row, metric):
        return (float(row[metric]), 1.0) if metric == DEV_METRIC else None


class SpanText(GenerationText):
    """Extractive QA as a decoder or seq2seq model reads it: the context, the question, then the
    first gold answer written out."""

    def __init__(self, family: Family):
        super().__init__(family)
        self.name = f"span-text/{family}"

    def prepare(self, records, labels, template=None) -> list[ChoiceText]:
        return [ChoiceText(r.id, r.group, span_prompt(r.context, r.question), (" " + r.context[slice(*r.spans[0])],), 0) for r in records]


def span_prompt(context: str, question: str) -> str:
    return f"{context}\nQuestion: {question}\nAnswer:" if question else f"{context}\nAnswer:"
