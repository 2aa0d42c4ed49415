"""A task's records are built once and read back from the disk cache in later processes, until
their data, their task file or their loaders change; many tasks are built in worker processes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from codestilts.errors import UserError
from codestilts.tasks import TASKS, cache, loading
from codestilts.tasks.base import Task
from codestilts.tasks.prepare import prepare, to_build
from codestilts.tasks.sizes import SIZES, task_sizes
from tests.conftest import build_fixture_data
from tests.tasks.test_user_tasks import _task_file


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache, and a process that has read no task yet: a new process, as far as loading goes."""
    monkeypatch.setenv("CODESTILTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(loading, "_LOADED", {})
    return tmp_path / "cache"


def counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tasks whose loaders run from now on."""
    reads: list[str] = []
    original = Task.read

    def read(self: Task, root: Path):
        reads.append(self.name)
        return original(self, root)

    monkeypatch.setattr(Task, "read", read)
    return reads


def test_records_are_built_once_and_read_back_in_a_new_process(fresh: Path, tmp_path: Path, monkeypatch) -> None:
    data = build_fixture_data(tmp_path / "data", problems=12)
    task = TASKS.get("clone-humaneval-x")
    reads = counting_reads(monkeypatch)
    built = loading.load(task, data)
    monkeypatch.setattr(loading, "_LOADED", {})
    assert loading.load(task, data) == built
    assert reads == ["clone-humaneval-x"]
    (entry,) = (fresh / cache.RECORDS).iterdir()
    assert entry.name.startswith("clone-humaneval-x-")


def test_changed_data_is_built_again_and_replaces_the_old_entry(fresh: Path, tmp_path: Path, monkeypatch) -> None:
    data = build_fixture_data(tmp_path / "data", problems=12)
    task = TASKS.get("snli")
    before = loading.load(task, data)
    test_file = data / "nl/snli_esnli/snli_test.derived.jsonl.gz"
    test_file.write_bytes(b"")
    os.utime(test_file, ns=(test_file.stat().st_atime_ns, test_file.stat().st_mtime_ns + 10**9))
    monkeypatch.setattr(loading, "_LOADED", {})
    after = loading.load(task, data)
    assert before["en"]["test"] and not after["en"]["test"]
    assert len(list((fresh / cache.RECORDS).glob("snli-*.pickle"))) == 1


def test_a_changed_loader_source_builds_again(fresh: Path, monkeypatch) -> None:
    task = TASKS.get("synth-paraphrase")  # no data files: keyed by the loaders' source alone
    reads = counting_reads(monkeypatch)
    loading.load(task, None)
    monkeypatch.setattr(loading, "_LOADED", {})
    loading.load(task, None)
    assert reads == ["synth-paraphrase"]
    monkeypatch.setattr(cache, "loaders_digest", lambda: "an edited loader")
    monkeypatch.setattr(loading, "_LOADED", {})
    loading.load(task, None)
    assert reads == ["synth-paraphrase"] * 2


def test_an_edited_task_file_is_built_again(fresh: Path, tmp_path: Path, monkeypatch) -> None:
    spec = _task_file(tmp_path, "user-cached")
    before = loading.load(TASKS.load_file(spec), None)
    edited = yaml.safe_load(spec.read_text()) | {"fields": {"text_a": "b", "text_b": "a", "label": "same"}}
    spec.write_text(yaml.safe_dump(edited))
    os.utime(spec, ns=(spec.stat().st_atime_ns, spec.stat().st_mtime_ns + 10**9))
    monkeypatch.setattr(loading, "_LOADED", {})
    after = loading.load(TASKS.load_file(spec), None)
    assert after["python"]["train"][0].text_a == before["python"]["train"][0].text_b


def test_a_torn_entry_is_built_again_with_a_warning(fresh: Path, monkeypatch, caplog: pytest.LogCaptureFixture) -> None:
    task = TASKS.get("synth-paraphrase")
    built = loading.load(task, None)
    (entry,) = (fresh / cache.RECORDS).iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    monkeypatch.setattr(loading, "_LOADED", {})
    with caplog.at_level(logging.WARNING, logger="codestilts"):
        assert loading.load(task, None) == built
    assert any("could not read the cached records of synth-paraphrase" in r.getMessage() for r in caplog.records)


def test_without_a_cache_records_are_built_every_time(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CODESTILTS_CACHE", "off")
    reads = counting_reads(monkeypatch)
    for _ in range(2):
        monkeypatch.setattr(loading, "_LOADED", {})
        loading.load(TASKS.get("synth-paraphrase"), None)
    assert reads == ["synth-paraphrase"] * 2


def test_the_hub_is_never_cached(fresh: Path) -> None:
    assert cache.entry(TASKS.get("snli").from_source("hf"), None, cache.RECORDS) is None


def test_little_data_is_left_to_the_caller(fresh: Path, tmp_path: Path) -> None:
    """Starting workers costs more than building a few small tasks: nothing is built ahead."""
    data = build_fixture_data(tmp_path / "data", problems=12)
    tasks = [TASKS.get(name) for name in ("clone-humaneval-x", "snli")]
    prepare(tasks, data, [SIZES])
    assert to_build(tasks, data, [SIZES]) == tasks


@pytest.mark.slow
def test_prepare_builds_the_missing_tasks_in_workers(fresh: Path, tmp_path: Path, monkeypatch) -> None:
    """Worker processes cache records and summaries; the caller then reads them without building.
    A task whose data is missing is left to the caller, which fails with its usual message."""
    data = build_fixture_data(tmp_path / "data", problems=12)
    tasks = [TASKS.get(name) for name in ("clone-humaneval-x", "xret-humaneval-x", "synth-paraphrase")]
    missing = TASKS.get("mrpc")  # the fixture folder has no MRPC
    assert to_build([*tasks, missing], data, [SIZES]) == tasks
    prepare([*tasks, missing], data, [SIZES], workers=2)
    assert to_build(tasks, data, [SIZES]) == []
    reads = counting_reads(monkeypatch)
    for task in tasks:
        assert sum(task_sizes(task, data)[task.source_language].values()) > 0
        loading.load(task, data)
    assert reads == []
    with pytest.raises(UserError, match=r"task .mrpc. needs .*/nl/mrpc/"):
        loading.load(missing, data)


@pytest.mark.slow
def test_a_script_without_a_main_guard_plans_once(fresh: Path, tmp_path: Path) -> None:
    """Workers are fresh interpreters: they never run the planning script again (multiprocessing's
    spawn would import it in every worker)."""
    data = build_fixture_data(tmp_path / "data", problems=12)
    script = tmp_path / "plan_it.py"
    script.write_text(
        "from codestilts.config import parse_config\nfrom codestilts.plan import build_plan\nfrom codestilts.progress import setup_logging\n"
        "from codestilts.tasks import prepare\nfrom tests.conftest import tiny_config\n"
        "setup_logging()\nprepare.WORKER_BYTES = 0  # the fixture data is small: workers all the same\n"
        f"config = tiny_config({str(data)!r}, targets=['clone-humaneval-x', 'defect-humanevalpack'], probes=['xret-humaneval-x'])\n"
        "print('planned', len(build_plan(parse_config(config)).stages))\n"
    )
    root = Path(__file__).parents[2]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=root, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("planned") == 1
    assert len(list((fresh / cache.RECORDS).glob("*.pickle"))) >= 3  # built, by workers or the script
    assert "building the records of" in done.stderr or (os.cpu_count() or 1) < 2
