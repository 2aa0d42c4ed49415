"""Train and dev records that share a text with a test record of the run are dropped: found by the
planner, named in the stage's parameters (so in its hash), dropped again when the stage runs, and
counted in `codestilts plan` and in the report."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.cli import main
from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.plan import build_plan
from codestilts.tasks import TASKS, load
from codestilts.formats import ClassificationExample, MultipleChoiceExample, PairExample, RetrievalItem
from tests.conftest import tiny_config

TARGET = "defect-humanevalpack"


def _jsonl(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path.name


@pytest.fixture(scope="module")
def leaky(fixture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A config whose intermediate task `leaky` trains on two texts, and selects on one, that
    equal (but for whitespace) texts of the target's Python test split."""
    folder = tmp_path_factory.mktemp("leaky")
    tested = [r.text for r in load(TASKS.get(TARGET), fixture_data)["python"]["test"]]
    own = [{"id": f"own-{i}", "code": f"def own_{i}(x):\n    return x * {i}", "label": i % 2} for i in range(16)]
    reindented = "\n\n".join("  " + line + "   " for line in tested[0].splitlines())
    train = own[:12] + [{"id": "leak-a", "code": reindented, "label": 0}, {"id": "leak-b", "code": "\t" + tested[1], "label": 1}]
    dev = own[12:] + [{"id": "leak-c", "code": tested[2] + "\n", "label": 0}]
    spec = {
        "name": "leaky",
        "format": "classification",
        "languages": ["python"],
        "labels": ["0", "1"],
        "fields": {"text": "code", "label": "label"},
        "data": {"python": {"train": _jsonl(folder / "train.jsonl", train), "dev": _jsonl(folder / "dev.jsonl", dev),
                            "test": _jsonl(folder / "test.jsonl", [{"id": "t", "code": "def t(): pass", "label": 0}])}},
    }
    (folder / "leaky.yaml").write_text(yaml.safe_dump(spec))
    config = tiny_config(fixture_data, intermediate=["none", "leaky"], targets=[TARGET], probes=[])
    config["task_files"] = [str(folder / "leaky.yaml")]
    config["training"]["intermediate"]["max_train_examples"] = None
    return config


def _intermediate(plan):
    (stage,) = [s for s in plan.stages if s.kind == "intermediate"]
    return stage


def test_plan_names_the_records_to_drop(leaky: dict) -> None:
    plan = build_plan(parse_config(leaky))
    assert _intermediate(plan).params["dropped"] == {"leaky": {"python": {"train": ["leak-a", "leak-b"], "dev": ["leak-c"]}}}
    assert [c.row() for c in plan.dropped] == [
        {"task": "leaky", "language": "python", "split": "dev", "dropped": 1, "records": 5, "against": [TARGET]},
        {"task": "leaky", "language": "python", "split": "train", "dropped": 2, "records": 14, "against": [TARGET]},
    ]
    # a stage that drops nothing has no `dropped` parameter: its hash is the one it always had
    assert all("dropped" not in s.params for s in plan.stages if s.kind != "intermediate")


def test_the_hash_follows_the_drop(leaky: dict, fixture_data: Path) -> None:
    """With no target whose test texts it shares, `leaky` drops nothing, and its stage is another."""
    alone = dict(leaky, targets=["clone-humaneval-x"])  # its code has the names masked
    with_drop, without = _intermediate(build_plan(parse_config(leaky))), _intermediate(build_plan(parse_config(alone)))
    assert "dropped" not in without.params and with_drop.id != without.id


def test_plan_command_counts_the_dropped_records(leaky: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "leaky.yaml"
    path.write_text(yaml.safe_dump(leaky))
    assert main(["plan", str(path), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "train/dev records dropped" in out and "3 train/dev records dropped in all" in out
    row = next(line for line in out.splitlines() if "leaky" in line and "train" in line)
    assert "python" in row and " 2 " in row and "14" in row and TARGET in row


@pytest.mark.slow
def test_run_trains_without_them_and_reports_them(leaky: dict, tmp_path: Path) -> None:
    result = run(parse_config(leaky), out=tmp_path / "run")
    assert result.summary.ok
    stage = _intermediate(build_plan(parse_config(leaky)))
    metrics = json.loads((tmp_path / "run" / "stages" / stage.id / "metrics.json").read_text())
    assert metrics["train_examples"] == {"leaky": 12} and metrics["dev_examples"] == {"leaky": 4}
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Train and dev records dropped" in report and f"| leaky | python | train | 2 | 14 | {TARGET} |" in report
    dropped = pd.read_csv(tmp_path / "run" / "dropped.csv")
    assert dropped[["split", "dropped", "records"]].values.tolist() == [["dev", 1, 5], ["train", 2, 14]]


def test_a_drop_that_no_longer_matches_the_records_is_one_message() -> None:
    from codestilts.tasks.overlap import without_dropped

    records = [ClassificationExample("a", "a", "x", 0), ClassificationExample("b", "b", "y", 1)]
    assert without_dropped(records, ["b"], where="stage") == records[:1]
    with pytest.raises(UserError, match="plan again"):
        without_dropped(records, ["b", "gone"], where="stage")


def test_every_text_of_a_record_is_compared_whole() -> None:
    from codestilts.formats import MULTIPLE_CHOICE, PAIR_CLASSIFICATION, RETRIEVAL
    from codestilts.tasks.overlap import fingerprint

    assert fingerprint("def f():\n    return 1") == fingerprint("  def f():  return 1\n") != fingerprint("def f(): return 2")
    assert PAIR_CLASSIFICATION.texts(PairExample("i", "g", "a", "b", 0)) == ("a", "b")
    assert RETRIEVAL.texts(RetrievalItem("i", "g", "code", "query")) == ("code", "query")
    # single choices ("True", "bank") recur by design: the choices are one text
    assert MULTIPLE_CHOICE.texts(MultipleChoiceExample("i", "g", "ctx", ("True", "False"), 0)) == ("ctx", "True\nFalse")


def _texts(record) -> set[str]:
    """Every text of a record, whitespace-normalised, read from its fields (not through the
    module under test): the strings, and a multiple-choice record's choices as one."""
    texts = {v for f in fields(record) if f.name not in ("id", "group") and isinstance(v := getattr(record, f.name), str)}
    texts |= {"\n".join(record.choices)} if hasattr(record, "choices") else set()
    return {" ".join(t.split()) for t in texts} - {""}


@pytest.mark.data
@pytest.mark.slow
def test_real_tasks_train_on_no_test_text(real_data: Path) -> None:
    """The overlaps found on the real data: MBPP solutions repeated under train and test ids, a
    HumanEvalPack Rust docstring (88, train) that is another's (116, test), CodeXGLUE methods in
    both its train and test files. After the drops no train or dev text that a stage reads equals
    a test text of the run or of its own task."""
    config = tiny_config(
        real_data,
        intermediate=["nl2code-mbpp", "clone-mbxp", "xret-codexglue",
                      {"name": "code-search-mbxp-tt", "tasks": ["code-search-mbxp"], "translate_train": True},
                      {"name": "code-search-tt", "tasks": ["code-search-humaneval-x"], "translate_train": True}],
        targets=["clone-mbxp", "bugloc-humanevalpack"],
        probes=["xret-mbxp"],
    )
    plan = build_plan(parse_config(config))
    tests = {t for name in ("clone-mbxp", "bugloc-humanevalpack", "xret-mbxp") for per in load(TASKS.get(name), real_data).values()
             for r in per["test"] for t in _texts(r)}
    counts = {(c.task, c.language, c.split): c for c in plan.dropped}
    for stage in plan.stages:
        if stage.kind not in ("intermediate", "target"):
            continue
        identities = stage.params.get("tasks") or [stage.params["task"]]
        for identity in identities:
            task = TASKS.get(identity["name"])
            source = stage.params.get("source_language", task.source_language)
            trained = task.languages if stage.params.get("translate_train") else (source,)
            own = {t for per in load(task, real_data).values() for r in per["test"] for t in _texts(r)}
            for language, split in [(lang, "train") for lang in trained] + [(source, "dev")]:
                dropped = stage.params.get("dropped", {}).get(task.name, {}).get(language, {}).get(split, [])
                kept = [r for r in load(task, real_data)[language][split] if r.id not in dropped]
                assert all(not _texts(r) & (tests | own) for r in kept), (stage.id, task.name, language, split)
                assert len(kept) == len(load(task, real_data)[language][split]) - len(dropped)
                assert len(dropped) == (counts[(task.name, language, split)].dropped if dropped else 0)
    # the overlaps reported in issue 13, found again
    nl2code = counts[("nl2code-mbpp", "python", "train")]
    assert "xret-mbxp" in nl2code.against
    dropped_nl2code = next(s for s in plan.stages if s.labels.get("intermediate") == "nl2code-mbpp").params["dropped"]
    assert {"MBPP/716/match", "MBPP/608/match", "MBPP/704/match"} <= set(dropped_nl2code["nl2code-mbpp"]["python"]["train"])
    tt = next(s for s in plan.stages if s.labels.get("intermediate") == "code-search-tt").params["dropped"]
    assert tt["code-search-humaneval-x"]["rust"]["train"] == ["Rust/88"]
    assert sum(c.dropped for c in plan.dropped if c.task == "xret-codexglue" and c.split == "train") >= 124
    assert sum(c.dropped for c in plan.dropped if c.task == "code-search-mbxp" and "xret-mbxp" in c.against) >= 12
