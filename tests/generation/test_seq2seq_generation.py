"""A seq2seq model (a tiny T5 built from a config) through the generation path: trained on the
reference completions, sampled by its decoder from the prompt its encoder reads, run and scored."""

from __future__ import annotations

import json
from pathlib import Path

from codestilts import run
from codestilts.config import parse_config
from tests.generation.test_generation_pipeline import generation_config
from tests.test_decoder_pipeline import LORA


def test_a_tiny_t5_with_lora_trains_generates_and_is_executed(generation_data: Path, tmp_path: Path) -> None:
    raw = generation_config(generation_data, model={"name": "tiny-seq2seq", "max_length": 64})
    raw["generation"] = {"languages": ["python"], "max_problems": 2, "max_new_tokens": 8}
    raw["training"]["target"]["lora"] = LORA
    result = run(parse_config(raw), out=tmp_path)
    assert result.summary.ok
    stages = {p.name.rsplit("-", 1)[0].split("-")[0]: p for p in (tmp_path / "stages").iterdir()}
    assert json.loads((stages["target"] / "metrics.json").read_text())["trainable_parameters"] < 50_000  # the adapters only
    samples = [json.loads(line) for line in (stages["generate"] / "samples.jsonl").open()]
    assert len(samples) == 4 and all(s["prompt"] and s["decoding"]["max_new_tokens"] == 8 for s in samples)  # two problems of each benchmark
    verdicts = [json.loads(line)["verdict"] for line in (stages["execute"] / "results.jsonl").open()]
    assert len(verdicts) == 4 and "sandbox_error" not in verdicts
