"""The tokenised-features cache: a second encoding of the same records reads Arrow and never
tokenises, and anything that decides the features makes a different entry."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from transformers import PreTrainedTokenizerBase

from codestilts import run
from codestilts.config import parse_config
from codestilts.models.backbone import load_tokenizer
from codestilts.progress import log
from codestilts.tasks import TASKS, records
from codestilts.formats import PAIR_CLASSIFICATION, SPAN_EXTRACTION, SpanExample
from codestilts.training.cache import cache_root, encode_cached
from tests.conftest import tiny_config

CASES = [("snli", "en"), ("defect-humanevalpack", "python"), ("xret-humaneval-x", "go"), ("code-search-humaneval-x", "java")]


@pytest.fixture()
def tokenizer() -> PreTrainedTokenizerBase:
    return load_tokenizer("tiny")


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CODESTILTS_CACHE", str(tmp_path))
    return tmp_path / "features"


def no_tokenising(monkeypatch: pytest.MonkeyPatch, tokenizer: PreTrainedTokenizerBase) -> list[str]:
    """Make any tokenisation fail the test; the list collects what was tokenised."""
    calls: list[str] = []

    def refuse(self, *args, **kwargs):
        calls.append(repr(args)[:80])
        raise AssertionError("tokenised although the features were cached")

    monkeypatch.setattr(type(tokenizer), "__call__", refuse)
    return calls


@pytest.mark.parametrize(("task", "language"), CASES)
def test_second_encoding_reads_the_cache_and_does_not_tokenise(task, language, fixture_data, tokenizer, cache, monkeypatch):
    fmt = TASKS.get(task).format
    items = records(TASKS.get(task), fixture_data, language, "test")
    first = encode_cached(fmt, items, tokenizer, 32, name=f"{task}/{language}/test")
    assert first == fmt.encode(items, tokenizer, 32)
    assert len(list(cache.iterdir())) == 1
    calls = no_tokenising(monkeypatch, tokenizer)
    second = encode_cached(fmt, items, tokenizer, 32, name=f"{task}/{language}/test")
    assert calls == []
    assert second == first


def test_span_features_survive_the_cache(tokenizer, cache):
    items = [SpanExample(id=str(i), group="g", question="where?", context=f"it is in box {i} now", spans=((9, 14),)) for i in range(3)]
    first = encode_cached(SPAN_EXTRACTION, items, tokenizer, 24, name="spans")
    assert encode_cached(SPAN_EXTRACTION, items, tokenizer, 24, name="spans") == first
    assert first[0]["_offsets"][0] is None and first[0]["start_positions"] > 0


def test_what_decides_the_features_makes_another_entry(fixture_data, tokenizer, cache):
    items = records(TASKS.get("snli"), fixture_data, "en", "train")
    encode_cached(PAIR_CLASSIFICATION, items, tokenizer, 32, name="snli")
    encode_cached(PAIR_CLASSIFICATION, items, tokenizer, 16, name="snli")  # max length
    encode_cached(PAIR_CLASSIFICATION, items[:-1], tokenizer, 32, name="snli")  # a subset
    other = copy.deepcopy(load_tokenizer("tiny"))  # transformers shares a loaded tokenizer's state: never mutate one
    other.add_tokens(["premise_marker"])
    encode_cached(PAIR_CLASSIFICATION, items, other, 32, name="snli")  # another vocabulary
    encode_cached(PAIR_CLASSIFICATION, items, load_tokenizer("tiny"), 32, name="snli")  # the same tokenizer loaded again: a hit
    assert len(list(cache.iterdir())) == 4


def test_an_interrupted_write_leaves_no_entry(fixture_data, tokenizer, cache, monkeypatch):
    import datasets

    def killed(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets.Dataset, "save_to_disk", killed)
    items = records(TASKS.get("snli"), fixture_data, "en", "test")
    with pytest.raises(KeyboardInterrupt):
        encode_cached(PAIR_CLASSIFICATION, items, tokenizer, 32, name="snli")
    assert not any(p.is_dir() for p in cache.iterdir())
    monkeypatch.undo()
    assert encode_cached(PAIR_CLASSIFICATION, items, tokenizer, 32, name="snli") == PAIR_CLASSIFICATION.encode(items, tokenizer, 32)


def test_the_cache_can_be_turned_off(fixture_data, tokenizer, monkeypatch, tmp_path):
    monkeypatch.setenv("CODESTILTS_CACHE", "off")
    assert cache_root() is None
    items = records(TASKS.get("snli"), fixture_data, "en", "test")
    assert encode_cached(PAIR_CLASSIFICATION, items, tokenizer, 32, name="snli") == PAIR_CLASSIFICATION.encode(items, tokenizer, 32)
    monkeypatch.delenv("CODESTILTS_CACHE")
    assert cache_root() == Path.home() / ".cache" / "codestilts" / "features"


def test_a_second_run_tokenises_nothing(fixture_data, tmp_path, cache, monkeypatch):
    """Every stage of a second run (another output folder, the same cache) reads its features:
    training, dev selection, evaluation and the probe call the tokenizer not once."""
    config = parse_config(tiny_config(fixture_data, intermediate=["none"]))
    first = run(config, out=tmp_path / "first")
    monkeypatch.setattr(PreTrainedTokenizerBase, "__call__", lambda *a, **k: pytest.fail("tokenised in the second run"))
    second = run(config, out=tmp_path / "second")
    assert second.summary.ok and len(second.summary.ran) == len(first.summary.ran) > 0 and len(second.results) > 0
    assert first.results.drop(columns="stage").equals(second.results.drop(columns="stage"))


def test_a_cache_that_cannot_be_written_costs_only_the_caching(fixture_data, tokenizer, cache, monkeypatch, caplog):
    import datasets

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datasets.Dataset, "save_to_disk", full)
    monkeypatch.setattr(log, "propagate", True)  # to pytest's capture, whatever a run set up before
    items = records(TASKS.get("snli"), fixture_data, "en", "test")
    assert encode_cached(PAIR_CLASSIFICATION, items, tokenizer, 32, name="snli") == PAIR_CLASSIFICATION.encode(items, tokenizer, 32)
    assert "could not cache" in caplog.text and not any(p.is_dir() for p in cache.iterdir())
