"""A stage's identity carries a digest of the records its tasks read: a changed loader or changed
data re-plans exactly the stages that read the task, and the others are reused."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from codestilts.config import parse_config
from codestilts.plan import Plan, build_plan
from codestilts.tasks import TASKS, cache, loading, nl, syntax_roles, task_identity
from tests.conftest import tiny_config


def ids_by_branch(plan: Plan) -> dict[str, set[str]]:
    """Stage ids by intermediate option (``none`` or ``snli``)."""
    branches: dict[str, set[str]] = {}
    for stage in plan.stages:
        branches.setdefault(stage.labels["intermediate"], set()).add(stage.id)
    return branches


@pytest.fixture
def fresh_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are read again in this test (the process keeps what it read once)."""
    monkeypatch.setattr(loading, "_LOADED", {})


def test_a_changed_loader_replans_the_stages_that_read_its_task_and_no_other(fixture_data, fresh_loads, monkeypatch) -> None:
    before = ids_by_branch(build_plan(parse_config(tiny_config(fixture_data))))
    original = nl._snli

    def relabelled(dev, test):  # the loader's edit: every record's hypothesis in lower case
        data = original(dev, test)
        return {lang: {split: [r.__class__(r.id, r.group, r.text_a, r.text_b.lower(), r.label) for r in per[split]] for split in per} for lang, per in data.items()}

    monkeypatch.setattr(nl, "_snli", relabelled)
    monkeypatch.setattr(cache, "loaders_digest", lambda: "the loaders' source once edited")
    monkeypatch.setattr(loading, "_LOADED", {})
    after = ids_by_branch(build_plan(parse_config(tiny_config(fixture_data))))
    assert after["none"] == before["none"]  # no stage of the baseline reads snli
    assert after["snli"].isdisjoint(before["snli"])  # the intermediate stage and every stage below it


def test_a_code_change_that_leaves_the_records_alone_replans_nothing(fixture_data, fresh_loads, monkeypatch) -> None:
    before = [s.id for s in build_plan(parse_config(tiny_config(fixture_data))).stages]
    monkeypatch.setattr(cache, "loaders_digest", lambda: "a comment edited")
    monkeypatch.setattr(loading, "_LOADED", {})
    assert [s.id for s in build_plan(parse_config(tiny_config(fixture_data))).stages] == before


def test_changed_data_replans_the_stages_that_read_it(fixture_data: Path, tmp_path: Path, fresh_loads) -> None:
    copy = shutil.copytree(fixture_data, tmp_path / "data")
    before = ids_by_branch(build_plan(parse_config(tiny_config(copy))))
    dev = copy / "nl/snli_esnli/snli_dev.derived.jsonl.gz"
    rows = [json.loads(line) for line in gzip.open(dev, "rt", encoding="utf-8")]
    rows[0]["label"] = "neutral" if rows[0]["label"] != "neutral" else "entailment"
    with gzip.open(dev, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    after = ids_by_branch(build_plan(parse_config(tiny_config(copy))))
    assert after["none"] == before["none"]
    assert after["snli"].isdisjoint(before["snli"])


def test_a_tagging_rule_change_reaches_the_identity_of_synth_syntax_roles(fresh_loads, monkeypatch) -> None:
    task = TASKS.get("synth-syntax-roles")
    before = task_identity(task, None)
    rule = syntax_roles._tag
    monkeypatch.setattr(syntax_roles, "_tag", lambda node, text: "punctuation" if rule(node, text) == "operator" else rule(node, text))
    monkeypatch.setattr(cache, "loaders_digest", lambda: "a tagging rule edited")
    monkeypatch.setattr(loading, "_LOADED", {})
    after = task_identity(task, None)
    assert after["records"] != before["records"]
    assert {k: v for k, v in after.items() if k != "records"} == {k: v for k, v in before.items() if k != "records"}


def test_the_loaders_digest_follows_their_source(tmp_path: Path) -> None:
    package = Path(cache.__file__).parents[1]
    copy = tmp_path / "codestilts"
    copy.mkdir()
    for name in cache.LOADER_SOURCES:
        (shutil.copytree if (package / name).is_dir() else shutil.copy)(package / name, copy / name)
    assert cache.source_digest(copy) == cache.source_digest(package)
    code_text = copy / "tasks" / "code_text.py"
    code_text.write_text(code_text.read_text() + "\n# an edit\n")
    assert cache.source_digest(copy) != cache.source_digest(package)
