"""What user-written YAML files (experiment configs, task files) share: reading them, the strict
pydantic base of their schemas, and one way of turning a validation error into a :class:`UserError`
that names the file, the line, the key path and what was expected."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from codestilts.errors import UserError
from codestilts.languages import canonical

M = TypeVar("M", bound=BaseModel)
Lines = dict[str, int]
"""Dotted key paths (list items by index) -> 1-based line numbers."""


LanguageName = Annotated[str, AfterValidator(canonical)]
"""A language as a file names it, read as its canonical name (``javascript`` is ``js``)."""


class Strict(BaseModel):
    """A schema that rejects unknown keys and cannot be changed once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_yaml(path: Path) -> tuple[str, Any]:
    """The text of a YAML file and what it holds; bad UTF-8 or bad YAML is a :class:`UserError`
    naming the file and line, on one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"not valid UTF-8 (byte {err.start})", where=str(path)) from None
    try:
        return text, yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(err, "problem", None) or err
        raise UserError(f"not valid YAML: {' '.join(str(problem).split())}", where=where) from None


def validate(model: type[M], raw: Any, *, source: str, lines: Lines | None = None) -> M:
    """``raw`` as a ``model``; the first mistake is a :class:`UserError` at ``source:line: key.path``."""
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        hint = _closest_key(model, first["loc"]) if first["type"] == "extra_forbidden" else None
        raise UserError(_describe(first), where=f"{place(source, first['loc'], lines or {})}: {key}", hint=hint) from None


def _closest_key(model: type[BaseModel], loc: tuple) -> str | None:
    """``did you mean ...?`` for an unknown key: the closest key of the schema it was written in."""
    models = [model]
    for part in loc[:-1]:
        if isinstance(part, str) and any(part in m.model_fields for m in models):
            models = [inner for m in models if part in m.model_fields for inner in _models_in(m.model_fields[part].annotation)]
    known = [name for m in models for name in m.model_fields]
    close = difflib.get_close_matches(str(loc[-1]), known, n=1) if loc else []
    return f"did you mean {close[0]!r}?" if close else None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (``list[M]``, ``M | None``, ``dict[str, M]``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def located(source: str, lines: Lines, *key: str | int) -> str:
    """``file:line: key.path`` for a message about the setting ``key`` of a file (``file`` alone without a key)."""
    return f"{place(source, key, lines)}: {'.'.join(str(k) for k in key)}" if key else source


def place(source: str, key: tuple, lines: Lines) -> str:
    """``source:line`` of the deepest part of ``key`` that the file has, or ``source`` alone."""
    line = _line_of(key, lines)
    return f"{source}:{line}" if line else source


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    if isinstance(given, (str, int, float, bool)) or given is None:
        return f"{message} (got {given!r})"
    return message


def _line_of(loc: tuple, lines: Lines) -> int | None:
    """The line of the deepest key of ``loc`` that the file has."""
    parts = [str(p) for p in loc]
    for end in range(len(parts), 0, -1):
        line = lines.get(".".join(parts[:end]))
        if line:
            return line
    return None


def key_lines(text: str) -> Lines:
    """Map dotted key paths (list items by index) to 1-based line numbers."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    lines: Lines = {}
    seen: set[int] = set()  # an alias can make the node graph a cycle

    def visit(node: yaml.Node, prefix: str) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                lines[path] = key.start_mark.line + 1
                visit(value, path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                path = f"{prefix}.{index}"
                lines[path] = item.start_mark.line + 1
                visit(item, path)

    if root is not None:
        visit(root, "")
    return lines
