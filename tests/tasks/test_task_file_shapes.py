"""The four shapes of benchmark data that task files read with no conversion script (issue 16),
loaded, then run end to end (plan -> run -> report) with the tiny model; an edit of a task file or
of its data reruns exactly the stages that read it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import api, run
from codestilts.errors import UserError
from codestilts.tasks import TASKS, TaskOptions, load
from codestilts.tasks.taskfile.files import expand
from tests.conftest import tiny_config
from tests.tasks import taskfile_fixtures as fx


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shapes")
    for write in (fx.shards, fx.parallel, fx.goals, fx.bugs):
        write(folder)
    return folder


@pytest.fixture(autouse=True)
def shard_folder(shapes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARDS", str(shapes / "shards"))


def test_shards_globs_and_lists_per_language_and_split(shapes: Path) -> None:
    task = TASKS.load_file(shapes / "shard-defects.yaml")
    data = load(task, None)
    assert [len(data["python"][s]) for s in ("train", "dev", "test")] == [24, 6, 8]
    assert len(data["java"]["test"]) == 10  # two gzipped shards through {language}
    assert [r.label for r in data["python"]["train"][:2]] == [0, 1]  # label_map: 0 -> correct, 1 -> buggy
    assert data["python"]["train"][8].text.startswith("python routine 8")  # shards in name order
    assert len({r.id for r in data["python"]["train"]}) == 24


def test_paths_expand_variables_home_and_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BENCH", "bench")
    assert expand("~/${BENCH}/{language}.jsonl", "java", tmp_path, "x") == tmp_path / "home" / "bench" / "java.jsonl"
    monkeypatch.delenv("BENCH")
    with pytest.raises(UserError, match="environment variable BENCH is not set"):
        expand("${BENCH}/a.jsonl", "java", tmp_path, "x")


def test_one_file_with_a_column_per_language_split_by_hashed_group(shapes: Path) -> None:
    task = TASKS.load_file(shapes / "parallel-funcs.yaml")
    data = load(task, None)
    splits = {lang: {s: {r.group for r in per[s]} for s in per} for lang, per in data.items()}
    assert splits["python"] == splits["java"] == splits["cpp"]  # a problem is in one split in every language
    assert sum(len(groups) for groups in splits["python"].values()) == fx.PROBLEMS
    assert {len(splits["python"][s]) for s in ("train", "dev", "test")} == {15, 3, 12}
    texts = [r.text for per in data.values() for split in per.values() for r in split]
    assert all("solve_" not in t and "adds" not in t and "func" in t for t in texts)  # names masked, comments gone
    assert "int func(int x)" in data["cpp"]["test"][0].text
    kept = load(task.with_options(TaskOptions(keep_names=True, keep_comments=True)), None)
    assert all("solve_" in r.text and "adds" in r.text for r in kept["java"]["test"])


def test_choices_from_columns_labels_from_a_side_file(shapes: Path) -> None:
    data = load(TASKS.load_file(shapes / "goal-mc.yaml"), None)["en"]
    first, second = data["train"][:2]
    assert first.context == "Goal: train goal number 0" and first.choices == ("first way train 0", "second way train 0")
    assert (first.label, second.label) == (0, 1)
    assert [len(data[s]) for s in ("train", "dev", "test")] == [24, 8, 8]


def test_templates_give_lists_and_labels(tmp_path: Path) -> None:
    fx.write_jsonl(tmp_path / "rows.jsonl", [{"q": f"q{i}", "endings": [f"a{i}", f"b{i}", f"c{i}"], "answer": "2"} for i in range(3)])
    path = fx.write_yaml(tmp_path / "endings.yaml", {
        "name": "endings-mc", "format": "multiple_choice", "languages": ["en"],
        "fields": {"context": "{{ q }}?", "choices": "{{ endings | tojson }}", "label": "{{ answer | int - 1 }}"},
        "data": {"test": "rows.jsonl"},
    })
    record = load(TASKS.load_file(path), None)["en"]["test"][2]
    assert (record.context, record.choices, record.label) == ("q2?", ("a2", "b2", "c2"), 1)


def test_a_side_file_of_another_length_is_one_message(shapes: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load((shapes / "goal-mc.yaml").read_text())
    spec["name"] = "goal-mc-short"
    (tmp_path / "short.lst").write_text("0\n1\n")
    spec["data"] = {s: {"files": str(shapes / "goals" / f"{s}.jsonl"), "labels": "short.lst"} for s in ("train", "dev", "test")}
    with pytest.raises(UserError, match="short.lst has 2 labels, fewer than the rows"):
        load(TASKS.load_file(fx.write_yaml(tmp_path / "short.yaml", spec)), None)


def test_one_row_into_two_records_split_together_and_test_capped(shapes: Path) -> None:
    task = TASKS.load_file(shapes / "bug-pairs.yaml")
    data = load(task, None)
    for lang in ("python", "java"):
        by_group: dict[str, set[str]] = {}
        for split, records in data[lang].items():
            for r in records:
                by_group.setdefault(r.group, set()).add(split)
        assert all(len(splits) == 1 for splits in by_group.values())  # buggy and fixed stay together
        train = {r.id: r for r in data[lang]["train"]}
        pair = next(g for g in by_group if f"{g}/buggy" in train)
        assert (train[f"{pair}/buggy"].label, train[f"{pair}/fixed"].label) == (1, 0)
        assert train[f"{pair}/buggy"].text.endswith(f"x - {pair[1:]}")
    assert len(data["python"]["test"]) == len(data["java"]["test"]) == 6
    assert {r.group for r in data["python"]["test"]} == {r.group for r in data["java"]["test"]}  # the same problems kept


@pytest.mark.slow
def test_four_shapes_run_end_to_end_and_an_edit_reruns_exactly_its_stages(shapes: Path, tmp_path: Path, fixture_data: Path) -> None:
    files = [str(shapes / f"{name}.yaml") for name in ("shard-defects", "parallel-funcs", "goal-mc", "bug-pairs")]
    config = tiny_config(
        fixture_data, intermediate=["none", "goal-mc"], targets=["shard-defects", "bug-pairs"], probes=["parallel-funcs"], task_files=files
    )
    out = tmp_path / "run"
    result = run(config, out=out)
    assert result.summary.ok and not result.summary.reused
    frame = result.results
    for target, languages in (("shard-defects", {"python", "java"}), ("bug-pairs", {"python", "java"})):
        rows = frame[(frame.target == target) & frame.primary]
        assert set(rows.language) == languages and set(rows.intermediate) == {"none", "goal-mc"}
    probe = frame[frame.target == "parallel-funcs"]
    assert set(probe.source_language) == {"java"} and set(probe.language) == {"python", "cpp"}  # the task file's source
    for folder in (out / "stages").iterdir():
        assert isinstance(json.loads((folder / "timing.json").read_text())["wall_seconds"], float), folder.name
    times = pd.read_csv(out / "stages.csv")
    assert sorted(times.stage) == sorted(p.name for p in (out / "stages").iterdir()) and times.wall_seconds.notna().all()
    assert set(times.kind) == {"intermediate", "target", "evaluate", "probe"}

    def pending() -> set[str]:
        return {stage for stage, status in api.stage_status(api.plan(config), out) if status != "done"}

    assert pending() == set()
    fx.write_jsonl(shapes / "java_bugs.jsonl", [*map(json.loads, (shapes / "java_bugs.jsonl").read_text().splitlines()),
                                                {"bug_id": "b99", "before": "java version 99: x", "after": "java version 99: y"}])
    reran = pending()
    assert len(reran) == 4 and all("bug-pairs" in stage for stage in reran)  # target + evaluate, per intermediate option
    spec = yaml.safe_load((shapes / "shard-defects.yaml").read_text())
    fx.write_yaml(shapes / "shard-defects.yaml", spec | {"metric": "f1"})  # the records stay as they were
    assert pending() - reran == {s for s in pending() if "shard-defects" in s} and len(pending()) == 8
    frame = run(config, out=out).results
    assert set(frame[(frame.target == "shard-defects") & frame.primary].metric) == {"f1"}


def test_a_probe_takes_the_task_files_source_language(shapes: Path, tmp_path: Path) -> None:
    """A benchmark without the experiment's source language (python) probes from its own."""
    spec = yaml.safe_load((shapes / "parallel-funcs.yaml").read_text())
    spec |= {"name": "parallel-no-python", "languages": ["java", "cpp"], "fields": {"text": {"java": "java", "cpp": "cpp"}, "group": "problem"},
             "data": str(shapes / "parallel.jsonl")}
    path = fx.write_yaml(tmp_path / "no-python.yaml", spec)
    config = tiny_config(tmp_path, intermediate=["none"], targets=[], probes=["parallel-no-python"], task_files=[str(path)])
    (stage,) = api.plan(config).stages
    assert stage.params["source_language"] == "java" and stage.labels["source"] == "java"
    fx.write_yaml(path, {k: v for k, v in spec.items() if k != "source_language"})
    with pytest.raises(UserError, match="has no source language 'python'"):
        api.plan(config)


def test_a_hugging_face_dataset_through_the_same_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    served = {"train": [{"code": f"x = {i}", "y": i % 2} for i in range(4)], "validation": [{"code": "y = 1", "y": 1}]}
    monkeypatch.setattr(datasets, "load_dataset", lambda path, name=None, split=None, **_: served[split])
    path = fx.write_yaml(tmp_path / "hub.yaml", {
        "name": "hub-defects", "format": "classification", "languages": ["python"], "labels": ["ok", "bad"],
        "label_map": {0: "ok", 1: "bad"}, "fields": {"text": "# {{ code }}", "label": "y"},
        "hf": {"id": "org/defects", "language": "python", "splits": {"train": "train", "test": "validation"}},
    })
    data = load(TASKS.load_file(path), None)["python"]
    assert [(r.text, r.label) for r in data["train"][:2]] == [("# x = 0", 0), ("# x = 1", 1)] and len(data["test"]) == 1
