"""Config validation: every mistake is one clear message with the file, line and key path; exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codestilts.cli import main
from codestilts.config import load_config, parse_config
from codestilts.errors import UserError
from codestilts.plan import build_plan
from tests.conftest import tiny_config


def write(tmp_path: Path, config: dict | str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config, sort_keys=False))
    return path


def test_valid_config_round_trips(fixture_data: Path, tmp_path: Path) -> None:
    config = load_config(write(tmp_path, tiny_config(fixture_data)))
    assert config.model.name == "tiny"
    assert config.training.target.max_steps == 4
    assert config.training.intermediate.warmup_ratio == 0.1  # the paper's default


def test_misspelt_key_names_file_line_and_path(fixture_data: Path, tmp_path: Path) -> None:
    raw = tiny_config(fixture_data)
    raw["training"]["target"]["learning_rat"] = 0.1
    path = write(tmp_path, raw)
    with pytest.raises(UserError) as err:
        load_config(path)
    message = err.value.render()
    assert "training.target.learning_rat" in message
    assert "unknown key" in message
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "learning_rat:" in text)
    assert f"{path}:{line}" in message


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    path = write(tmp_path, "model: {name: tiny}\nseeds: [zero]\n")
    with pytest.raises(UserError) as err:
        load_config(path)
    assert "seeds.0" in err.value.render()
    assert "integer" in err.value.render()
    assert f"{path}:2" in err.value.render()


def test_duplicate_seeds_rejected() -> None:
    with pytest.raises(UserError, match="duplicate"):
        parse_config({"model": {"name": "tiny"}, "seeds": [1, 1]})


def test_unknown_task_suggests_close_name(fixture_data: Path) -> None:
    config = parse_config(tiny_config(fixture_data, targets=["defect-humanevalpak"]))
    with pytest.raises(UserError) as err:
        build_plan(config)
    assert "unknown task 'defect-humanevalpak'" in err.value.render()
    assert "defect-humanevalpack" in err.value.render()
    assert "targets.0" in err.value.render()


def test_probe_must_be_a_retrieval_task(fixture_data: Path) -> None:
    config = parse_config(tiny_config(fixture_data, probes=["snli"]))
    with pytest.raises(UserError, match="expected retrieval"):
        build_plan(config)


def test_missing_data_file_is_named(fixture_data: Path, tmp_path: Path) -> None:
    config = parse_config(tiny_config(tmp_path / "empty"))
    with pytest.raises(UserError) as err:
        build_plan(config)
    # targets are checked first, and the first file of a task is its source language's
    assert "code/humanevalpack/humanevalpack_python.jsonl.gz, which does not exist" in err.value.render()
    assert "targets.0" in err.value.render()


def test_unknown_model_is_a_user_error(fixture_data: Path) -> None:
    config = parse_config(tiny_config(fixture_data, model={"name": str(fixture_data / "no-such-model")}))
    with pytest.raises(UserError) as err:
        build_plan(config)
    assert "model.name" in err.value.render()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.update(traning={}), "traning: unknown key"),
        (lambda c: c.update(targets=["no-such-task"]), "unknown task 'no-such-task'"),
    ],
)
def test_cli_exits_2_with_one_line(fixture_data: Path, tmp_path: Path, capsys, mutate, expected: str) -> None:
    raw = tiny_config(fixture_data)
    mutate(raw)
    code = main(["run", str(write(tmp_path, raw)), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert expected in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "stages").exists()


def test_missing_config_file_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["plan", str(tmp_path / "nope.yaml")]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "model:\n  name: tiny\nseeds: [1, 2\n")
    with pytest.raises(UserError) as err:
        load_config(path)
    assert "not valid YAML" in err.value.render()
    assert f"{path}:" in err.value.render()
