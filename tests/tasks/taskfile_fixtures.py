"""Small benchmarks in the four shapes that task files read without a conversion script (issue 16):
shards per language and split, one file with a column per language, choices from several columns
with labels in side files, and one row holding a buggy and a fixed version, split by hashed group."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import yaml

PROBLEMS = 30
LANGUAGES = {
    "python": "# adds\ndef solve_{i}(x):\n    return x + {i}\n",
    "java": "class Solution {{\n    // adds\n    int solve_{i}(int x) {{ return x + {i}; }}\n}}\n",
    "cpp": "// adds\nint solve_{i}(int x) {{ return x + {i}; }}\n",
}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def write_yaml(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def shards(folder: Path) -> Path:
    """A classification benchmark sharded in many files per language and split; labels 0/1; the
    shard folder through ``${SHARDS}``."""
    counter = iter(range(10_000))

    def rows(language: str, n: int) -> list[dict]:
        out = []
        for _ in range(n):
            k = next(counter)
            out.append({"func": f"{language} routine {k}: return value + {k}", "target": k % 2})
        return out

    for index in range(3):
        write_jsonl(folder / "shards" / "python" / f"train-{index:05d}.jsonl", rows("python", 8))
    write_jsonl(folder / "shards" / "python" / "dev-00000.jsonl", rows("python", 6))
    for index in range(2):
        write_jsonl(folder / "shards" / "python" / f"test-{index:05d}.jsonl", rows("python", 4))
        write_jsonl(folder / "shards" / "java" / f"test-{index:05d}.jsonl.gz", rows("java", 5))
    return write_yaml(folder / "shard-defects.yaml", {
        "name": "shard-defects",
        "format": "classification",
        "languages": ["python", "java"],
        "labels": ["correct", "buggy"],
        "label_map": {0: "correct", 1: "buggy"},
        "fields": {"text": "func", "label": "target"},
        "data": {
            "python": {"train": "${SHARDS}/python/train-*.jsonl", "dev": "${SHARDS}/python/dev-*.jsonl",
                       "test": ["${SHARDS}/python/test-00000.jsonl", "${SHARDS}/python/test-00001.jsonl"]},
            "java": {"test": "${SHARDS}/{language}/test-*.jsonl.gz"},
        },
    })


def parallel(folder: Path) -> Path:
    """One file with a column per language (the same function in each, named alike in all: a
    leak that cleaning masks), split by hashed problem; a probe from Java."""
    write_jsonl(folder / "parallel.jsonl", [
        {"problem": f"p{i}", **{lang: code.format(i=i) for lang, code in LANGUAGES.items()}} for i in range(PROBLEMS)
    ])
    return write_yaml(folder / "parallel-funcs.yaml", {
        "name": "parallel-funcs",
        "format": "retrieval",
        "languages": ["python", "java", "cpp"],
        "source_language": "java",
        "fields": {"text": {"python": "python", "java": "java", "cpp": "cpp"}, "group": "problem"},
        "clean": {"fields": ["text"]},
        "data": "parallel.jsonl",
        "split": {"hash": {"by": "group", "train": 0.5, "dev": 0.1, "test": 0.4}},
    })


def goals(folder: Path) -> Path:
    """Multiple choice in PIQA's shape: a goal, two solutions in two columns, labels in a side file."""
    for split, n in (("train", 24), ("dev", 8), ("test", 8)):
        write_jsonl(folder / "goals" / f"{split}.jsonl", [
            {"goal": f"{split} goal number {i}", "sol1": f"first way {split} {i}", "sol2": f"second way {split} {i}"} for i in range(n)
        ])
        (folder / "goals" / f"{split}-labels.lst").write_text("".join(f"{i % 2}\n" for i in range(n)), encoding="utf-8")
    return write_yaml(folder / "goal-mc.yaml", {
        "name": "goal-mc",
        "format": "multiple_choice",
        "languages": ["en"],
        "fields": {"context": "Goal: {{ goal }}", "choices": ["sol1", "sol2"]},
        "data": {split: {"files": f"goals/{split}.jsonl", "labels": f"goals/{split}-labels.lst"} for split in ("train", "dev", "test")},
    })


def bugs(folder: Path) -> Path:
    """A bug benchmark: one row holds a buggy and a fixed version; one file per language, split by
    hashed bug id, test capped."""
    for lang in ("python", "java"):
        write_jsonl(folder / f"{lang}_bugs.jsonl", [
            {"bug_id": f"b{i}", "before": f"{lang} version {i}: return x - {i}", "after": f"{lang} version {i}: return x + {i}"} for i in range(PROBLEMS)
        ])
    return write_yaml(folder / "bug-pairs.yaml", {
        "name": "bug-pairs",
        "format": "classification",
        "languages": ["python", "java"],
        "labels": ["correct", "buggy"],
        "fields": {"id": "bug_id"},
        "explode": [
            {"id": "buggy", "label": "buggy", "fields": {"text": "before"}},
            {"id": "fixed", "label": "correct", "fields": {"text": "after"}},
        ],
        "data": "{language}_bugs.jsonl",
        "split": {"hash": {"by": "group", "train": 0.6, "dev": 0.1, "test": 0.3}},
        "max_test_examples": 6,
    })
