"""``codestilts tasks show NAME``: a task's sizes per language and split, and two rendered examples."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from codestilts.errors import UserError
from codestilts.tasks.base import SPLITS, Record, Task
from codestilts.tasks.loading import load
from codestilts.tasks.registry import TASKS

MAX_FIELD = 600


def render_record(record: Record, task: Task) -> str:
    """One record as ``field: value`` lines; label and tag indices with their names."""
    lines = []
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if field.name == "label" and task.labels:
            value = f"{value} ({task.labels[value]})"
        elif field.name == "tags" and task.labels:
            value = " ".join(f"{w}/{task.labels[t]}" for w, t in zip(record.words, value, strict=True))  # type: ignore[union-attr]
        elif field.name == "words" and task.labels:
            continue
        elif field.name == "spans":
            context = record.context  # type: ignore[union-attr]
            value = "; ".join(f"[{a}, {b}) {context[a:b]!r}" for a, b in value)
        elif field.name == "choices":
            value = "\n" + "\n".join(f"    {i}: {c}" for i, c in enumerate(value))
        text = str(value)
        if len(text) > MAX_FIELD:
            text = text[:MAX_FIELD] + " ..."
        indented = text.replace("\n", "\n    ") if field.name != "choices" else text
        lines.append(f"  {field.name}: {indented}")
    return "\n".join(lines)


def render_task(name: str | None, data_dir: Path | None) -> str:
    if not name:
        raise UserError("`codestilts tasks show` needs a task name")
    task = TASKS.get(name)
    data = load(task, data_dir)
    out = [
        f"{task.name}: {task.description}",
        f"format {task.format.name}; metric {task.metric}; source language {task.source_language}"
        + (f"; labels {', '.join(task.labels)}" if task.labels else "")
        + (f"; Hugging Face {task.hf_dataset}" if task.hf_dataset else "")
        + (f"; defined in {task.origin}" if task.origin else ""),
        f"splits: {task.splits_note}",
        "",
        f"{'language':<10} " + " ".join(f"{s:>7}" for s in SPLITS),
    ]
    for language in task.languages:
        sizes = [len(data.get(language, {}).get(s, [])) for s in SPLITS]
        out.append(f"{language:<10} " + " ".join(f"{n:>7}" for n in sizes))
    source = data.get(task.source_language, {})
    examples = next((source[s][:2] for s in SPLITS if source.get(s)), [])
    for i, record in enumerate(examples, start=1):
        out += ["", f"example {i} ({task.source_language}):", render_record(record, task)]
    return "\n".join(out)
