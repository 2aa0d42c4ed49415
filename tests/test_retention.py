"""Checkpoint retention (config ``retention:``): a trained stage's checkpoint goes once every stage
that reads it is complete, the stage stays complete with its results, and a later stage that needs
the checkpoint runs the stage again first."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.cli import main
from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.executor import ExecutionOptions
from codestilts.plan import build_plan
from codestilts.retention import Retention
from codestilts.stages import RUNNERS
from codestilts.stages.common import RESUME
from codestilts.store import CHECKPOINT, StageDir, Store, read_json
from tests.conftest import REPO, kill_at, tiny_config

DROP_ALL = {"intermediate": "drop", "target": "drop"}
TRAINED = ("pretrain", "intermediate", "target")
REPORT = ("report.md", "results.csv", "main.csv", "comparisons.csv", "report.json", "report.tex")
"""The report's files; stages.csv (wall times) differs between any two runs."""
NEW_TARGET = "clone-humaneval-x"


def stages(out: Path, *kinds: str) -> dict[str, StageDir]:
    """The run's stage folders of ``kinds``, by stage id, in plan order."""
    planned = read_json(out / "plan.json")["stages"]
    return {s["id"]: StageDir(out / "stages" / s["id"]) for s in planned if s["kind"] in kinds}


def holding(out: Path) -> dict[str, set[bool]]:
    """Per trained stage kind, whether its stages hold their checkpoint (``{True}``: all do)."""
    held: dict[str, set[bool]] = {}
    for stage_id, folder in stages(out, *TRAINED).items():
        held.setdefault(stage_id.split("-")[0], set()).add((folder / CHECKPOINT).is_dir())
    return held


def one(out: Path, prefix: str) -> str:
    (found,) = [stage_id for stage_id in stages(out, *TRAINED, "evaluate", "probe") if stage_id.startswith(prefix)]
    return found


@pytest.fixture(scope="module")
def kept(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory):
    return run(parse_config(tiny_config(fixture_data)), out=tmp_path_factory.mktemp("kept"))


@pytest.fixture(scope="module")
def dropped(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory):
    return run(parse_config(tiny_config(fixture_data, retention=DROP_ALL)), out=tmp_path_factory.mktemp("dropped"))


def test_retention_enters_no_stage_hash(fixture_data: Path) -> None:
    plain = build_plan(parse_config(tiny_config(fixture_data)))
    dropping = build_plan(parse_config(tiny_config(fixture_data, retention=DROP_ALL | {"pretrain": "drop"})))
    assert [s.id for s in dropping.stages] == [s.id for s in plain.stages]


def test_a_misspelt_retention_is_a_user_error(fixture_data: Path) -> None:
    with pytest.raises(UserError) as caught:
        parse_config(tiny_config(fixture_data, retention={"target": "delete"}))
    assert "retention.target" in caught.value.render() and "drop" in caught.value.render()


def test_keep_is_the_default_and_keeps_every_checkpoint(kept) -> None:
    trained = stages(kept.out, *TRAINED)
    assert len(trained) == 3
    for folder in trained.values():
        assert (folder / CHECKPOINT).is_dir() and not folder.checkpoint_dropped()
        assert folder.verify(deep=True) == [] and not (folder / RESUME).exists()  # training removed its resumable checkpoint


def test_drop_removes_the_checkpoints_and_keeps_the_results(kept, dropped) -> None:
    assert dropped.summary.ok and len(dropped.summary.ran) == 7
    for folder in stages(dropped.out, *TRAINED).values():
        assert not (folder / CHECKPOINT).exists() and folder.checkpoint_dropped()
        assert folder.status() == "done" and (folder / "metrics.json").is_file() and (folder / "timing.json").is_file()
    for folder in stages(dropped.out, "evaluate", "probe").values():
        assert (folder / "predictions.jsonl").is_file() and folder.status() == "done"
    for name in REPORT:
        assert (dropped.out / name).read_bytes() == (kept.out / name).read_bytes(), name


def test_a_finished_run_with_drop_reruns_nothing(fixture_data: Path, dropped, tmp_path: Path) -> None:
    out = tmp_path / "run"
    shutil.copytree(dropped.out, out)
    again = run(parse_config(tiny_config(fixture_data, retention=DROP_ALL)), out=out)
    assert again.summary.ran == [] and len(again.summary.reused) == 7
    pd.testing.assert_frame_equal(again.results, dropped.results)


def test_drop_asked_later_drops_at_the_next_run(fixture_data: Path, kept, tmp_path: Path) -> None:
    out = tmp_path / "run"
    shutil.copytree(kept.out, out)
    again = run(parse_config(tiny_config(fixture_data, retention={"target": "drop"})), out=out)
    assert again.summary.ran == []
    assert holding(out) == {"intermediate": {True}, "target": {False}}


def test_a_stage_that_needs_a_dropped_checkpoint_reruns_its_parent(fixture_data: Path, dropped, tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    shutil.copytree(dropped.out, out)
    raw = tiny_config(fixture_data, retention=DROP_ALL, targets=["defect-humanevalpack", NEW_TARGET])
    config = tmp_path / "exp.yaml"
    config.write_text(yaml.safe_dump(raw))
    inter = one(out, "intermediate-snli")
    before = read_json(out / "stages" / inter / "metrics.json")

    assert main(["plan", str(config), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    new = [s.id for s in build_plan(parse_config(raw)).stages if NEW_TARGET in s.id]  # target, evaluate: none, then snli
    new_snli = new[2]
    assert f"rerun {inter}: its checkpoint was dropped (retention) and {new_snli} reads it" in printed
    assert "11 stages: 6 done, 4 pending, 0 failed, 1 to rerun; 5 to run" in printed

    again = run(parse_config(raw), out=out)
    assert again.summary.ok
    assert again.summary.ran == [*new[:2], inter, *new[2:]]
    after = read_json(out / "stages" / inter / "metrics.json")
    assert {k: v for k, v in after.items() if k not in ("seconds", "timing")} == {k: v for k, v in before.items() if k not in ("seconds", "timing")}
    for folder in stages(out, *TRAINED).values():  # every child complete again: every checkpoint dropped again
        assert not (folder / CHECKPOINT).exists() and folder.checkpoint_dropped()
    assert set(again.results["target"]) == {"defect-humanevalpack", NEW_TARGET, "xret-humaneval-x"}
    columns = ["intermediate", "target", "language", "seed", "metric", "value"]
    old = again.results[again.results["target"] != NEW_TARGET][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(old, dropped.results[columns].reset_index(drop=True))


def test_no_drop_while_a_child_has_failed(fixture_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tiny_config(fixture_data, probes=[], retention={"target": "drop"})

    def broken(ctx) -> None:
        raise RuntimeError("evaluate exploded")

    monkeypatch.setitem(RUNNERS, "evaluate", broken)
    failed = run(parse_config(raw), out=tmp_path)
    assert len(failed.summary.failed) == 2
    for folder in stages(tmp_path, *TRAINED).values():
        assert (folder / CHECKPOINT).is_dir() and not folder.checkpoint_dropped()
    monkeypatch.undo()
    assert run(parse_config(raw), out=tmp_path).summary.ran == []  # still failed: still kept
    assert holding(tmp_path) == {"intermediate": {True}, "target": {True}}
    retried = run(parse_config(raw), out=tmp_path, options=ExecutionOptions(retry_failed=True))
    assert [s.split("-")[0] for s in retried.summary.ran] == ["evaluate", "evaluate"]
    assert holding(tmp_path) == {"intermediate": {True}, "target": {False}}  # intermediate: keep


def _fake_complete(folder: StageDir, stage_id: str) -> None:
    folder.begin({"id": stage_id})
    (folder / CHECKPOINT).mkdir()
    (folder / CHECKPOINT / "model.safetensors").write_bytes(b"w" * 16)
    (folder / "metrics.json").write_text("{}")
    folder.complete()


def test_no_drop_while_a_child_is_pending(fixture_data: Path, tmp_path: Path) -> None:
    """As the Ray executor's driver sees it: children finish one by one, in any order."""
    planned = build_plan(parse_config(tiny_config(fixture_data, retention=DROP_ALL)))
    store = Store(tmp_path)
    for stage in planned.stages:
        _fake_complete(store.stage(stage.id), stage.id)
    by_prefix = {prefix: next(s.id for s in planned.stages if s.id.startswith(prefix)) for prefix in (
        "intermediate-snli", "target-defect-humanevalpack-snli", "evaluate-defect-humanevalpack-snli", "probe-xret-humaneval-x-snli")}
    inter, target, evaluate, probe = by_prefix.values()
    retention = Retention(planned, store, {s.id: "reuse" if s.id == target else "run" for s in planned.stages})

    def has_checkpoint(stage_id: str) -> bool:
        return (store.stage(stage_id) / CHECKPOINT).is_dir()

    assert has_checkpoint(target)  # reused (finished), but its evaluate runs
    retention.finished(inter)
    assert has_checkpoint(inter)  # its target is reused, its probe still runs
    retention.finished(evaluate)
    assert not has_checkpoint(target) and has_checkpoint(inter)
    retention.finished(probe)
    assert not has_checkpoint(inter)
    untouched = [s.id for s in planned.stages if s.kind == "target" and s.id != target]
    assert untouched and all(has_checkpoint(s) for s in untouched)  # never finished
    assert all(store.stage(s).status() == "done" for s in (inter, target, evaluate, probe))


def _kill_while_dropping(config: Path, out: Path, count: int) -> None:
    command = [sys.executable, "-m", "codestilts.cli", "run", str(config), "--out", str(out)]
    process = subprocess.run(command, cwd=REPO, env=os.environ | kill_at("drop", count), capture_output=True, text=True, timeout=600)
    assert process.returncode == -signal.SIGKILL, process.stderr


@pytest.mark.slow
def test_a_kill_while_dropping_leaves_no_torn_stage(fixture_data: Path, kept, tmp_path: Path) -> None:
    config = tmp_path / "exp.yaml"
    config.write_text(yaml.safe_dump(tiny_config(fixture_data, retention=DROP_ALL)))
    out = tmp_path / "out"
    for count in (1, 2):  # the first drop of the run, then the second of the next (the first only finishes a torn one)
        _kill_while_dropping(config, out, count)
        torn = 0
        for folder in stages(out, *TRAINED).values():
            if not (folder / "COMPLETE.json").exists():
                continue
            assert folder.verify(deep=True) == [], folder.path.name  # complete, with its checkpoint or without
            torn += folder.checkpoint_dropped() and (folder / CHECKPOINT).exists()
        assert torn == 1  # the one killed midway: marked dropped, some files left over
    final = subprocess.run([sys.executable, "-m", "codestilts.cli", "run", str(config), "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    for folder in stages(out, *TRAINED).values():
        assert folder.checkpoint_dropped() and not (folder / CHECKPOINT).exists() and folder.status() == "done"
    assert (out / "results.csv").read_bytes() == (kept.out / "results.csv").read_bytes()


@pytest.mark.slow
def test_ray_executor_drops_and_reruns_by_the_same_rule(fixture_data: Path, kept, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        first = run(parse_config(tiny_config(fixture_data, retention=DROP_ALL)), out=tmp_path, executor="ray")
        assert first.summary.ok and all(f.checkpoint_dropped() and not (f / CHECKPOINT).exists() for f in stages(tmp_path, *TRAINED).values())
        assert (tmp_path / "results.csv").read_bytes() == (kept.out / "results.csv").read_bytes()
        raw = tiny_config(fixture_data, retention=DROP_ALL, targets=["defect-humanevalpack", NEW_TARGET])
        again = run(parse_config(raw), out=tmp_path, executor="ray")
    finally:
        ray.shutdown()
    assert again.summary.ok and one(tmp_path, "intermediate-snli") in again.summary.ran
    assert all(f.checkpoint_dropped() and not (f / CHECKPOINT).exists() for f in stages(tmp_path, *TRAINED).values())
