"""Code tasks over the 164 HumanEval problems in six languages (HumanEval-X, HumanEvalPack).

Both sets share problem numbers across languages (``Python/12`` and ``Go/12`` are one problem), so
all tasks here split by problem with :data:`HUMANEVAL_PROBLEMS`.
"""

from __future__ import annotations

from pathlib import Path

from codestilts.tasks.base import (
    ClassificationExample,
    Format,
    Record,
    RetrievalItem,
    Task,
    TaskData,
)
from codestilts.tasks.code_text import clean_code
from codestilts.tasks.files import read_jsonl
from codestilts.tasks.registry import register
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS

LANGUAGES = ("python", "cpp", "java", "js", "go", "rust")


def problem_group(task_id: str) -> str:
    """``"Go/12"`` -> ``"humaneval/12"``: the problem, whatever the language."""
    return f"humaneval/{task_id.rsplit('/', 1)[1]}"


def _files(folder: str, stem: str) -> dict[str, str]:
    return {lang: f"code/{folder}/{stem}_{lang}.jsonl.gz" for lang in LANGUAGES}


HUMANEVALPACK_FILES = _files("humanevalpack", "humanevalpack")
HUMANEVAL_X_FILES = _files("humaneval-x", "humaneval")


def split_by_problem(per_language: dict[str, list[Record]]) -> TaskData:
    """Place each record in the split of its problem, identically in every language."""
    assignment = HUMANEVAL_PROBLEMS.assign(r.group for rs in per_language.values() for r in rs)
    return {
        lang: {split: [r for r in rs if assignment[r.group] == split] for split in ("train", "dev", "test")}
        for lang, rs in per_language.items()
    }


def _defect_examples(record: dict, language: str) -> list[ClassificationExample]:
    group = problem_group(record["task_id"])
    return [
        ClassificationExample(
            id=f"{record['task_id']}/{kind}",
            group=group,
            text=clean_code(record["declaration"] + record[field], language, mask_names=False),
            label=label,
        )
        for kind, field, label in (("correct", "canonical_solution", 0), ("buggy", "buggy_solution", 1))
    ]


def load_defect(data_dir: Path) -> TaskData:
    return split_by_problem(
        {
            lang: [ex for rec in read_jsonl(data_dir / path) for ex in _defect_examples(rec, lang)]
            for lang, path in HUMANEVALPACK_FILES.items()
        }
    )


def load_xret(data_dir: Path) -> TaskData:
    return split_by_problem(
        {
            lang: [
                RetrievalItem(
                    id=rec["task_id"],
                    group=problem_group(rec["task_id"]),
                    text=clean_code(rec["declaration"] + rec["canonical_solution"], lang),
                )
                for rec in read_jsonl(data_dir / path)
            ]
            for lang, path in HUMANEVAL_X_FILES.items()
        }
    )


SPLIT_NOTE = "by problem, shared across languages: 60/10/30 of the 164 problems (train/dev/test)"

register(
    Task(
        name="defect-humanevalpack",
        format=Format.CLASSIFICATION,
        languages=LANGUAGES,
        source_language="python",
        metric="accuracy",
        labels=("correct", "buggy"),
        description="defect detection: HumanEvalPack canonical (correct) vs buggy solution, comments dropped",
        splits_note=SPLIT_NOTE,
        data_files=tuple(HUMANEVALPACK_FILES.values()),
        hf_dataset="bigcode/humanevalpack",
        load=load_defect,
    )
)

register(
    Task(
        name="xret-humaneval-x",
        format=Format.RETRIEVAL,
        languages=LANGUAGES,
        source_language="python",
        metric="acc@1",
        description=(
            "cross-language solution retrieval: declaration + solution, comments and docstrings dropped, "
            "function names masked; both directions"
        ),
        splits_note=SPLIT_NOTE + "; the probe ranks within the test problems",
        data_files=tuple(HUMANEVAL_X_FILES.values()),
        hf_dataset="THUDM/humaneval-x",
        load=load_xret,
    )
)
