"""Decoding and scoring: batched decoding gives what one prompt at a time gives (left padding moves
nothing), sampling draws n completions per prompt reproducibly, stop sequences end a completion, and
pass@k per problem and per language follow the unbiased estimator."""

from __future__ import annotations

import pytest
import torch

from codestilts import languages
from codestilts.execution.problem import Problem
from codestilts.formats.generation import GenerationExample, GenerationText
from codestilts.generation.decoding import Decoding, ModelGenerator, cut
from codestilts.generation.scoring import language_metrics, problem_row
from codestilts.models.backbone import for_family, load_encoder, load_tokenizer

PROMPTS = ["def add(a, b):\n", "x = 1\nfor i in range(10):\n    x = x * i + 2\n", "class A:\n    pass\n", "#"]


@pytest.fixture(scope="module")
def generator() -> ModelGenerator:
    torch.manual_seed(0)
    model = load_encoder("tiny-decoder", family="decoder")
    tokenizer = for_family(load_tokenizer("tiny-decoder"), "decoder")
    tokenizer.padding_side = "left"
    return ModelGenerator(model, tokenizer, "decoder", max_length=64)


def test_batched_greedy_decoding_gives_what_one_prompt_at_a_time_gives(generator: ModelGenerator) -> None:
    batched = generator.complete(PROMPTS, (), Decoding(max_new_tokens=10, batch_size=4), "test")
    alone = [generator.complete([p], (), Decoding(max_new_tokens=10, batch_size=1), "test")[0] for p in PROMPTS]
    assert batched == alone and all(len(c) == 1 and c[0] for c in batched)


def test_sampling_draws_n_completions_per_prompt_and_the_seed_repeats_them(generator: ModelGenerator) -> None:
    setting = Decoding(samples=5, temperature=1.0, top_p=0.95, max_new_tokens=8, batch_size=2, seed=3)
    drawn = generator.complete(PROMPTS, (), setting, "test")
    assert [len(c) for c in drawn] == [5] * len(PROMPTS) and len({c for cs in drawn for c in cs}) > len(PROMPTS)
    assert generator.complete(PROMPTS, (), setting, "test") == drawn


def test_a_completion_ends_before_its_first_stop_sequence() -> None:
    stops = languages.get("python").stop
    assert cut("    return a + b\nprint(add(1, 2))\nassert False\n", stops) == "    return a + b"
    assert cut("    return 1\n", stops) == "    return 1\n"
    assert cut("  return x;\n}\nconsole.log(f(1));\n", languages.get("js").stop) == "  return x;\n}"


def test_generation_training_ends_the_reference_with_the_end_of_text() -> None:
    tokenizer = for_family(load_tokenizer("tiny-decoder"), "decoder")
    text = GenerationText("decoder")
    (feature,) = text.encode(text.prepare([GenerationExample("a", "g", "def f():\n", "    return 1\n")], ()), tokenizer, 64)
    targets = [t for t in feature["targets"][0] if t != -100]
    assert targets[-1] == tokenizer.eos_token_id and tokenizer.decode(targets[:-1]).strip() == "return 1"


def problem(benchmark: str) -> Problem:
    return Problem(benchmark=benchmark, task_id="T/1", language="python", prompt="", test="")


def test_a_problems_pass_at_k_is_the_unbiased_estimate_and_sandbox_errors_are_no_samples() -> None:
    record = GenerationExample("T/1", "mbpp/1", "p", "t", problem("mbxp"))
    verdicts = ["passed", "failed", "passed", "sandbox_error"] + ["failed"] * 7
    row = problem_row(record, "python", verdicts, [""] * len(verdicts), [1, 5, 20])
    assert (row["samples"], row["passed"], row["sandbox_errors"]) == (10, 2, 1)
    assert row["pass@1"] == pytest.approx(0.2) and row["pass@5"] == pytest.approx(1 - (8 * 7 * 6 * 5 * 4) / (10 * 9 * 8 * 7 * 6))
    assert "pass@20" not in row  # 10 samples cannot estimate pass@20


def test_a_problem_without_tests_is_scored_by_exact_match() -> None:
    record = GenerationExample("c/1", "crux/1", "p", "[1, 2]")
    row = problem_row(record, "lua", [], ["[1, 2] ", "[1,2]", " [1, 2]", "3"], [1])
    assert row["exact_match"] == 0.5 and "pass@1" not in row


def test_a_languages_pass_at_k_averages_its_problems_and_each_benchmarks() -> None:
    rows = [
        {"benchmark": "mbxp", "pass@1": 1.0}, {"benchmark": "mbxp", "pass@1": 0.0}, {"benchmark": "mbxp", "pass@1": 0.0},
        {"benchmark": "humaneval-x", "pass@1": 1.0},
    ]
    assert language_metrics(rows, [1, 10]) == {"pass@1": 0.5, "pass@1:humaneval-x": 1.0, "pass@1:mbxp": pytest.approx(1 / 3)}
    assert language_metrics(rows[:2], [1]) == {"pass@1": 0.5}  # one benchmark: no per-benchmark rows


def test_extractive_qa_reads_as_the_answer_written_after_context_and_question() -> None:
    from codestilts.formats import SPAN_EXTRACTION, SpanExample

    text = SPAN_EXTRACTION.as_text("decoder")
    (rendered,) = text.prepare([SpanExample("q1", "g", "Who wrote it?", "It was written by Ada in 1843.", ((18, 21), (18, 30)))], ())
    assert rendered.prompt == "It was written by Ada in 1843.\nQuestion: Who wrote it?\nAnswer:" and rendered.choices == (" Ada",)
    assert SPAN_EXTRACTION.as_text("encoder") is None and text.dev_metric("f1") == "log_likelihood"


def test_decoding_stops_at_a_stop_sequence_even_one_the_vocabulary_cannot_spell(generator: ModelGenerator) -> None:
    """Stops are found in decoded text: a newline ends a completion of a WordPiece model (which has
    no newline token, so its decoded text separates tokens with spaces: a stop of a space does)."""
    free = generator.complete(PROMPTS, (), Decoding(max_new_tokens=12), "test")
    stopped = generator.complete(PROMPTS, (" ",), Decoding(max_new_tokens=12), "test")
    for (s,), (f,) in zip(stopped, free, strict=True):  # decoding ends just after the stop; cut() then ends the completion before it
        assert (f.startswith(s) and len(s) < len(f) and cut(s, (" ",)) == cut(f, (" ",))) if " " in f else s == f
    assert sum(" " in f for (f,) in free) >= 2
    assert generator.complete(PROMPTS, ("\n",), Decoding(max_new_tokens=12), "test") == free  # never decoded: never stops
