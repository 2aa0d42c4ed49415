"""``codestilts tasks init NAME --format F``: a commented task file for format F and a small data
file in its shape, which load as they are (replace the data with yours)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codestilts.errors import UserError
from codestilts.formats import FORMATS
from codestilts.tasks.taskfile.schema import NAME_PATTERN, definable, did_you_mean

Rows = Callable[[int], dict[str, Any]]

_LABELS = {
    "classification": "labels: [correct, buggy]           # label names; the label column holds one of them (label_map: maps other values)",
    "pair_classification": "labels: [different, same]",
    "token_tagging": "labels: [keyword, name, punctuation]   # the tags",
}
_FIELDS: dict[str, tuple[str, Rows]] = {
    "classification": (
        "  text: code\n  label: verdict\n  group: problem                  # records of one group share a split (default: the id)",
        lambda i: {"code": f"def add(x):\n    return x + {i}", "verdict": ["correct", "buggy"][i % 2], "problem": f"p{i // 2}"},
    ),
    "pair_classification": (
        "  text_a: first\n  text_b: second\n  label: same",
        lambda i: {"first": f"def f(x):\n    return x * {i}", "second": f"def g(y):\n    return y * {i + i % 2}", "same": ["same", "different"][i % 2]},
    ),
    "multiple_choice": (
        '  context: "Question: {{ question }}"   # a Jinja template over the columns\n'
        "  choices: [answer_a, answer_b]   # one choice per column (or one column holding a list)\n"
        "  label: correct                  # the right choice's index",
        lambda i: {"question": f"What does f({i}) return?", "answer_a": str(i + 1), "answer_b": str(i + 2), "correct": i % 2},
    ),
    "span_extraction": (
        "  question: question\n  context: code\n  answer_start: start      # the answer's first character in the context\n  answer_text: answer",
        lambda i: {"question": "Which line returns?", "code": f"x = {i}\nreturn x", "start": len(f"x = {i}\n"), "answer": "return x"},
    ),
    "token_tagging": (
        "  words: tokens                   # a list of words (a JSON list in csv/tsv cells)\n  tags: roles                     # one tag per word",
        lambda i: {"tokens": ["def", f"f{i}", "(", ")"], "roles": ["keyword", "name", "punctuation", "punctuation"]},
    ),
    "generation": (
        "  prompt: question                # the text the model continues\n  target: answer                  # the reference completion (scored by exact match)",
        lambda i: {"question": f"x = {i}\nprint(x + 1)\n# Output:", "answer": f" {i + 1}"},
    ),
    "retrieval": (
        "  text: code\n  query: doc                      # optional: with a query, the query retrieves its text (code search)",
        lambda i: {"code": f"def f(x):\n    return x ** {i}", "doc": f"raise x to the power {i}"},
    ),
}
EXAMPLE_ROWS = 20

TEMPLATE = """\
# {name}: a {format} task defined by this file alone (docs/tasks.md describes every key).
# Try it: codestilts tasks --task-file {name}.yaml show {name}
name: {name}
format: {format}
languages: [python]                # canonical names or aliases; the first is the source language
# source_language: python          # probes start from it instead of the experiment's source_language
description: an example {format} task
{labels}
fields:                            # record field -> a column, a Jinja template, a list, or {{language: column}}
{fields}
data: {name}.jsonl                 # a file, a glob ("shards/*.jsonl") or a list, for every language;
                                   # or per split ({{train: ..., test: ...}}) and/or per language ({{python: ...}})
split: {{hash: {{by: group, train: 0.6, dev: 0.1, test: 0.3}}}}   # makes the splits of unsplit data
# max_test_examples: 1000          # at most this many test records per language (chosen by hashed group)
# clean: {{fields: [text]}}          # code cleaned as built-in tasks do: comments, docstrings, imports dropped, function names masked
{text}"""


def _text_line(format_name: str) -> str:
    """The format's default text form as a commented ``text:`` line; nothing for a format without one."""
    template = FORMATS[format_name].text_template
    if template is None:
        return ""
    form = f"{{prompt: {json.dumps(template.prompt)}, choice: {json.dumps(template.choice)}}}"
    return f"# text: {form}   # decoder and seq2seq models: the record as prompt and choices (the default)\n"


def write_skeleton(name: str, format_name: str, folder: Path) -> list[Path]:
    """Write ``NAME.yaml`` and ``NAME.jsonl`` in ``folder``; an existing file is never overwritten."""
    if format_name not in definable() or format_name not in _FIELDS:
        raise UserError(f"format {format_name!r} cannot be defined in a task file (expected one of {', '.join(definable())})", hint=did_you_mean(format_name, definable()))
    if not re.match(NAME_PATTERN, name):
        raise UserError(f"task name {name!r} must start with a letter or digit and hold only letters, digits, '_', '.' and '-'")
    task, data = folder / f"{name}.yaml", folder / f"{name}.jsonl"
    for path in (task, data):
        if path.exists():
            raise UserError(f"{path} exists; not overwritten", hint="choose another name or folder")
    fields, rows = _FIELDS[format_name]
    folder.mkdir(parents=True, exist_ok=True)
    data.write_text("".join(json.dumps(rows(i)) + "\n" for i in range(EXAMPLE_ROWS)), encoding="utf-8")
    labels = _LABELS.get(format_name, "# labels: none for this format")
    task.write_text(TEMPLATE.format(name=name, format=format_name, labels=labels, fields=fields, text=_text_line(format_name)), encoding="utf-8")
    return [task, data]
