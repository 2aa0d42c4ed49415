"""Every head trains the tiny model (built from a config, randomly initialised) above chance on a
small real task from the data folder, in a few hundred CPU steps.

Each score is compared with a baseline computed from the same evaluation data: the larger of its
chance level (the majority label's or tag's share, 1/N ranks for retrieval, the most frequent
masked token for MLM) and the score of the same model before training (for spans, whose chance
level has no closed form, this is the baseline).

Held out (the dev or test split) where a tiny random model learns the task in budget: SNLI pairs,
syntactic roles of code tokens, NL-to-code search, code MLM. Defect detection, CRUXEval multiple
choice and bug localisation it cannot learn in budget (they need a pretrained encoder: its held-out
scores stay at chance), so those train on a fixed subset of 32 training examples and are scored on
those same examples: this shows that the head and its loss learn from real inputs, not that the
task transfers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from codestilts.config import TrainConfig
from codestilts.models.backbone import load_tokenizer
from codestilts.models.task_model import TaskModel
from codestilts.stages.common import subset
from codestilts.tasks import TASKS, Task, records
from codestilts.formats import IGNORE, MLM, Record
from codestilts.formats.mlm import EVAL_SEED
from codestilts.training.evaluation import evaluate_records
from tests.test_training import tiny_model, train_head

pytestmark = [pytest.mark.slow, pytest.mark.data]


@dataclass(frozen=True)
class Case:
    task: str
    metric: str
    steps: int
    max_length: int
    margin: float
    """How far above the baseline the trained score must be."""
    batch_size: int = 16
    eval_split: str = "dev"
    """``train``: the training subset itself (the tasks a tiny model cannot learn in budget)."""
    train_examples: int | None = None
    eval_examples: int | None = None
    group_by_length: bool = False


CASES = [
    Case("defect-humanevalpack", "accuracy", 150, 128, 0.3, eval_split="train", train_examples=32),
    Case("snli", "accuracy", 300, 64, 0.08, batch_size=32, eval_examples=500, group_by_length=True),
    Case("crux-mc", "accuracy", 100, 96, 0.3, batch_size=8, eval_split="train", train_examples=32),
    Case("bugloc-humanevalpack", "f1", 150, 192, 0.3, eval_split="train", train_examples=32),
    Case("syntax-roles", "accuracy", 100, 128, 0.3),
    Case("code-search-humaneval-x", "mrr", 300, 128, 0.08, eval_split="test"),
]


def _data(case: Case, task: Task, data_dir: Path) -> tuple[list[Record], list[Record]]:
    language = task.source_language
    train = subset(records(task, data_dir, language, "train"), case.train_examples)
    if case.eval_split == "train":
        return train, train
    return train, subset(records(task, data_dir, language, case.eval_split), case.eval_examples)


def _chance(task: Task, metric: str, evaluation: list[Record], max_length: int) -> float:
    """The score of guessing, from the evaluation data alone."""
    match task.format.name:
        case "classification" | "pair_classification" | "multiple_choice":
            return max(Counter(r.label for r in evaluation).values()) / len(evaluation)
        case "token_tagging":  # the tags the evaluation scores: each word's first sub-token
            tags = [t for f in task.format.encode(evaluation, load_tokenizer("tiny"), max_length) for t in f["labels"] if t != IGNORE]
            return max(Counter(tags).values()) / len(tags)
        case "retrieval":  # a random ranking of N documents
            n = len(evaluation)
            return 1 / n if metric == "acc@1" else float(np.mean(1 / np.arange(1, n + 1)))
    return 0.0


def _score(model: TaskModel, task: Task, case: Case, evaluation: list[Record]) -> float:
    return evaluate_records(
        model, "t", task.format, evaluation, load_tokenizer("tiny"),
        max_length=case.max_length, num_labels=task.num_labels, language=task.source_language,
    ).metrics[case.metric]


@pytest.mark.parametrize("case", CASES, ids=[c.task for c in CASES])
def test_head_learns_a_real_task_above_chance(case: Case, real_data: Path, tmp_path: Path) -> None:
    task = TASKS.get(case.task)
    train, evaluation = _data(case, task, real_data)
    cfg = TrainConfig(
        learning_rate=3e-3, batch_size=case.batch_size, max_steps=case.steps, warmup_ratio=0.0,
        eval_every=case.steps, group_by_length=case.group_by_length,
    )
    untrained = _score(tiny_model(task.format, task.num_labels), task, case, evaluation)
    baseline = max(_chance(task, case.metric, evaluation, case.max_length), untrained)
    model, _ = train_head(task.format, train, cfg, tmp_path, num_labels=task.num_labels, max_length=case.max_length)
    trained = _score(model, task, case, evaluation)
    assert trained > baseline + case.margin, f"{case.task}: {case.metric} {trained:.3f}, baseline {baseline:.3f}"


def test_mlm_head_predicts_held_out_code_above_chance(real_data: Path, tmp_path: Path) -> None:
    """Code MLM on the HumanEval-X solutions of every language, scored on their dev splits: the
    masked tokens' top-1 accuracy against always guessing the most frequent masked token."""
    task, tokenizer, max_length = TASKS.get("code-mlm"), load_tokenizer("tiny"), 64
    train = [r for language in task.languages for r in records(task, real_data, language, "train")]
    dev = MLM.encode([r for language in task.languages for r in records(task, real_data, language, "dev")], tokenizer, max_length)
    cfg = TrainConfig(learning_rate=3e-3, batch_size=16, max_steps=500, warmup_ratio=0.0, eval_every=500)
    model, _ = train_head(MLM, train, cfg, tmp_path, max_length=max_length)
    with torch.random.fork_rng():
        torch.manual_seed(EVAL_SEED)
        batch = MLM.collator(tokenizer)(dev)
    model.eval()
    with torch.no_grad():
        predicted = model("t", **batch).logits.argmax(-1)  # one row per masked token, in order
    gold = batch["labels"][batch["labels"] != IGNORE]
    accuracy = float((predicted == gold).float().mean())
    chance = max(Counter(gold.tolist()).values()) / len(gold)
    assert accuracy > chance + 0.05, f"masked-token accuracy {accuracy:.3f}, most frequent token {chance:.3f}"
