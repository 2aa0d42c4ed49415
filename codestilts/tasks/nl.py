"""Natural-language intermediate tasks (the English tasks of Phang et al. 2020, or stand-ins)."""

from __future__ import annotations

from pathlib import Path

from codestilts.tasks.base import Format, PairExample, Task, TaskData
from codestilts.tasks.files import read_jsonl
from codestilts.tasks.registry import register
from codestilts.tasks.splits import SplitRule

SNLI_LABELS = ("entailment", "neutral", "contradiction")
SNLI_FILES = ("nl/snli_esnli/snli_dev.derived.jsonl.gz", "nl/snli_esnli/snli_test.derived.jsonl.gz")
SNLI_DEV_SPLIT = SplitRule("snli-dev", (("train", 0.9), ("dev", 0.1)))


def _snli_examples(path: Path, prefix: str) -> list[PairExample]:
    return [
        PairExample(
            id=f"{prefix}-{r['idx']}",
            group=f"{prefix}-{r['idx']}",
            text_a=r["premise"].strip(),
            text_b=r["hypothesis"].strip(),
            label=SNLI_LABELS.index(r["label"]),
        )
        for r in read_jsonl(path)
    ]


def load_snli(data_dir: Path) -> TaskData:
    dev = _snli_examples(data_dir / SNLI_FILES[0], "dev")
    test = _snli_examples(data_dir / SNLI_FILES[1], "test")
    assignment = SNLI_DEV_SPLIT.assign(e.group for e in dev)
    return {
        "en": {
            "train": [e for e in dev if assignment[e.group] == "train"],
            "dev": [e for e in dev if assignment[e.group] == "dev"],
            "test": test,
        }
    }


register(
    Task(
        name="snli",
        format=Format.PAIR_CLASSIFICATION,
        languages=("en",),
        source_language="en",
        metric="accuracy",
        labels=SNLI_LABELS,
        description="SNLI natural language inference (stand-in for MNLI), 3 classes",
        splits_note="train/dev = 90/10 of SNLI dev by hashed id (SNLI train is not on hand); test = SNLI test",
        data_files=SNLI_FILES,
        hf_dataset="stanfordnlp/snli",
        load=load_snli,
    )
)
