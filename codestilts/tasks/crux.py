"""Code reasoning as multiple choice (CRUXEval, CRUXEval-X): given a function and its input, pick
the output among four.

Python comes from CRUXEval (800 items), the other 18 languages from CRUXEval-X; item ``n`` is one
problem in every language (CRUXEval ``sample_n``, CRUXEval-X id ``n``), so the split is by ``n``.
Wrong choices are outputs of other items of the same split whose Python output has the same type
(``list[int]``, ``str``, ...), rendered in the item's own language, so the choice cannot be made on
type alone.
"""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict
from pathlib import Path

from codestilts.data import read_jsonl
from codestilts.formats import GENERATION, MULTIPLE_CHOICE, GenerationExample, MultipleChoiceExample
from codestilts.tasks.base import Task, TaskData
from codestilts.tasks.code_pairs import split_by_problem
from codestilts.tasks.splits import SplitRule

CRUXEVAL_FILE = "code/cruxeval/cruxeval.jsonl.gz"
X_CODES = {
    "cpp": "cpp", "csharp": "cs", "d": "d", "go": "go", "java": "java", "julia": "jl", "js": "js", "lua": "lua",
    "php": "php", "perl": "pl", "r": "r", "ruby": "rb", "racket": "rkt", "rust": "rs", "scala": "scala",
    "bash": "sh", "swift": "swift", "ts": "ts",
}
"""Our language names -> CRUXEval-X file codes (MultiPL-E's)."""
X_FILES = {lang: f"code/cruxeval-x/cruxeval_preprocessed/{code}.jsonl.gz" for lang, code in X_CODES.items()}
LANGUAGES = ("python", *X_CODES)
CRUX_PROBLEMS = SplitRule("cruxeval", (("train", 0.5), ("dev", 0.1), ("test", 0.4)))
MASK = "????"
CHOICES = 4


def output_type(literal: str) -> str:
    """A coarse type of a Python literal: ``int``, ``str``, ``list[int]``, ``dict[str]``, ``tuple[]``..."""
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return "other"
    name = type(value).__name__
    if isinstance(value, (list, tuple, set, dict)):
        first = next(iter(value), None)
        return f"{name}[{type(first).__name__ if value else ''}]"
    return name


def _hash(*parts: object) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def split_masked(code: str, masked_tail: str) -> tuple[str, str] | None:
    """``code`` with its expected output replaced by ``????`` and the output itself.

    CRUXEval-X gives the program's tail with the output masked; the output is what the full
    program has in that place. A few items' tails were rewritten (``assert(result.isNull)`` against
    ``result.get == ????``): those give ``None``.
    """
    pre, sep, post = masked_tail.partition(MASK)
    if not sep or not code.endswith(post):
        return None
    start = code.rfind(pre, 0, len(code) - len(post))
    if start < 0:
        return None
    return code[:start] + masked_tail, code[start + len(pre) : len(code) - len(post)].strip()


def _items(data_dir: Path) -> tuple[dict[str, dict[str, tuple[str, str]]], dict[str, str]]:
    """Per language ``{group: (masked program, output)}``, and each group's Python output type."""
    items: dict[str, dict[str, tuple[str, str]]] = {"python": {}}
    types: dict[str, str] = {}
    for r in read_jsonl(data_dir / CRUXEVAL_FILE):
        group = f"crux/{r['id'].rsplit('_', 1)[1]}"
        items["python"][group] = (f"{r['code']}\nassert f({r['input']}) == {MASK}", r["output"])
        types[group] = output_type(r["output"])
    for lang, path in X_FILES.items():
        parsed = ((f"crux/{r['id']}", split_masked(r["code"], r["output_reasoning"])) for r in read_jsonl(data_dir / path))
        items[lang] = {group: item for group, item in parsed if item is not None}
    return items, types


def load_crux_mc(data_dir: Path) -> TaskData:
    items, types = _items(data_dir)
    assignment = CRUX_PROBLEMS.assign(g for per in items.values() for g in per)
    per_language = {}
    for lang, per in items.items():
        # pools of candidates, from the closest type to any output of the split
        levels = (
            lambda g: (assignment[g], types.get(g, "other")),
            lambda g: (assignment[g], types.get(g, "other").split("[")[0]),
            lambda g: (assignment[g], ""),
        )
        pools = []
        for key in levels:
            buckets: dict[tuple[str, str], list[str]] = defaultdict(list)
            for g in sorted(per, key=lambda g: _hash("pool", g)):
                buckets[key(g)].append(g)
            pools.append((key, {k: (gs, {g: i for i, g in enumerate(gs)}) for k, gs in buckets.items()}))
        examples = []
        for g, (context, output) in sorted(per.items()):
            wrong: list[str] = []
            for key, buckets in pools:
                pool, position = buckets[key(g)]
                start = position[g]
                for other in pool[start + 1 :] + pool[:start]:
                    if len(wrong) == CHOICES - 1:
                        break
                    candidate = per[other][1]
                    if candidate != output and candidate not in wrong:
                        wrong.append(candidate)
            if len(wrong) < CHOICES - 1:
                continue
            label = int(_hash("label", g), 16) % CHOICES  # the same position in every language
            choices = wrong[:label] + [output] + wrong[label:]
            examples.append(MultipleChoiceExample(id=f"{lang}/{g}", group=g, context=context, choices=tuple(choices), label=label))
        per_language[lang] = examples
    return split_by_problem(per_language, CRUX_PROBLEMS)


def output_prompt(masked: str) -> str:
    """Output prediction as text: the program with its output masked, then the mask to fill."""
    return f"{masked}\n{MASK} ="


def load_crux_output_gen(data_dir: Path) -> TaskData:
    items, _ = _items(data_dir)
    per_language = {
        lang: [
            GenerationExample(id=f"{lang}/{g}", group=g, prompt=output_prompt(context), target=f" {output}", stop=("\n",))
            for g, (context, output) in sorted(per.items())
        ]
        for lang, per in items.items()
    }
    return split_by_problem(per_language, CRUX_PROBLEMS)


def crux_task(name: str, fmt, metric: str, description: str, splits_note: str, load) -> Task:
    """A task over CRUXEval (Python) and CRUXEval-X (18 more languages), split by problem id."""
    return Task(
        name=name, format=fmt, languages=LANGUAGES, source_language="python", metric=metric, description=description,
        splits_note=splits_note, data_files=(CRUXEVAL_FILE, *X_FILES.values()),
        hf_dataset="cruxeval-org/cruxeval (python), xhwl/cruxeval-x", load=load,
    )


TASKS = (
    crux_task(
        "crux-output-gen", GENERATION, "exact_match",
        "code reasoning as generation: a function and an input, the output masked as ????; write the output (one line, "
        "after `???? =`), scored by exact match with the true output in the item's own language. Python from CRUXEval, "
        "18 more languages from CRUXEval-X",
        "by problem id, shared across languages and with crux-mc: 50/10/40 of the CRUXEval ids (train/dev/test)",
        load_crux_output_gen,
    ),
    crux_task(
        "crux-mc", MULTIPLE_CHOICE, "accuracy",
        "code reasoning: a function and an input, the output masked as ????; choose it among 4 (the true one and 3 "
        "outputs of other items of the same Python type). Python from CRUXEval, 18 more languages from CRUXEval-X "
        "(items whose masked program does not match the full one are skipped)",
        "by problem id, shared across languages: 50/10/40 of the CRUXEval ids (train/dev/test); wrong choices from the same split",
        load_crux_mc,
    ),
)
