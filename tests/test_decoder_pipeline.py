"""Decoders and seq2seq models through config -> plan -> stages -> report: the family and LoRA in
stage hashes (an encoder's hashes as before families existed), each mistake one message with exit 2
when planning, and a decoder pretrained by the pipeline itself trained on an intermediate and a
target task, evaluated and reported."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from codestilts import run
from codestilts.cli import main
from codestilts.config import parse_config
from codestilts.models.code_tokenizer import train_code_tokenizer
from codestilts.plan import build_plan
from codestilts.tasks import TASKS, records
from tests.conftest import tiny_config
from tests.tasks.taskfile_fixtures import write_jsonl, write_yaml
from tests.tasks.test_task_file_mistakes import _plan as plan_task_file
from tests.test_pretrain import CODE, PRETRAIN

LORA = {"rank": 4, "alpha": 8, "dropout": 0.0}


def ids(raw: dict) -> dict[tuple[str, str], str]:
    """Stage ids by (kind, slug without the hash)."""
    return {(s.kind, s.id.rsplit("-", 1)[0]): s.id for s in build_plan(parse_config(raw)).stages}


def test_an_encoders_stage_hashes_do_not_name_a_family(fixture_data: Path) -> None:
    plain = tiny_config(fixture_data)
    explicit = tiny_config(fixture_data, model={"name": "tiny", "max_length": 48, "family": "encoder"})
    assert ids(plain) == ids(explicit)
    for stage in build_plan(parse_config(plain)).stages:
        assert "family" not in stage.params.get("model", {}) and "lora" not in stage.params.get("train", {})
        assert "templates" not in stage.params


def test_the_family_enters_the_hash_of_every_stage_with_a_model(fixture_data: Path) -> None:
    encoder = ids(tiny_config(fixture_data, probes=[]))
    decoder = ids(tiny_config(fixture_data, model={"name": "tiny", "max_length": 48, "family": "decoder"}, probes=[]))
    assert encoder.keys() == decoder.keys() and not set(encoder.values()) & set(decoder.values())
    stage = next(s for s in build_plan(parse_config(tiny_config(fixture_data, model={"name": "tiny-decoder", "max_length": 48}))).stages if s.kind == "target")
    assert stage.params["model"]["family"] == "decoder"  # inferred from the model's config
    assert stage.params["templates"]["defect-humanevalpack"]["prompt"] == "{{ text }}\nAnswer:"


def test_lora_enters_the_hash_of_the_stages_it_trains_and_below(fixture_data: Path) -> None:
    before = ids(tiny_config(fixture_data, probes=[]))
    raw = tiny_config(fixture_data, probes=[])
    raw["training"]["target"]["lora"] = LORA
    after = ids(raw)
    assert after[("intermediate", "intermediate-snli-s0")] == before[("intermediate", "intermediate-snli-s0")]
    for key in before:
        if key[0] in ("target", "evaluate"):
            assert after[key] != before[key], key
    raw["training"]["target"]["lora"] = LORA | {"rank": 8}
    assert ids(raw)[("target", "target-defect-humanevalpack-snli-python-s0")] != after[("target", "target-defect-humanevalpack-snli-python-s0")]


def plan_error(raw: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> str:
    """`codestilts plan` on a config with a mistake: exit 2 and one line, no traceback; the line."""
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    capsys.readouterr()
    assert main(["plan", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("codestilts: error: ") and err.count("\n") == 1, err
    return err


def decoder(fixture_data: Path, **overrides) -> dict:
    return tiny_config(fixture_data, model={"name": "tiny-decoder", "max_length": 48}, probes=[], **overrides)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda raw: raw["model"].update(family="decodr"), "model.family"),
        (lambda raw: raw["model"].update(name="tiny", family="seq2seq"), "cannot be loaded as a seq2seq"),
        (lambda raw: raw.update(targets=["bugloc-humanevalpack"]), "task 'bugloc-humanevalpack' cannot be its target"),
        (lambda raw: raw.update(intermediate=["syntax-roles"]), "cannot train on task 'syntax-roles'"),
        (lambda raw: raw["training"]["target"].update(lora=LORA | {"target_modules": ["q_proj"]}), "'q_proj' names no linear or embedding layer"),
        (lambda raw: raw["model"].update(name="tiny", length_normalised=True), "length_normalised"),
        (lambda raw: raw["model"].update(name="tiny-seq2seq"), None),  # a seq2seq model takes these tasks
    ],
)
def test_each_mistake_is_one_message_when_planning(change, expected, fixture_data: Path, tmp_path: Path, capsys) -> None:
    raw = decoder(fixture_data)
    change(raw)
    if expected is None:
        build_plan(parse_config(raw))
    else:
        assert expected in plan_error(raw, tmp_path, capsys)


def test_pretraining_takes_no_lora_and_builds_no_seq2seq(fixture_data: Path, tmp_path: Path, capsys) -> None:
    pretrain = PRETRAIN | {"training": PRETRAIN["training"] | {"lora": LORA}}
    raw = tiny_config(fixture_data, model={"name": "pretrain", "max_length": 48}, pretrain=pretrain)
    assert "training.lora has no place here" in plan_error(raw, tmp_path, capsys)
    raw = tiny_config(fixture_data, model={"name": "pretrain", "max_length": 48, "family": "seq2seq"}, pretrain=PRETRAIN)
    assert "builds encoders and decoders" in plan_error(raw, tmp_path, capsys)


def test_the_decoder_tokenizer_adds_nothing_and_round_trips_code() -> None:
    tokenizer = train_code_tokenizer(CODE, vocab_size=400, max_length=64, family="decoder")
    for text in CODE[:3]:
        ids_ = tokenizer(text)["input_ids"]
        assert tokenizer.decode(ids_) == text
        assert tokenizer.eos_token_id not in ids_ and tokenizer.pad_token_id not in ids_
    assert tokenizer.pad_token_id != tokenizer.eos_token_id and tokenizer.bos_token == tokenizer.eos_token


def test_a_pipeline_pretrained_decoder_runs_intermediate_target_probe_and_report(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(
        fixture_data, model={"name": "pretrain", "max_length": 48, "family": "decoder"}, pretrain=PRETRAIN, intermediate=["none", "snli"]
    )
    raw["training"]["intermediate"]["lora"] = LORA  # the intermediate adapter is merged; the target trains every weight
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok
    stages = {p.name.rsplit("-", 1)[0]: p for p in (tmp_path / "stages").iterdir()}
    pretrain = json.loads((stages["pretrain-code"] / "metrics.json").read_text())
    assert pretrain["dev_clm_loss"] > 0 and pretrain["steps"] == 6
    saved = json.loads((stages["intermediate-snli-s0"] / "checkpoint" / "config.json").read_text())
    assert saved["architectures"] == ["GPT2LMHeadModel"] and not (stages["intermediate-snli-s0"] / "checkpoint" / "adapter_config.json").exists()
    inter = json.loads((stages["intermediate-snli-s0"] / "metrics.json").read_text())
    target = json.loads((stages["target-defect-humanevalpack-snli-python-s0"] / "metrics.json").read_text())
    assert inter["trainable_parameters"] < target["trainable_parameters"] / 10  # LoRA there, full fine-tuning here
    results = pd.read_csv(result.out / "results.csv")
    primary = results[results["primary"] & (results["target"] == "defect-humanevalpack")]
    assert set(primary["intermediate"]) == {"none", "snli"} and primary["value"].between(0, 1).all()
    assert set(results["target"]) == {"defect-humanevalpack", "xret-humaneval-x"}
    predictions = [json.loads(line) for line in (stages["evaluate-defect-humanevalpack-snli-python-s0"] / "predictions.jsonl").open()]
    assert {p["prediction"] for p in predictions} <= {0, 1} and len(predictions) > 0


@pytest.fixture
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks a test's task files register are gone after it."""
    monkeypatch.setattr(TASKS, "_tasks", dict(TASKS._tasks))


def classification_file(folder: Path, text: dict | None) -> Path:
    """A classification task file (label 1: the code subtracts) with ``text:`` when given."""
    rows = [{"code": f"def f{i}(x): return x {'-' if i % 2 else '+'} {i}", "label": ["adds", "subtracts"][i % 2]} for i in range(12)]
    write_jsonl(folder / "rows.jsonl", rows)
    spec = {
        "name": "signs", "format": "classification", "languages": ["python"], "labels": ["adds", "subtracts"],
        "fields": {"text": "code"}, "data": "rows.jsonl", "split": {"hash": {"train": 0.5, "dev": 0.25, "test": 0.25}},
    }
    return write_yaml(folder / "signs.yaml", spec | ({"text": text} if text else {}))


def test_a_task_files_text_template_is_what_a_decoder_reads(own_registry, fixture_data: Path, tmp_path: Path) -> None:
    text = {"prompt": "Code: {{ text }}\nDoes it add or subtract?", "choice": " It {{ choice }}."}
    path = classification_file(tmp_path, text)
    raw = decoder(fixture_data, intermediate=["none"], targets=["signs"], task_files=[str(path)])
    (target,) = [s for s in build_plan(parse_config(raw)).stages if s.kind == "target"]
    assert target.params["templates"] == {"signs": text}
    task = TASKS.get("signs")
    record = records(task, None, "python", "test")[0]
    (rendered,) = task.format.as_text("decoder").prepare([record], task.labels, task.template)
    assert rendered.prompt == f"Code: {record.text}\nDoes it add or subtract?" and rendered.choices == (" It adds.", " It subtracts.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ({"prompt": "{{ code }}"}, "the template names 'code', not a field of a classification record"),
        ({"prompt": "{{ text }}", "choice": "{{ label }} {{ choise }}"}, "the template names 'choise'"),
        ({"prompt": "{{ text "}, "not a valid template"),
    ],
)
def test_a_text_template_naming_no_field_stops_the_plan(text, expected, own_registry, fixture_data: Path, tmp_path: Path, capsys) -> None:
    path = classification_file(tmp_path, text)
    raw = decoder(fixture_data, intermediate=["none"], targets=["signs"], task_files=[str(path)])
    err = plan_error(raw, tmp_path, capsys)
    assert expected in err and "signs.yaml:" in err and "text." in err


def test_text_on_a_format_without_a_text_form_stops_the_plan(tmp_path: Path, capsys) -> None:
    code, err, _ = plan_task_file(tmp_path, capsys, text={"prompt": "{{ text }}"})
    assert code == 2 and "a retrieval task has no text-to-text form" in err


def test_a_tiny_t5_trains_a_target_is_evaluated_and_probed(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(fixture_data, model={"name": "tiny-seq2seq", "max_length": 48, "length_normalised": True}, intermediate=["none"])
    raw["training"]["target"]["lora"] = LORA
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok
    stages = {p.name.rsplit("-", 1)[0]: p for p in (tmp_path / "stages").iterdir()}
    heads = json.loads((stages["target-defect-humanevalpack-none-python-s0"] / "checkpoint" / "heads.json").read_text())
    assert heads["defect-humanevalpack"]["family"] == "seq2seq" and heads["defect-humanevalpack"]["length_normalised"]
    evaluated = json.loads((stages["evaluate-defect-humanevalpack-none-python-s0"] / "metrics.json").read_text())
    assert set(evaluated["languages"]) == {"python", "cpp", "java", "js", "go", "rust"}
    probed = json.loads((stages["probe-xret-humaneval-x-none-python"] / "metrics.json").read_text())
    assert all(0 <= m["acc@1"] <= 1 for m in probed["languages"].values())
