"""Task options: by default code inputs mask function names and drop comments; ``task_options:``
keeps them, enters the stage hash, and names the variant in reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.plan import build_plan
from codestilts.tasks import TASKS, TaskOptions, records
from tests.conftest import tiny_config


def python_texts(data_dir: Path, task: str, options: TaskOptions) -> list[str]:
    return [r.text for r in records(TASKS.get(task).with_options(options), data_dir, "python", "test")]


@pytest.mark.parametrize("task", ["xret-humaneval-x", "code-search-humaneval-x"])
def test_names_are_masked_unless_kept(task: str, fixture_data: Path) -> None:
    masked = python_texts(fixture_data, task, TaskOptions())
    kept = python_texts(fixture_data, task, TaskOptions(keep_names=True))
    assert all("add_" not in t and "def func(" in t for t in masked)
    assert all("def add_" in t for t in kept)
    assert all("# adds" not in t for t in kept)


def test_comments_are_dropped_unless_kept(fixture_data: Path) -> None:
    kept = python_texts(fixture_data, "xret-humaneval-x", TaskOptions(keep_comments=True))
    assert all("# adds" in t and "def func(" in t for t in kept)


def test_clone_pairs_keep_names_on_both_sides(fixture_data: Path) -> None:
    pairs = records(TASKS.get("clone-humaneval-x").with_options(TaskOptions(keep_names=True)), fixture_data, "python", "test")
    assert all("add_" in p.text_a for p in pairs)


def test_options_enter_the_stage_hash_and_the_report_label(fixture_data: Path) -> None:
    plain = build_plan(parse_config(tiny_config(fixture_data)))
    kept = build_plan(parse_config(tiny_config(fixture_data, task_options={"xret-humaneval-x": {"keep_names": True}})))
    probes = {s.id: s for s in kept.stages if s.kind == "probe"}
    assert not set(probes) & {s.id for s in plain.stages if s.kind == "probe"}
    assert {s.labels["task"] for s in probes.values()} == {"xret-humaneval-x[keep_names]"}
    identity = next(iter(probes.values())).params["task"]
    assert TASKS.task_for(identity).options == TaskOptions(keep_names=True)
    # every other stage is untouched, and a task without options keeps its identity (old stage ids stay valid)
    assert {s.id for s in plain.stages if s.kind != "probe"} == {s.id for s in kept.stages if s.kind != "probe"}
    assert "options" not in TASKS.get("xret-humaneval-x").identity()


def test_an_intermediate_task_takes_its_options(fixture_data: Path) -> None:
    config = tiny_config(fixture_data, intermediate=["clone-humaneval-x"], task_options={"clone-humaneval-x": {"keep_comments": True}})
    (inter,) = [s for s in build_plan(parse_config(config)).stages if s.kind == "intermediate"]
    assert TASKS.task_for(inter.params["tasks"][0]).options.keep_comments


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"snli": {"keep_names": True}}, "takes no options"),
        ({"xret-humaneval": {"keep_names": True}}, "unknown task"),
        ({"xret-humaneval-x": {"keep_name": True}}, "unknown key"),
    ],
)
def test_option_mistakes_are_user_errors(options: dict, message: str, fixture_data: Path) -> None:
    with pytest.raises(UserError, match=message):
        build_plan(parse_config(tiny_config(fixture_data, task_options=options)))
