"""Code tasks over the 164 HumanEval problems in six languages (HumanEval-X, HumanEvalPack).

Both sets share problem numbers across languages (``Python/12`` and ``Go/12`` are one problem), so
all tasks here split by problem with :data:`HUMANEVAL_PROBLEMS`. HumanEvalPack holds HumanEval-X's
solutions plus a per-language docstring and a buggy version; tasks that need those read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from codestilts.data import read_jsonl
from codestilts.formats import CLASSIFICATION, PAIR_CLASSIFICATION, RETRIEVAL, SPAN_EXTRACTION, ClassificationExample, Format, SpanExample
from codestilts.tasks.base import Task, TaskData
from codestilts.tasks.code_pairs import (
    CLONE_LABELS,
    Solution,
    Table,
    clone_pairs,
    retrieval_items,
    split_by_problem,
    table_task,
)
from codestilts.tasks.code_text import clean_code
from codestilts.tasks.hub import hub_split, values
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS

LANGUAGES = ("python", "cpp", "java", "js", "go", "rust")


def problem_group(task_id: str) -> str:
    """``"Go/12"`` -> ``"humaneval/12"``: the problem, whatever the language."""
    return f"humaneval/{task_id.rsplit('/', 1)[1]}"


def _files(folder: str, stem: str) -> dict[str, str]:
    return {lang: f"code/{folder}/{stem}_{lang}.jsonl.gz" for lang in LANGUAGES}


HUMANEVALPACK_FILES = _files("humanevalpack", "humanevalpack")
HUMANEVAL_X_FILES = _files("humaneval-x", "humaneval")


def solutions(rows: Iterable[dict]) -> dict[str, Solution]:
    """One language's problems; ``description`` and ``buggy`` where the rows have them (the local
    files and the Hub datasets have the same fields)."""
    return {
        problem_group(r["task_id"]): Solution(
            id=r["task_id"],
            group=problem_group(r["task_id"]),
            code=r["declaration"] + r["canonical_solution"],
            description=r.get("docstring", ""),
            entry_point=r.get("entry_point"),
            buggy=r["declaration"] + r["buggy_solution"] if "buggy_solution" in r else None,
        )
        for r in rows
    }


def read_humaneval(data_dir: Path, files: dict[str, str]) -> Table:
    """Every problem in every language, from the local files."""
    return {lang: solutions(read_jsonl(data_dir / path)) for lang, path in files.items()}


HUMANEVAL_X_HUB = "THUDM/humaneval-x"
HUMANEVALPACK_HUB = "bigcode/humanevalpack"
HUB_LANGUAGES = {HUMANEVAL_X_HUB: ("python", "cpp", "java", "js", "go"), HUMANEVALPACK_HUB: LANGUAGES}
"""The configs each Hub dataset has, named as our languages: HumanEval-X's Rust is only in the
CodeGeeX repository's files (the local data folder), not on the Hub."""


def hub_table(dataset: str) -> Table:
    """Every problem in every language the Hub dataset has (one config per language, split ``test``)."""
    return {lang: solutions(values(hub_split(dataset, lang, "test"))) for lang in HUB_LANGUAGES[dataset]}


def defect_examples(table: Table) -> TaskData:
    return split_by_problem(
        {
            lang: [
                ClassificationExample(id=f"{s.id}/{kind}", group=s.group, text=clean_code(code, lang, mask_names=False), label=label)
                for s in problems.values()
                for kind, code, label in (("correct", s.code, 0), ("buggy", s.buggy, 1))
                if code is not None
            ]
            for lang, problems in table.items()
        },
        HUMANEVAL_PROBLEMS,
    )


def bug_span(correct: str, buggy: str) -> tuple[int, int]:
    """Characters ``[start, end)`` of ``buggy`` that differ from ``correct``, widened to whole words.

    The common prefix and suffix of both texts bound the change; a pure deletion (nothing left
    between them) marks the line where the code is missing.
    """
    prefix = 0
    while prefix < min(len(correct), len(buggy)) and correct[prefix] == buggy[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(correct), len(buggy)) - prefix and correct[-1 - suffix] == buggy[-1 - suffix]:
        suffix += 1
    start, end = prefix, len(buggy) - suffix

    def word(c: str) -> bool:
        return c.isalnum() or c == "_"

    while start > 0 and word(buggy[start - 1]) and (start == end or word(buggy[start])):
        start -= 1
    while end < len(buggy) and word(buggy[end]) and end > 0 and word(buggy[end - 1]):
        end += 1
    if not buggy[start:end].strip():
        start = buggy.rfind("\n", 0, start) + 1
        newline = buggy.find("\n", end)
        end = len(buggy) if newline < 0 else newline
    while start < end and buggy[start].isspace():
        start += 1
    while end > start and buggy[end - 1].isspace():
        end -= 1
    return start, end


def bugloc_examples(table: Table) -> TaskData:
    per_language = {}
    for lang, problems in table.items():
        examples = []
        for s in problems.values():
            if s.buggy is None:
                continue
            correct = clean_code(s.code, lang, mask_names=False)
            buggy = clean_code(s.buggy, lang, mask_names=False)
            if correct == buggy:
                continue  # the bug sat in a comment only: nothing to find
            examples.append(SpanExample(id=s.id, group=s.group, question=s.description, context=buggy, spans=(bug_span(correct, buggy),)))
        per_language[lang] = examples
    return split_by_problem(per_language, HUMANEVAL_PROBLEMS)


SPLIT_NOTE = "by problem, shared across languages and tasks: 60/10/30 of the 164 problems (train/dev/test)"
LEAK_NOTE = "comments, docstrings and imports dropped, the problem's function name masked"


def humaneval_task(
    name: str, fmt: Format, metric: str, description: str, build: Callable[..., TaskData], *,
    x: bool = False, labels=(), note=SPLIT_NOTE, options: bool = False,
) -> Task:
    """A task built from the HumanEval-X table (``x``) or the HumanEvalPack one, read
    from the local files or the Hub; ``options``: ``build`` honours :class:`TaskOptions`."""
    files, dataset = (HUMANEVAL_X_FILES, HUMANEVAL_X_HUB) if x else (HUMANEVALPACK_FILES, HUMANEVALPACK_HUB)
    return table_task(
        build, lambda data_dir: read_humaneval(data_dir, files), lambda: hub_table(dataset), options=options,
        name=name, format=fmt, languages=LANGUAGES, source_language="python", metric=metric, labels=labels,
        description=description, splits_note=note, data_files=tuple(files.values()), hf_dataset=dataset,
    )


TASKS = (
    humaneval_task(
        "defect-humanevalpack", CLASSIFICATION, "accuracy",
        "defect detection: HumanEvalPack canonical (correct) vs buggy solution, comments and imports dropped",
        lambda table, **_: defect_examples(table), labels=("correct", "buggy"),  # takes no options
    ),
    humaneval_task(
        "bugloc-humanevalpack", SPAN_EXTRACTION, "f1",
        "bug localisation: the span of the buggy solution that differs from the canonical one, asked with the "
        "problem's docstring; comments and imports dropped (metrics: f1 primary, exact_match)",
        lambda table, **_: bugloc_examples(table),  # takes no options
    ),
    humaneval_task(
        "xret-humaneval-x", RETRIEVAL, "acc@1",
        f"cross-language solution retrieval: declaration + solution, {LEAK_NOTE}; both directions",
        partial(retrieval_items, rule=HUMANEVAL_PROBLEMS, with_query=False),
        x=True, note=SPLIT_NOTE + "; the probe ranks within the test problems", options=True,
    ),
    humaneval_task(
        "code-search-humaneval-x", RETRIEVAL, "acc@1",
        f"NL -> code search: the docstring (function name masked) retrieves declaration + solution, {LEAK_NOTE}; "
        "solutions and docstrings read from HumanEvalPack (HumanEval-X's solutions); trainable in Python with in-batch negatives",
        partial(retrieval_items, rule=HUMANEVAL_PROBLEMS, with_query=True),
        note=SPLIT_NOTE + "; ranking within each split", options=True,
    ),
    humaneval_task(
        "clone-humaneval-x", PAIR_CLASSIFICATION, "accuracy",
        f"clone detection within a language: a solution vs a rewrite of it (names renamed, re-indented), or vs a "
        f"rewrite of its buggy version or of the most similar other problem's solution; balanced; {LEAK_NOTE}; read from HumanEvalPack",
        partial(clone_pairs, rule=HUMANEVAL_PROBLEMS),
        labels=CLONE_LABELS, note=SPLIT_NOTE + "; negatives come from the same split", options=True,
    ),
)
