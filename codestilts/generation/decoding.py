"""Decoding completions: greedy or sampled (temperature, top-p, n samples per prompt), batched with
the KV cache (transformers' ``generate``), stopped at the language's stop sequences or the end of text.

A :class:`Generator` turns prompts into raw completions; :func:`cut` ends a completion before its
first stop sequence. The ``generate`` stage asks :func:`load_generator` for the target checkpoint's
generator: a test double with the same ``complete`` method runs through the same stage.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from codestilts.formats.text import Family
from codestilts.progress import progress_bar


@dataclass(frozen=True)
class Decoding:
    """How completions are drawn (``generation:`` in the config, less what the execute stage reads)."""

    samples: int = 1
    temperature: float = 0.0
    """0: greedy (one sample per prompt); above 0: sampling at this temperature."""
    top_p: float = 1.0
    max_new_tokens: int = 128
    batch_size: int = 8
    """Prompts per ``generate`` call (each gives ``samples`` completions)."""
    seed: int = 0

    def describe(self) -> dict:
        return asdict(self)


def cut(text: str, stops: Sequence[str]) -> str:
    """``text`` up to its first stop sequence (all of it without one)."""
    end = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:end]


class Generator(Protocol):
    def complete(self, prompts: Sequence[str], stops: Sequence[str], decoding: Decoding, label: str) -> list[list[str]]:
        """``decoding.samples`` raw completions per prompt (stop sequences may end them; they are cut later)."""
        ...


@dataclass
class ModelGenerator:
    """A decoder or seq2seq model and its tokenizer. A decoder reads its prompt as it was trained to
    (the beginning-of-text token, then the prompt), cut at the start to leave ``max_new_tokens``
    within ``max_length``; a seq2seq model's encoder reads the prompt with its special tokens."""

    model: object
    tokenizer: object
    family: Family
    max_length: int
    bf16: bool = False

    def _prompt_ids(self, prompt: str, room: int) -> list[int]:
        tok = self.tokenizer
        if self.family == "decoder":
            bos = [tok.bos_token_id] if tok.bos_token_id is not None else []
            return bos + tok(prompt, add_special_tokens=False)["input_ids"][-max(1, room - len(bos)):]
        return tok(prompt)["input_ids"][-room:]

    def complete(self, prompts: Sequence[str], stops: Sequence[str], decoding: Decoding, label: str) -> list[list[str]]:
        import torch

        from codestilts.hardware import autocast

        tok, model = self.tokenizer, self.model
        device = next(model.parameters()).device
        room = self.max_length - decoding.max_new_tokens if self.family == "decoder" else self.max_length
        ids = [self._prompt_ids(p, room) for p in prompts]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # similar lengths together: less padding
        results: list[list[str]] = [[] for _ in prompts]
        sampled = decoding.temperature > 0
        options = {"do_sample": True, "temperature": decoding.temperature, "top_p": decoding.top_p} if sampled else {"do_sample": False}
        torch.manual_seed(decoding.seed)
        model.eval()
        start, done = time.monotonic(), 0
        with progress_bar(label, total=len(prompts) * decoding.samples) as bar, torch.inference_mode(), autocast(device, self.bf16):
            for first in range(0, len(order), decoding.batch_size):
                batch = order[first : first + decoding.batch_size]
                width = max(len(ids[i]) for i in batch)
                pad = tok.pad_token_id
                input_ids = torch.tensor([[pad] * (width - len(ids[i])) + ids[i] for i in batch], device=device)
                mask = torch.tensor([[0] * (width - len(ids[i])) + [1] * len(ids[i]) for i in batch], device=device)
                stopping = [StopOnText(tok, tuple(stops), width if self.family == "decoder" else 0)] if stops else []
                out = model.generate(
                    input_ids=input_ids, attention_mask=mask, max_new_tokens=decoding.max_new_tokens,
                    num_return_sequences=decoding.samples, pad_token_id=pad, eos_token_id=tok.eos_token_id,
                    stopping_criteria=stopping, **options,
                )
                new = out[:, width:] if self.family == "decoder" else out
                texts = tok.batch_decode(new, skip_special_tokens=True)
                for row, i in enumerate(batch):
                    results[i] = texts[row * decoding.samples : (row + 1) * decoding.samples]
                done += len(batch) * decoding.samples
                bar.update(completed=done, status=f"{done / max(time.monotonic() - start, 1e-9):.1f} samples/s")
        return results


class StopOnText:
    """Ends a sequence once its completion's last ``window`` tokens, decoded, hold a stop sequence
    (transformers' own stop strings need every stop's characters in the vocabulary: a WordPiece
    vocabulary has no newline). A finished sequence stays finished, so the window need only cover
    the longest stop."""

    window = 24

    def __init__(self, tokenizer, stops: tuple[str, ...], start: int):
        self.tokenizer, self.stops, self.start = tokenizer, stops, start

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        tails = self.tokenizer.batch_decode(input_ids[:, self.start :][:, -self.window :], skip_special_tokens=True)
        return torch.tensor([any(stop in tail for stop in self.stops) for tail in tails], device=input_ids.device)


def load_generator(checkpoint: Path, family: Family, max_length: int, bf16: bool) -> Generator:
    """The language model and tokenizer a target stage saved, on this process's device."""
    from transformers import AutoTokenizer

    from codestilts.models.backbone import load_encoder
    from codestilts.parallel import process_device

    model = load_encoder(checkpoint, family=family).to(process_device())
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return ModelGenerator(model, tokenizer, family, max_length, bf16)
