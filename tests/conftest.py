"""Shared fixtures: a small data folder laid out like ../shared/data, the real one when present,
and tiny configs."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KILL_POINTS = Path(__file__).parent / "kill_points"

# One function per language, in the benchmark's shape: declaration (with imports) + body.
TEMPLATES = {
    "python": ("import math\n\ndef add_{n}(x):\n", "    # adds\n    return x + {n}\n", "    return x - {n}\n"),
    "cpp": ("#include<stdio.h>\nusing namespace std;\nint add_{n}(int x){{\n", "    // adds\n    return x + {n};\n}}\n", "    return x - {n};\n}}\n"),
    "java": ("import java.util.*;\nclass Solution {{\n    public int add{n}(int x) {{\n", "        return x + {n};\n    }}\n}}\n", "        return x - {n};\n    }}\n}}\n"),
    "js": ("\nconst add{n} = (x) => {{\n", "  return x + {n};\n}}\n", "  return x - {n};\n}}\n"),
    "go": ("\nfunc Add{n}(x int) int {{\n", "    return x + {n}\n}}\n", "    return x - {n}\n}}\n"),
    "rust": ("\nuse std::cmp;\nfn add_{n}(x: i32) -> i32 {{\n", "    return x + {n};\n}}\n", "    return x - {n};\n}}\n"),
}
HX_TESTS = {
    "python": "\n\ndef check(candidate):\n    assert candidate(1) == {m}\n",
    "js": "\nconst assert = require('node:assert');\nassert.deepEqual(add{n}(1), {m});\n",
}
"""Tests of the HumanEval-X fixture's functions, in the languages whose toolchains every test machine has."""
TASK_PREFIX = {"python": "Python", "cpp": "CPP", "java": "Java", "js": "JavaScript", "go": "Go", "rust": "Rust"}
PROBLEMS = 40


def report_files(run_dir: Path) -> dict[str, bytes]:
    """Every file of a run folder but its stages (the report's tables and figures, the plan), by path."""
    return {
        str(p.relative_to(run_dir)): p.read_bytes()
        for p in run_dir.rglob("*")
        if p.is_file() and "stages" not in p.relative_to(run_dir).parts
    }


def _write_jsonl_gz(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def build_fixture_data(root: Path, problems: int = PROBLEMS, *, generation: bool = False) -> Path:
    """A miniature data folder with the real files' names and fields (not their contents); with
    ``generation``, nl2code-mbpp-gen's files too."""
    for lang, (decl, good, bad) in TEMPLATES.items():
        records = [
            {
                "task_id": f"{TASK_PREFIX[lang]}/{n}",
                "prompt": decl.format(n=n),
                "declaration": decl.format(n=n),
                "canonical_solution": good.format(n=n),
                "buggy_solution": bad.format(n=n),
                "test": HX_TESTS.get(lang, "").format(n=n, m=n + 1),
                "entry_point": f"add_{n}",
            }
            for n in range(problems)
        ]
        _write_jsonl_gz(root / f"code/humanevalpack/humanevalpack_{lang}.jsonl.gz", records)
        _write_jsonl_gz(root / f"code/humaneval-x/humaneval_{lang}.jsonl.gz", records)
    if generation:
        _code_generation_files(root)
    labels = ("entailment", "neutral", "contradiction")
    for split, count in (("dev", 120), ("test", 30)):
        _write_jsonl_gz(
            root / f"nl/snli_esnli/snli_{split}.derived.jsonl.gz",
            [
                # every sentence its own: a train text equal to a test text would be dropped (docs/tasks.md)
                {"idx": i, "premise": f"A person number {i} walks in the {split} set .", "hypothesis": f"Someone {labels[i % 3]} {split} {i} .", "label": labels[i % 3]}
                for i in range(count)
            ],
        )
    return root


GENERATED = {
    # MBXP-style problems: prompt, canonical solution, tests (the tests run in the sandbox)
    "python": ('def add_{n}(x):\n    """Add {n} to x.\n    >>> add_{n}(1)\n    {m}\n    """\n', "    return x + {n}\n",
               "\n\ndef check(candidate):\n    assert candidate(1) == {m}\n"),
    "js": ("/**\n * Add {n} to x.\n */\nconst add_{n} = function (x) {{\n", "  return x + {n};\n}};\n",
           "\nconst assert = require('node:assert');\nassert.deepEqual(add_{n}(1), {m});\n"),
}
MBXP_IDS = (*range(1, 11), *range(11, 21), *range(511, 516), *range(601, 621))
"""MBPP's train (1-10, 601-), test (11-510) and dev (511-600) ids."""


def _code_generation_files(root: Path) -> None:
    """MBXP and multilingual HumanEval files for nl2code-mbpp-gen: Python and JavaScript problems
    with tests that run; the other languages' files hold prompts only."""
    from codestilts.tasks.code_generation import HUMANEVAL_FILES
    from codestilts.tasks.mbxp import FILES

    prefixes = {"python": "MBPP", "js": "MBJSP"}
    for lang, path in FILES.items():
        prompt, solution, test = GENERATED.get(lang, ("// {n}\n", "", ""))
        _write_jsonl_gz(root / path, [
            {"task_id": f"{prefixes.get(lang, 'MB' + lang.upper() + 'P')}/{n}", "prompt": prompt.format(n=n, m=n + 1),
             "canonical_solution": solution.format(n=n), "test": test.format(n=n, m=n + 1), "entry_point": f"add_{n}", "description": f"Add {n} to x."}
            for n in MBXP_IDS
        ])
    for lang, path in HUMANEVAL_FILES.items():
        if "humaneval-x" not in path:  # HumanEval-X's files are the fixture's own (above)
            _write_jsonl_gz(root / path, [{"task_id": f"HumanEval_{lang}/{n}", "prompt": f"// {n}\n", "test": ""} for n in range(PROBLEMS)])


@pytest.fixture(autouse=True, scope="session")
def features_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tokenised features are cached in a temporary folder, never in the user's ~/.cache."""
    path = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CODESTILTS_CACHE", str(path))
        yield path


@pytest.fixture(scope="session")
def fixture_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def generation_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_data(tmp_path_factory.mktemp("data"), generation=True)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real data folder (CODESTILTS_DATA or ../shared/data); tests using it skip where absent."""
    configured = os.environ.get("CODESTILTS_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "data"
    if not (path / "code" / "humanevalpack").is_dir():
        pytest.skip(f"real data folder not found at {path} (set CODESTILTS_DATA)")
    return path


def kill_at(kind: str, count: int) -> dict[str, str]:
    """Environment variables for a ``codestilts`` subprocess that SIGKILLs itself at the
    ``count``-th event of ``kind`` (``step``, ``checkpoint``, ``write``, ``report``: see
    tests/kill_points/sitecustomize.py)."""
    return {"PYTHONPATH": os.pathsep.join([str(KILL_POINTS), str(REPO)]), "CODESTILTS_KILL_AT": f"{kind}:{count}"}


def tiny_config(data_dir: Path, **overrides) -> dict:
    """A config for the tiny model that trains for a handful of steps."""
    fast = {"learning_rate": 1e-3, "batch_size": 8, "max_steps": 4, "eval_every": 2, "max_train_examples": 32, "max_eval_examples": 16}
    config = {
        "name": "tiny",
        "data_dir": str(data_dir),
        "model": {"name": "tiny", "max_length": 48},
        "seeds": [0],
        "intermediate": ["none", "snli"],
        "targets": ["defect-humanevalpack"],
        "probes": ["xret-humaneval-x"],
        "training": {"intermediate": dict(fast), "target": dict(fast)},
    }
    config.update(overrides)
    return config
