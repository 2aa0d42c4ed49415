"""Records as text, for decoders and encoder-decoders (seq2seq): the model families, and a labelled
record rendered as a prompt and candidate continuations (:class:`ChoiceText`) by a :class:`Template`
(Jinja over the record's fields). :mod:`codestilts.formats.text_to_text` scores them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, Literal, get_args

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

Family = Literal["encoder", "decoder", "seq2seq"]
"""How a model is built and trained: an encoder with heads, a causal LM, or an encoder-decoder."""
FAMILIES: tuple[Family, ...] = get_args(Family)


@dataclass(frozen=True)
class Template:
    """A record as text: ``prompt`` (Jinja over the record's fields) and ``choice``, the text of each
    candidate continuation (Jinja over the record's fields and ``choice``, the label name or choice)."""

    prompt: str
    choice: str = " {{ choice }}"


@dataclass(frozen=True)
class ChoiceText:
    """A record rendered as text: the prompt, the candidate continuations, the index of the right one."""

    id: str
    group: str
    prompt: str
    choices: tuple[str, ...]
    label: int


@cache
def jinja() -> ImmutableSandboxedEnvironment:
    """The one Jinja environment of templates (task files' fields, text-to-text templates): sandboxed,
    an undefined name is an error, text kept as written."""
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def render(record: Any, candidates: Sequence[str], template: Template) -> ChoiceText:
    """``record`` as a prompt and one continuation per candidate, by ``template``."""
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    prompt, choice = jinja().from_string(template.prompt), jinja().from_string(template.choice)
    return ChoiceText(
        record.id, record.group, prompt.render(values), tuple(choice.render(values | {"choice": c}) for c in candidates), record.label
    )
