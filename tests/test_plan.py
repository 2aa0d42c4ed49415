"""The planner: stage counts, reuse of intermediate stages, and stable content hashes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from codestilts.config import parse_config
from codestilts.plan import build_plan
from tests.conftest import tiny_config


def kinds(plan) -> Counter:
    return Counter(stage.kind for stage in plan.stages)


def test_counts_for_two_seeds(fixture_data: Path) -> None:
    plan = build_plan(parse_config(tiny_config(fixture_data, seeds=[0, 1])))
    # per seed: 1 intermediate (snli), 2 targets (none, snli), 2 evaluations, 1 snli probe; plus 1 base probe
    assert kinds(plan) == Counter({"intermediate": 2, "target": 4, "evaluate": 4, "probe": 3})


def test_one_intermediate_serves_every_target_and_probe(fixture_data: Path) -> None:
    plan = build_plan(parse_config(tiny_config(fixture_data)))
    (inter,) = [s for s in plan.stages if s.kind == "intermediate"]
    children = [s for s in plan.stages if inter.id in s.parents]
    assert sorted(s.kind for s in children) == ["probe", "target"]


def test_parents_come_before_children(fixture_data: Path) -> None:
    plan = build_plan(parse_config(tiny_config(fixture_data, seeds=[0, 1])))
    position = {s.id: i for i, s in enumerate(plan.stages)}
    assert all(position[p] < position[s.id] for s in plan.stages for p in s.parents)


def test_hash_depends_on_own_params_and_parents_only(fixture_data: Path) -> None:
    base = build_plan(parse_config(tiny_config(fixture_data))).by_id()
    changed = tiny_config(fixture_data)
    changed["training"]["target"]["learning_rate"] = 0.5
    after = build_plan(parse_config(changed)).by_id()
    kept = set(base) & set(after)
    assert {base[i].kind for i in kept} == {"intermediate", "probe"}
    assert {s.kind for i, s in after.items() if i not in base} == {"target", "evaluate"}


def test_data_dir_does_not_enter_the_hash(fixture_data: Path, tmp_path: Path) -> None:
    import shutil

    copy = shutil.copytree(fixture_data, tmp_path / "copy")
    first = [s.id for s in build_plan(parse_config(tiny_config(fixture_data))).stages]
    second = [s.id for s in build_plan(parse_config(tiny_config(copy))).stages]
    assert first == second


def test_group_by_length_enters_the_hash_only_when_set(fixture_data: Path) -> None:
    base = build_plan(parse_config(tiny_config(fixture_data)))
    assert all("group_by_length" not in s.params["train"] for s in base.stages if "train" in s.params)
    changed = tiny_config(fixture_data)
    changed["training"]["target"]["group_by_length"] = True
    after = build_plan(parse_config(changed)).by_id()
    assert {s.kind for i, s in after.items() if i not in base.by_id()} == {"target", "evaluate"}
    assert all(s.params["train"]["group_by_length"] for s in after.values() if s.kind == "target")


def test_a_stage_knows_its_parents_by_id_with_their_kind(fixture_data: Path) -> None:
    plan = build_plan(parse_config(tiny_config(fixture_data)))
    by_id = plan.by_id()
    target = next(s for s in plan.stages if s.kind == "target" and s.parents)
    assert plan.parent_kinds(target) == {target.parents[0]: "intermediate"}
    for stage in plan.stages:
        assert plan.parent_kinds(stage) == {p: by_id[p].kind for p in stage.parents}
