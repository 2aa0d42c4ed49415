"""Model families and LoRA: the family a checkpoint's config implies; a tiny decoder and a tiny T5
train with LoRA (only the adapters move, then merge into the weights) and with full fine-tuning;
text-to-text scoring by log-likelihood picks the choice a model was trained to prefer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from accelerate.utils import set_seed
from transformers import BertConfig, GPT2Config, LlamaConfig, RobertaConfig, T5Config

from codestilts.config import LoraSettings, TrainConfig
from codestilts.formats import MULTIPLE_CHOICE, MultipleChoiceExample
from codestilts.formats.text import ChoiceText, Template, render
from codestilts.models.backbone import TINY_DECODER, TINY_SEQ2SEQ, for_family, infer_family, load_encoder, load_tokenizer, model_config
from codestilts.models.heads import pool
from codestilts.models.lora import merged, with_lora
from codestilts.models.task_model import HeadSpec, TaskModel
from codestilts.training.evaluation import evaluate_records
from codestilts.training.loop import TrainSource, fit
from codestilts.training.sampling import TaskSampler
from tests.test_training import _synthetic

TINY = {"decoder": TINY_DECODER, "seq2seq": TINY_SEQ2SEQ}
PREFERENCE_TRAINING = {"decoder": (60, 3e-3), "seq2seq": (120, 1e-2)}
"""Steps and learning rate that teach each tiny model the preference (T5 learns it more slowly)."""


@pytest.mark.parametrize(
    ("config", "family"),
    [
        (BertConfig(), "encoder"),
        (RobertaConfig(), "encoder"),  # a causal-LM class exists, but it is a masked LM first
        (GPT2Config(), "decoder"),
        (LlamaConfig(), "decoder"),
        (T5Config(), "seq2seq"),
        (BertConfig(architectures=["BertForMaskedLM"]), "encoder"),
        (RobertaConfig(architectures=["RobertaForCausalLM"]), "decoder"),  # saved as a causal LM
    ],
)
def test_the_family_follows_the_checkpoints_config(config, family) -> None:
    assert infer_family(config) == family


def test_the_tiny_models_have_their_families() -> None:
    assert [infer_family(model_config(name)) for name in ("tiny", TINY_DECODER, TINY_SEQ2SEQ)] == ["encoder", "decoder", "seq2seq"]


def test_last_token_pooling_finds_the_last_real_token_on_either_padding_side() -> None:
    hidden = torch.arange(2 * 4, dtype=torch.float).view(2, 4, 1)
    right = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1], [0, 1, 1, 1]])
    assert pool(hidden, right, "last").flatten().tolist() == [1.0, 7.0]
    assert pool(hidden, left, "last").flatten().tolist() == [3.0, 7.0]


def text_model(family: str, lora: LoraSettings | None = None, *, normalised: bool = False, seed: int = 0) -> TaskModel:
    """The tiny model of ``family`` with a multiple-choice task ``t`` read as text."""
    set_seed(seed)
    lm = load_encoder(TINY[family], family=family)
    return TaskModel(with_lora(lm, lora) if lora else lm, {"t": HeadSpec(MULTIPLE_CHOICE.name, family=family, length_normalised=normalised)})


def train_text(model: TaskModel, records: list, steps: int, tmp_path: Path, lr: float = 3e-3) -> list[ChoiceText]:
    """``model`` trained on ``records`` (read as text) for ``steps`` steps; the records as text."""
    family = model.specs["t"].family
    tokenizer = for_family(load_tokenizer(TINY[family]), family)
    fmt = model.formats["t"]
    texts = fmt.prepare(records, ())
    cfg = TrainConfig(learning_rate=lr, batch_size=16, max_steps=steps, warmup_ratio=0.0, eval_every=steps)
    fit(
        model, [TrainSource("t", fmt, fmt.encode(texts, tokenizer, 32))], TaskSampler(np.array([1.0]), 0), lambda m: {"score": 0.0}, cfg,
        tokenizer=tokenizer, seed=0, log_dir=tmp_path / "tb", resume_dir=tmp_path / "resume", label=family,
    )
    return texts


def snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("family", ["decoder", "seq2seq"])
def test_lora_moves_only_the_adapters_then_merges_into_the_weights(family: str, tmp_path: Path) -> None:
    base = snapshot(load_encoder(TINY[family], family=family))
    model = text_model(family, LoraSettings(rank=4, alpha=8, dropout=0.0))
    train_text(model, _synthetic(MULTIPLE_CHOICE, 32, 0), 3, tmp_path, lr=1e-2)
    trained = snapshot(model.encoder)
    adapters = {k: v for k, v in trained.items() if "lora_B" in k}
    assert adapters and all(v.abs().sum() > 0 for v in adapters.values())  # lora_B starts at zero
    frozen = {k.replace("base_model.model.", "").replace(".base_layer", ""): v for k, v in trained.items() if "lora_" not in k}
    assert frozen.keys() == base.keys()
    assert all(torch.equal(frozen[k], base[k]) for k in base)  # before the merge, no weight of the model moved
    plain = merged(model.encoder)
    assert type(plain).__name__ == type(load_encoder(TINY[family], family=family)).__name__
    after = snapshot(plain)
    changed = {k for k in base if not torch.equal(after[k], base[k])}
    targets = ("c_attn",) if family == "decoder" else (".q.", ".v.")
    assert changed and all(any(t in k for t in targets) for k in changed)  # the merge moved the adapted layers alone


@pytest.mark.parametrize("family", ["decoder", "seq2seq"])
def test_full_fine_tuning_moves_the_models_weights(family: str, tmp_path: Path) -> None:
    base = snapshot(load_encoder(TINY[family], family=family))
    model = text_model(family)
    train_text(model, _synthetic(MULTIPLE_CHOICE, 32, 0), 3, tmp_path, lr=1e-2)
    after = snapshot(model.encoder)
    assert not any("lora" in k for k in after)
    assert sum(not torch.equal(after[k], base[k]) for k in base) > len(base) // 2


def accuracy(model: TaskModel, texts: list[ChoiceText], family: str) -> float:
    tokenizer = for_family(load_tokenizer(TINY[family]), family)
    return evaluate_records(model, "t", model.formats["t"], texts, tokenizer, max_length=32).metrics["accuracy"]


@pytest.mark.parametrize("family", ["decoder", "seq2seq"])
def test_log_likelihood_scoring_picks_the_choice_the_model_was_trained_to_prefer(family: str, tmp_path: Path) -> None:
    """The right choice is the one that starts with "right", wherever it is among the three."""
    test = MULTIPLE_CHOICE.as_text(family).prepare(_synthetic(MULTIPLE_CHOICE, 60, 1), ())
    model = text_model(family)
    before = accuracy(model, test, family)
    steps, lr = PREFERENCE_TRAINING[family]
    train_text(model, _synthetic(MULTIPLE_CHOICE, 256, 0), steps, tmp_path, lr=lr)
    after = accuracy(model, test, family)
    assert after >= 0.95 and after > before + 0.3, (before, after)


def test_length_normalised_scores_are_the_mean_token_log_likelihood() -> None:
    tokenizer = for_family(load_tokenizer(TINY_DECODER), "decoder")
    record = ChoiceText("1", "1", "pick one", ("stone", "green river stone table"), 0)
    scores = {}
    for normalised in (False, True):
        model = text_model("decoder", normalised=normalised).eval()
        fmt = model.formats["t"]
        batch = fmt.collator(tokenizer)(fmt.encode([record], tokenizer, 32))
        batch.pop("labels")
        with torch.no_grad():
            scores[normalised] = model("t", **batch).logits[0]
    lengths = torch.tensor([len(tokenizer(c, add_special_tokens=False)["input_ids"]) for c in record.choices], dtype=torch.float)
    assert lengths.tolist() == [1.0, 4.0]
    assert torch.allclose(scores[True], scores[False] / lengths)


def test_a_template_renders_a_records_fields_and_each_choice() -> None:
    record = MultipleChoiceExample("7", "g", "2 + 2 =", ("4", "5"), 0)
    text = render(record, MULTIPLE_CHOICE.candidates(record, ()), Template("Q: {{ context }}\nA:", " <{{ choice }}>"))
    assert (text.prompt, text.choices, text.label, text.id, text.group) == ("Q: 2 + 2 =\nA:", (" <4>", " <5>"), 0, "7", "g")


def test_a_decoder_prompt_too_long_loses_its_start_never_its_continuations() -> None:
    tokenizer = for_family(load_tokenizer(TINY_DECODER), "decoder")
    fmt = MULTIPLE_CHOICE.as_text("decoder")
    (feature,) = fmt.encode([ChoiceText("1", "1", " ".join(["river"] * 50) + " end", ("stone table", "green"), 1)], tokenizer, 16)
    for ids, targets in zip(feature["input_ids"], feature["targets"], strict=True):
        assert len(ids) <= 16 and len(ids) == len(targets)
    kept = [t for t in feature["targets"][0] if t != -100]
    assert kept == tokenizer("stone table", add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(feature["input_ids"][1][:-1]).endswith("end")


@pytest.mark.parametrize("family", ["decoder", "seq2seq"])
def test_a_choices_score_is_the_log_likelihood_transformers_computes(family: str) -> None:
    """The summed score of each continuation equals minus the loss transformers' own model computes
    for it (labels: the continuation alone) times its token count."""
    tokenizer = for_family(load_tokenizer(TINY[family]), family)
    model = text_model(family).eval()
    fmt = model.formats["t"]
    record = ChoiceText("1", "1", "pick the green one", ("stone", "green river table"), 1)
    (feature,) = fmt.encode([record], tokenizer, 32)
    batch = fmt.collator(tokenizer)([feature])
    batch.pop("labels")
    with torch.no_grad():
        scores = model("t", **batch).logits[0]
        for choice, (ids, targets) in enumerate(zip(feature["input_ids"], feature["targets"], strict=True)):
            ids, targets = torch.tensor([ids]), torch.tensor([targets])
            out = model.encoder(input_ids=ids, labels=targets)
            assert torch.isclose(scores[choice], -out.loss * (targets != -100).sum(), atol=1e-4)
