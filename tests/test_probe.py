"""The probe stage scores every hidden layer from one forward pass, and the layer of its own scores
is fixed in advance or chosen on the dev split (never on test problems)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from codestilts.cli import main
from codestilts.config import parse_config
from codestilts.executor import execute
from codestilts.models.backbone import load_encoder, load_tokenizer
from codestilts.plan import build_plan
from codestilts.stages import probe
from codestilts.store import Store, read_json
from codestilts.tasks import TASKS, records
from codestilts.training.metrics import ranks
from tests.conftest import tiny_config
from tests.tasks.taskfile_fixtures import parallel

TASK = "xret-humaneval-x"
LAYERS = 3
"""The tiny model's hidden states: the embeddings and its 2 layers."""


def _probed(data: Path, out: Path, **probe_settings) -> tuple[dict, list[dict]]:
    """metrics.json and predictions.jsonl of the base model's probe of ``TASK``, in fp32."""
    raw = tiny_config(data, intermediate=["none"], targets=[], probes=[TASK], probe={"bf16": False, **probe_settings})
    plan = build_plan(parse_config(raw))
    assert execute(plan, Store(out)).ok
    (stage,) = [s for s in plan.stages if s.kind == "probe"]
    folder = Store(out).stage(stage.id)
    rows = [json.loads(line) for line in (folder / "predictions.jsonl").read_text().splitlines()]
    return read_json(folder / "metrics.json"), rows


def _by_hand(data: Path, layer: int) -> dict[str, float]:
    """acc@1 per language at ``layer``, one text at a time: each text's states of that layer,
    mean-pooled and normalised; Python's test items rank each language's and back."""
    task, tokenizer, model = TASKS.get(TASK), load_tokenizer("tiny"), load_encoder("tiny").eval()

    def vectors(items) -> dict[str, np.ndarray]:
        found = {}
        for item in items:
            inputs = tokenizer(item.text, truncation=True, max_length=48, return_tensors="pt")
            with torch.no_grad():
                mean = model(**inputs, output_hidden_states=True).hidden_states[layer][0].mean(dim=0)
            found[item.group] = (mean / mean.norm()).numpy()
        return found

    source = vectors(records(task, data, "python", "test"))
    scores = {}
    for language in task.languages[1:]:
        other = vectors(records(task, data, language, "test"))
        shared = [g for g in source if g in other]
        similarity = np.stack([source[g] for g in shared]) @ np.stack([other[g] for g in shared]).T
        scores[language] = float(np.mean([np.mean(ranks(similarity) == 1), np.mean(ranks(similarity.T) == 1)]))
    return scores


def test_every_layer_scores_as_a_probe_of_that_layer_alone(fixture_data: Path, tmp_path: Path) -> None:
    metrics, rows = _probed(fixture_data, tmp_path / "run")
    assert metrics["layer"] == 1 and metrics["layer_choice"] == "fixed"  # middle of 2 layers
    assert sorted(metrics["layers"], key=int) == [str(layer) for layer in range(LAYERS)]
    for layer in range(LAYERS):
        found = {lang: m["acc@1"] for lang, m in metrics["layers"][str(layer)].items()}
        assert found == pytest.approx(_by_hand(fixture_data, layer))
    assert len({json.dumps(metrics["layers"][str(layer)]) for layer in range(LAYERS)}) == LAYERS  # the layers differ
    assert metrics["languages"] == metrics["layers"]["1"]
    for language, values in metrics["languages"].items():  # the predictions are the used layer's
        hits = [row["rank"] == 1 for row in rows if row["language"] == language]
        assert np.mean(hits) == pytest.approx(values["acc@1"])


GOOD = {"dev": 1, "test": 2}
"""The layer at which each split's vectors retrieve perfectly (noise at the others)."""


def test_layer_dev_chooses_on_dev_although_test_would_choose_another(fixture_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Features stand for (split, problem); a split's vectors are its problem's own at its good
    layer and random elsewhere. Dev's best layer is 1, test's is 2: the stage must report layer 1."""
    noise = np.random.default_rng(0)

    def encoded(fmt, items, tokenizer, max_length, name):
        return [{"split": name.rsplit("/", 1)[1], "group": item.group} for item in items]

    def embedded(encoder, tokenizer, features, **kwargs) -> np.ndarray:
        vectors = noise.normal(size=(len(features), LAYERS, 200))
        for row, feature in zip(vectors, features, strict=True):
            row[GOOD[feature["split"]]] = np.eye(200)[int(feature["group"].split("/")[1])]
        return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)

    monkeypatch.setattr(probe, "encode_cached", encoded)
    monkeypatch.setattr(probe, "embed", embedded)
    metrics, _ = _probed(fixture_data, tmp_path / "run", layer="dev")
    assert metrics["layer_choice"] == "dev" and metrics["layer"] == 1
    assert metrics["dev_scores"]["1"] == 1.0 and max(metrics["dev_scores"][k] for k in ("0", "2")) < 1.0
    assert all(m["acc@1"] == 1.0 for m in metrics["layers"]["2"].values())  # test alone would have chosen 2
    assert metrics["languages"] == metrics["layers"]["1"] and min(m["acc@1"] for m in metrics["languages"].values()) < 1.0


def test_layer_dev_on_a_task_without_dev_records_is_one_error_naming_it(fixture_data: Path, tmp_path: Path, capsys) -> None:
    spec = yaml.safe_load(parallel(tmp_path).read_text())
    spec |= {"name": "parallel-no-dev", "split": {"hash": {"by": "group", "train": 0.6, "dev": 0, "test": 0.4}}}
    (tmp_path / "task.yaml").write_text(yaml.safe_dump(spec))
    raw = tiny_config(tmp_path, intermediate=["none"], targets=[], probes=["parallel-no-dev"], task_files=["task.yaml"])
    for layer, code in (("middle", 0), ("dev", 2)):
        (tmp_path / "exp.yaml").write_text(yaml.safe_dump(raw | {"probe": {"layer": layer}}))
        capsys.readouterr()
        assert main(["plan", str(tmp_path / "exp.yaml")]) == code
    err = capsys.readouterr().err
    assert err.startswith("codestilts: error:") and err.count("\n") == 1
    assert "'parallel-no-dev' has no dev records in python, java, cpp" in err and "probes.0" in err


def test_a_fixed_layer_plans_the_probe_stages_it_planned_before_layer_dev(fixture_data: Path) -> None:
    """A config that does not ask for ``dev`` gives its probes the parameters they had (and so
    their stage ids): the probe settings, and no ``dropped``."""
    for layer in ("middle", "last", 2):
        plan = build_plan(parse_config(tiny_config(fixture_data, probe={"layer": layer, "bf16": False})))
        for stage in (s for s in plan.stages if s.kind == "probe"):
            assert stage.params["probe"] == {"layer": layer, "batch_size": 64, "bf16": False}
            assert set(stage.params) == {"model", "task", "languages", "source_language", "probe"}


def test_layer_dev_drops_dev_records_that_equal_a_test_text(tmp_path: Path) -> None:
    """A dev text equal to a test text is a test problem seen: the probe's dev split leaves it out."""
    code = {"python": "def f_{i}(x):\n    return x + {i}\n", "java": "int f_{i}(int x) {{ return x + {i}; }}\n"}
    splits = {"train": range(0, 4), "dev": range(10, 13), "test": range(20, 24)}
    for split, problems in splits.items():
        rows = [{"problem": f"p{i}", **{lang: text.format(i=i) for lang, text in code.items()}} for i in problems]
        if split == "dev":
            rows[0]["python"] = code["python"].format(i=20)  # test problem p20's Python text
        (tmp_path / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "task.yaml").write_text(yaml.safe_dump({
        "name": "parallel-dev-leak", "format": "retrieval", "languages": ["python", "java"],
        "fields": {"text": {"python": "python", "java": "java"}, "group": "problem"}, "data": {s: f"{s}.jsonl" for s in splits},
    }))
    raw = tiny_config(tmp_path, intermediate=["none"], targets=[], probes=["parallel-dev-leak"], task_files=[str(tmp_path / "task.yaml")])
    dropped = {layer: [s.params.get("dropped") for s in build_plan(parse_config(raw | {"probe": {"layer": layer}})).stages] for layer in ("middle", "dev")}
    assert dropped["middle"] == [None]
    ((language, splits_dropped),) = dropped["dev"][0]["parallel-dev-leak"].items()
    assert language == "python" and list(splits_dropped) == ["dev"] and len(splits_dropped["dev"]) == 1
