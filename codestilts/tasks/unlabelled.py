"""Unlabelled code for masked language modelling (continued MLM, baseline (i) of the study).

``code-mlm`` holds whole programs (prompt + canonical solution) of the HumanEval-X problems in the
train and dev splits of the shared problem split, per language: code of the zero-shot languages
that never touches a test problem.
"""

from __future__ import annotations

from pathlib import Path

from codestilts.data import read_jsonl
from codestilts.formats import MLM, TextItem
from codestilts.tasks.base import Task, TaskData
from codestilts.tasks.code_pairs import split_by_problem
from codestilts.tasks.humaneval import HUMANEVAL_X_FILES, LANGUAGES, problem_group
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS


def load_code_mlm(data_dir: Path) -> TaskData:
    data = split_by_problem(
        {
            lang: [
                TextItem(id=rec["task_id"], group=problem_group(rec["task_id"]), text=rec["prompt"] + rec["canonical_solution"])
                for rec in read_jsonl(data_dir / path)
            ]
            for lang, path in HUMANEVAL_X_FILES.items()
        },
        HUMANEVAL_PROBLEMS,
    )
    return {lang: {"train": splits["train"], "dev": splits["dev"], "test": []} for lang, splits in data.items()}


TASKS = (
    Task(
        name="code-mlm",
        format=MLM,
        languages=LANGUAGES,
        source_language="python",
        metric="loss",
        description="unlabelled code for MLM: HumanEval-X prompts + solutions of the train/dev problems",
        splits_note="train/dev problems of the shared HumanEval split; no test problem",
        data_files=tuple(HUMANEVAL_X_FILES.values()),
        hf_dataset="THUDM/humaneval-x",
        load=load_code_mlm,
    ),
)
