"""``evaluation.max_problems`` caps the test split of evaluate and probe stages: a problem keeps all
its records, every language keeps the same problems, and an uncapped plan's stage ids do not move."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from codestilts.config import parse_config
from codestilts.executor import execute
from codestilts.plan import build_plan
from codestilts.store import Store
from tests.conftest import PROBLEMS, tiny_config

CAP = 3


def _ids(raw: dict) -> dict[str, str]:
    return {s.id: s.kind for s in build_plan(parse_config(raw)).stages}


def test_uncapped_plan_keeps_its_stage_ids_and_a_cap_moves_only_tested_stages(fixture_data: Path) -> None:
    raw = tiny_config(fixture_data)
    uncapped = _ids(raw)
    assert _ids(raw | {"evaluation": {"max_problems": None}}) == uncapped
    capped = _ids(raw | {"evaluation": {"max_problems": CAP}})
    moved = {kind for sid, kind in capped.items() if sid not in uncapped}
    assert moved == {"evaluate", "probe"}


@pytest.fixture(scope="module")
def capped_run(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, list]:
    raw = tiny_config(fixture_data, intermediate=["none"], evaluation={"max_problems": CAP})
    plan = build_plan(parse_config(raw))
    store = Store(tmp_path_factory.mktemp("capped"))
    assert execute(plan, store).ok
    return store, plan.stages


def _rows(store: Store, stages: list, kind: str) -> list[dict]:
    (stage,) = [s for s in stages if s.kind == kind]
    return [json.loads(line) for line in (store.stage(stage.id) / "predictions.jsonl").read_text().splitlines()]


def test_evaluate_keeps_every_record_of_the_same_problems_in_every_language(capped_run) -> None:
    store, stages = capped_run
    groups: dict[str, set[str]] = defaultdict(set)
    records: dict[str, int] = defaultdict(int)
    for row in _rows(store, stages, "evaluate"):
        groups[row["language"]].add(row["group"])
        records[row["language"]] += 1
    assert len(groups) > 1
    assert all(len(found) == CAP for found in groups.values())
    assert len({frozenset(found) for found in groups.values()}) == 1
    assert all(count == 2 * CAP for count in records.values())  # defect: the buggy and the fixed solution of each


def test_probe_ranks_among_the_capped_problems(capped_run) -> None:
    store, stages = capped_run
    rows = _rows(store, stages, "probe")
    assert {r["group"] for r in rows} and len({r["group"] for r in rows}) == CAP
    assert max(r["rank"] for r in rows) <= CAP < PROBLEMS  # 1-based ranks among CAP candidates
