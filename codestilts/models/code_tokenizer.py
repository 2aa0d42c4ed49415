"""A byte-level BPE tokenizer for source code, trained with Hugging Face ``tokenizers``: in BERT's
layout for an encoder ([CLS] text [SEP], [MASK] for MLM) so that the usual encoder code paths take
it unchanged, or in GPT-2's for a decoder (no tokens added to a text; ``<|endoftext|>`` begins and
ends texts, ``<|pad|>`` pads)."""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from codestilts.formats.text import Family

SPECIAL = {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]"}
DECODER_SPECIAL = {"pad_token": "<|pad|>", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}


def _byte_level_bpe(texts: Iterable[str], vocab_size: int, special: list[str], unk: str | None) -> Tokenizer:
    """Byte-level BPE over ``texts``: every byte is representable, whitespace and case are kept."""
    tokenizer = Tokenizer(models.BPE(unk_token=unk))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def train_code_tokenizer(texts: Iterable[str], vocab_size: int, max_length: int, family: Family = "encoder") -> PreTrainedTokenizerFast:
    """A tokenizer for a model of ``family`` (encoder or decoder) trained on ``texts``."""
    if family == "decoder":
        tokenizer = _byte_level_bpe(texts, vocab_size, list(dict.fromkeys(DECODER_SPECIAL.values())), None)
        return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=max_length, padding_side="right", **DECODER_SPECIAL)
    tokenizer = _byte_level_bpe(texts, vocab_size, list(SPECIAL.values()), SPECIAL["unk_token"])
    cls, sep = tokenizer.token_to_id(SPECIAL["cls_token"]), tokenizer.token_to_id(SPECIAL["sep_token"])
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=max_length, **SPECIAL)
