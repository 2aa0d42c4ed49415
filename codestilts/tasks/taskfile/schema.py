"""The schema of a task file (pydantic, for the types) and its checks against the task's format
(for what types cannot say), every mistake a :class:`UserError` at ``file:line: key``.

A field of a record is given by a *value spec*: a column name, a Jinja template (text holding
``{{`` or ``{%``), a list of those (``choices`` from several columns), or a mapping from language to
one of those (one file with a column per language).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields as dataclass_fields
from typing import Annotated, Any

from pydantic import Field

from codestilts import languages
from codestilts.errors import UserError
from codestilts.formats import FORMATS, Format, Role
from codestilts.formats.text import jinja
from codestilts.schema import LanguageName, Lines, Strict, located
from codestilts.tasks.base import SPLITS

DEFINABLE: frozenset[Role] = frozenset({"intermediate", "target", "probe"})
"""A task file defines a task of a format whose tasks train or are evaluated (not pretraining text)."""
SPAN_FIELDS = ("answer_start", "answer_text")
"""A span task gives the answer as its start character and its text instead of ``spans``."""

Value = str | Annotated[list[str], Field(min_length=1)]
"""A column or template, or a list of them."""
ValueSpec = Value | dict[LanguageName, Value]
"""The same for every language, or per language."""
Paths = str | Annotated[list[str], Field(min_length=1)]
"""A file or glob pattern, or a list of them; ``${VAR}``, ``~`` and ``{language}`` are expanded."""


class HfSource(Strict):
    id: str
    config: str | None = None
    language: LanguageName
    splits: dict[str, str] = Field(description="our split (train/dev/test) -> the dataset's split name")


class SplitFiles(Strict):
    """A split's rows, with its labels in a side file (one label per line, in the rows' order)."""

    files: Paths
    labels: str | None = None


Source = Paths | SplitFiles


class HashSplit(Strict):
    """Splits made from unsplit data: groups (or ids) ordered by a salted hash, then cut."""

    by: str = Field(default="group", pattern="^(group|id)$")
    train: Annotated[float, Field(ge=0, le=1)] = 0.0
    dev: Annotated[float, Field(ge=0, le=1)] = 0.0
    test: Annotated[float, Field(ge=0, le=1)] = 0.0
    seed: int = 0


class SplitRule(Strict):
    hash: HashSplit


class Explode(Strict):
    """One of the records a row becomes: its own fields and label, the row's other fields and group."""

    id: str | None = Field(default=None, description="appended to the row's id (default: its position)")
    label: str | int | None = None
    fields: dict[str, ValueSpec] = {}


class Clean(Strict):
    """Code cleaning as built-in tasks do it (:func:`codestilts.tasks.code_text.clean_code`)."""

    fields: Annotated[list[str], Field(min_length=1)]
    mask_names: bool = True
    drop_comments: bool = True
    entry_point: str | None = Field(default=None, description="a column or template naming the function: masked in any case style")


class TextForm(Strict):
    """How a record reads as text for decoder and seq2seq models (lm-evaluation-harness's doc_to_text
    and doc_to_choice): Jinja over the record's fields."""

    prompt: str
    choice: str = Field(default=" {{ choice }}", description="each continuation; `choice` is the label name or the choice")


NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class TaskFile(Strict):
    name: str = Field(pattern=NAME_PATTERN)
    format: str
    languages: Annotated[list[LanguageName], Field(min_length=1)]
    source_language: LanguageName | None = None
    metric: str | None = None
    description: str = ""
    labels: list[str] = []
    label_map: dict[str | int | bool, str | int] = {}
    fields: dict[str, ValueSpec] = {}
    explode: list[Explode] = []
    clean: Clean | None = None
    data: Paths | dict[str, Source | dict[str, Source]] | None = None
    split: SplitRule | None = None
    max_test_examples: Annotated[int, Field(ge=1)] | None = None
    hf: HfSource | None = None
    text: TextForm | None = None

    @property
    def fmt(self) -> Format:
        return FORMATS[self.format]


@dataclass(frozen=True)
class Located:
    """Where a task file's keys are: ``file:line: key.path`` for its messages."""

    source: str
    lines: Lines

    def __call__(self, *key: str | int) -> str:
        return located(self.source, self.lines, *key)


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    return f"did you mean {close[0]!r}?" if close else None


def record_fields(fmt: Format) -> list[str]:
    """The keys ``fields:`` takes for ``fmt``: its record's fields (a span as its start and text)."""
    names = [f.name for f in dataclass_fields(fmt.record) if f.name not in fmt.derived_fields]
    return [n for n in names if n != "spans"] + (list(SPAN_FIELDS) if "spans" in names else [])


def text_fields(fmt: Format) -> list[str]:
    """The record's fields that hold one text (code cleaning applies to those)."""
    return [f.name for f in dataclass_fields(fmt.record) if f.type in ("str", "str | None") and f.name not in ("id", "group")]


def definable() -> list[str]:
    """The formats a task file can name: those whose tasks train or probe."""
    return [f.name for f in FORMATS.values() if f.roles & DEFINABLE]


def check(spec: TaskFile, at: Located) -> None:
    """What the types cannot say: the format is definable, keys fit its records, languages agree."""
    definable_formats = definable()
    if spec.format not in definable_formats:
        what = "cannot be defined in a task file" if spec.format in FORMATS else "is unknown"
        hint = did_you_mean(spec.format, definable_formats)
        raise UserError(f"format {spec.format!r} {what} (expected one of {', '.join(definable_formats)})", where=at("format"), hint=hint)
    fmt = spec.fmt
    if (spec.data is None) == (spec.hf is None):
        raise UserError("give exactly one of data (local files) and hf (a Hugging Face dataset)", where=at())
    if fmt.labelled and not spec.labels:
        raise UserError(f"a {spec.format} task needs labels", where=at("labels") if "labels" in at.lines else at())
    if spec.source_language is not None and spec.source_language not in spec.languages:
        raise UserError(f"source_language {spec.source_language!r} is not among languages ({', '.join(spec.languages)})", where=at("source_language"))
    for split in spec.hf.splits if spec.hf else []:
        if split not in SPLITS:
            raise UserError(f"unknown split {split!r} (expected {', '.join(SPLITS)})", where=at("hf", "splits", split), hint=did_you_mean(split, SPLITS))
    _check_fields(spec.fields, spec, at, ("fields",))
    for index, item in enumerate(spec.explode):
        _check_fields(item.fields, spec, at, ("explode", index, "fields"))
    has_label = bool({"label", "tags"} & {f.name for f in dataclass_fields(fmt.record)})
    if not has_label and (spec.label_map or any(item.label is not None for item in spec.explode)):
        raise UserError(f"a {fmt.name} record has no label", where=at("label_map") if spec.label_map else at("explode"))
    for value in spec.label_map.values():
        _check_label(value, spec, at("label_map"))
    for index, item in enumerate(spec.explode):
        if item.label is not None:
            _check_label(item.label, spec, at("explode", index, "label"))
    if spec.clean is not None:
        texts = text_fields(fmt)
        for index, name in enumerate(spec.clean.fields):
            if name not in texts:
                raise UserError(
                    f"{name!r} is not a text field of a {fmt.name} record (expected one of {', '.join(texts)})",
                    where=at("clean", "fields", index), hint=did_you_mean(name, texts),
                )
        for lang in spec.languages:
            languages.get(lang, having="grammar", where=at("clean"))
    if spec.text is not None:
        _check_text(spec, at)
    if spec.split is not None and spec.hf is not None:
        raise UserError("split: divides local unsplit data; hf: names the dataset's splits itself", where=at("split"))
    if spec.split is not None:
        rule = spec.split.hash
        if abs(rule.train + rule.dev + rule.test - 1) > 1e-6:
            raise UserError(f"split fractions add up to {rule.train + rule.dev + rule.test:g}, not 1", where=at("split", "hash"))


def _check_text(spec: TaskFile, at: Located) -> None:
    """``text:`` is for a format with a text-to-text form, and its templates name the record's fields."""
    from jinja2 import TemplateError, meta

    if spec.fmt.text_template is None:
        raise UserError(f"a {spec.format} task has no text-to-text form: text has no place here", where=at("text"))
    names = [f.name for f in dataclass_fields(spec.fmt.record)]
    for key, known in (("prompt", names), ("choice", [*names, "choice"])):
        try:
            used = meta.find_undeclared_variables(jinja().parse(getattr(spec.text, key)))
        except TemplateError as err:
            raise UserError(f"not a valid template: {err}", where=at("text", key)) from None
        unknown = sorted(used - set(known))
        if unknown:
            raise UserError(
                f"the template names {unknown[0]!r}, not a field of a {spec.format} record (it has {', '.join(known)})",
                where=at("text", key), hint=did_you_mean(unknown[0], known),
            )


def _check_fields(given: dict[str, Any], spec: TaskFile, at: Located, key: tuple) -> None:
    known = record_fields(spec.fmt)
    for name, value in given.items():
        if name not in known:
            raise UserError(
                f"unknown field {name!r} for a {spec.format} record (expected one of {', '.join(known)})",
                where=at(*key, name), hint=did_you_mean(name, known),
            )
        if isinstance(value, dict):
            missing = [lang for lang in spec.languages if lang not in value]
            extra = [lang for lang in value if lang not in spec.languages]
            if extra:
                raise UserError(f"language {extra[0]!r} is not among languages ({', '.join(spec.languages)})", where=at(*key, name, extra[0]))
            if missing:
                raise UserError(f"no column for language {missing[0]!r} (a per-language map names one for every language)", where=at(*key, name))


def _check_label(value: str | int, spec: TaskFile, where: str) -> None:
    if spec.fmt.labelled and str(value) not in spec.labels:
        raise UserError(f"label {value!r} is outside the label set ({', '.join(spec.labels)})", where=where, hint=did_you_mean(str(value), spec.labels))
