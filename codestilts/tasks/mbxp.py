"""Code tasks over MBPP and its translations MBXP (974 problems; solutions in 9 of 13 languages).

Problem ``n`` is ``MBPP/n``, ``MBJP/n``, ... in every language; all tasks here split by MBPP's
official id ranges (:data:`MBPP_PROBLEMS`), so a Python training problem is never tested anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from codestilts.data import read_jsonl
from codestilts.formats import PAIR_CLASSIFICATION, RETRIEVAL, Format, PairExample
from codestilts.tasks.base import Task, TaskData, TaskOptions
from codestilts.tasks.code_pairs import (
    CLONE_LABELS,
    Solution,
    Table,
    clone_pairs,
    code_text,
    retrieval_items,
    similar_problems,
    split_by_problem,
    table_task,
)
from codestilts.tasks.hub import hub_split, values
from codestilts.tasks.splits import MBPP_PROBLEMS

FILES = {
    "python": "code/mbxp/mbpp_release_v1.jsonl.gz",
    "java": "code/mbxp/mbjp_release_v1.2.jsonl.gz",
    "js": "code/mbxp/mbjsp_release_v1.2.jsonl.gz",
    "ts": "code/mbxp/mbtsp_release_v1.2.jsonl.gz",
    "kotlin": "code/mbxp/mbkp_release_v1.2.jsonl.gz",
    "ruby": "code/mbxp/mbrbp_release_v1.2.jsonl.gz",
    "php": "code/mbxp/mbphp_release_v1.2.jsonl.gz",
    "cpp": "code/mbxp/mbcpp_release_v1.2.jsonl.gz",
    "csharp": "code/mbxp/mbcsp_release_v1.2.jsonl.gz",
    "go": "code/mbxp/mbgp_release_v1.1.jsonl.gz",
    "perl": "code/mbxp/mbplp_release_v1.jsonl.gz",
    "scala": "code/mbxp/mbscp_release_v1.jsonl.gz",
    "swift": "code/mbxp/mbswp_release_v1.jsonl.gz",
}
SOLVED = ("python", "java", "js", "ts", "kotlin", "ruby", "php", "cpp", "csharp")
"""The languages whose records carry a canonical solution (go, perl, scala, swift have prompts only)."""


def problem_group(task_id: str) -> str:
    """``"MBJP/12"`` -> ``"mbpp/12"``."""
    return f"mbpp/{task_id.rsplit('/', 1)[1]}"


HUB = "mxeval/mbxp"
HUB_CONFIGS = {
    "python": "python", "java": "java", "js": "javascript", "ts": "typescript", "kotlin": "kotlin", "ruby": "ruby",
    "php": "php", "csharp": "csharp", "go": "go", "perl": "perl", "scala": "scala", "swift": "swift",
}
"""Our language names -> the Hub dataset's configs (it has no C++: MBCPP is in the local files only)."""


def solutions(rows: Iterable[dict], *, prompts_only: bool = False) -> dict[str, Solution]:
    """One language's problems: prompt + solution (rows without a solution are skipped unless
    ``prompts_only``, which keeps the prompt alone for every row). The local files and the Hub
    have the same fields."""
    problems = {}
    for r in rows:
        solution = r.get("canonical_solution")
        if not prompts_only and not solution:
            continue
        group = problem_group(r["task_id"])
        problems[group] = Solution(
            id=r["task_id"],
            group=group,
            code=r["prompt"] if prompts_only else r["prompt"] + solution,
            description=r.get("description") or "",
            entry_point=r.get("entry_point"),
        )
    return problems


def read_mbxp(data_dir: Path, languages: tuple[str, ...] = SOLVED, *, prompts_only: bool = False) -> Table:
    """Problems per language, from the local files."""
    return {lang: solutions(read_jsonl(data_dir / FILES[lang]), prompts_only=prompts_only) for lang in languages}


def hub_table(languages: tuple[str, ...] = SOLVED) -> Table:
    """Problems per language, from the Hub (languages it lacks are left out)."""
    return {lang: solutions(values(hub_split(HUB, HUB_CONFIGS[lang], "test"))) for lang in languages if lang in HUB_CONFIGS}


NL2CODE_LABELS = ("mismatch", "match")


def nl2code_pairs(table: Table, options: TaskOptions) -> TaskData:
    """Does this solution implement this description? Per problem the true pair, and the solution
    under the description of the most similar other problem of the same split."""
    problems = table["python"]
    neighbours = similar_problems({g: s.description for g, s in problems.items()}, MBPP_PROBLEMS.assign(problems))
    examples = []
    for g, s in sorted(problems.items()):
        other = next(iter(neighbours.get(g, [])), None)
        if other is None:
            continue
        code = code_text(s, "python", options)
        examples.append(PairExample(f"{s.id}/match", g, s.description, code, 1))
        examples.append(PairExample(f"{s.id}/mismatch", g, problems[other].description, code, 0))
    return split_by_problem({"python": examples}, MBPP_PROBLEMS)


SPLIT_NOTE = "MBPP's official ids, shared by every language and task: train 1-10 + 601-974, dev 511-600, test 11-510"
LEAK_NOTE = "comments, docstrings and imports dropped, the entry point masked in every case style"


def mbxp_task(
    name: str, fmt: Format, description: str, build: Callable[..., TaskData], *,
    languages: tuple[str, ...] = SOLVED, labels=(), note=SPLIT_NOTE,
) -> Task:
    """A task built from the problem table of ``languages``, read from the local files or the Hub."""
    return table_task(
        build, lambda data_dir: read_mbxp(data_dir, languages), lambda: hub_table(languages), options=True,
        name=name, format=fmt, languages=languages, source_language="python", metric=fmt.metric, labels=labels,
        description=description, splits_note=note, data_files=tuple(FILES[lang] for lang in languages), hf_dataset=HUB,
    )


TASKS = (
    mbxp_task(
        "xret-mbxp", RETRIEVAL,
        f"cross-language solution retrieval over the 9 MBXP languages with solutions: prompt + solution, {LEAK_NOTE}; both directions",
        partial(retrieval_items, rule=MBPP_PROBLEMS, with_query=False),
        note=SPLIT_NOTE + "; the probe ranks within the test problems",
    ),
    mbxp_task(
        "code-search-mbxp", RETRIEVAL,
        f"NL -> code search: the MBPP description retrieves the solution in each language, {LEAK_NOTE}; "
        "trainable in Python with in-batch negatives",
        partial(retrieval_items, rule=MBPP_PROBLEMS, with_query=True),
        note=SPLIT_NOTE + "; ranking within each split",
    ),
    mbxp_task(
        "clone-mbxp", PAIR_CLASSIFICATION,
        f"clone detection within a language: a solution vs a rewrite of it (names renamed, re-indented) or vs a rewrite "
        f"of the most similar other problem's solution; balanced; {LEAK_NOTE}",
        partial(clone_pairs, rule=MBPP_PROBLEMS), labels=CLONE_LABELS,
        note=SPLIT_NOTE + "; negatives come from the same split",
    ),
    mbxp_task(
        "nl2code-mbpp", PAIR_CLASSIFICATION,
        "NL -> code matching for encoders: does this Python solution (name masked, docstring dropped) implement this "
        "description? Negatives: the description of the most similar problem; balanced",
        nl2code_pairs, languages=("python",), labels=NL2CODE_LABELS,
    ),
)
