"""A record field's value from a row: a column, or a Jinja template over the row's columns (as
lm-evaluation-harness's ``doc_to_text``), or a list of those; per language or not.

Templates see every column of the row by name, and ``language``; a name the row does not have is
an error (never an empty string).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, UndefinedError

from codestilts.errors import UserError
from codestilts.formats.text import jinja
from codestilts.tasks.taskfile.schema import ValueSpec, did_you_mean

MISSING = object()
"""What a getter returns for a column the row does not have (the caller decides if that is a mistake)."""
Getter = Callable[[dict[str, Any], str], Any]
"""(row, where the row is) -> the value."""


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


@dataclass(frozen=True)
class Column:
    name: str
    key: str
    """Where the task file names it (``file:line: fields.text``), for messages."""

    def __call__(self, row: dict[str, Any], where: str) -> Any:
        value = row.get(self.name)
        return MISSING if value is None else value


class Template:
    def __init__(self, text: str, key: str, language: str):
        try:
            self.template = jinja().from_string(text)
        except TemplateError as err:
            raise UserError(f"not a valid template: {err}", where=key) from None
        self.key = key
        self.language = language

    def __call__(self, row: dict[str, Any], where: str) -> str:
        try:
            return self.template.render({**row, "language": self.language})
        except UndefinedError as err:
            raise UserError(f"{err.message} in the template at {self.key}", where=where, hint=did_you_mean(_undefined(err), list(row))) from None
        except TemplateError as err:
            raise UserError(f"{err} in the template at {self.key}", where=where) from None


def _undefined(err: UndefinedError) -> str:
    """The name in jinja's ``'x' is undefined``."""
    message = err.message or ""
    return message.split("'")[1] if message.count("'") >= 2 else message


@dataclass(frozen=True)
class Several:
    parts: tuple[Getter, ...]

    def __call__(self, row: dict[str, Any], where: str) -> list:
        values = [part(row, where) for part in self.parts]
        for part, value in zip(self.parts, values, strict=True):
            if value is MISSING:  # every column of a list is named on purpose
                raise missing_column(part, row, where)
        return values


def getter(spec: ValueSpec, language: str, key: str) -> Getter:
    """The getter of a value spec for ``language``; ``key`` says where the spec is written."""
    if isinstance(spec, dict):
        return getter(spec[language], language, f"{key}.{language}")
    if isinstance(spec, list):
        return Several(tuple(getter(s, language, f"{key}.{i}") for i, s in enumerate(spec)))
    return Template(spec, key, language) if is_template(spec) else Column(spec, key)


def missing_column(column: Column, row: dict[str, Any], where: str) -> UserError:
    """The mistake of a column the row lacks, at the row: the key that names it, the columns the row
    has, and the closest of them."""
    columns = ", ".join(reprlib.repr(c) for c in list(row)[:12])
    return UserError(
        f"missing field {column.name!r} (named by {column.key}; the row's columns: {columns})",
        where=f"{where}: {column.name}", hint=did_you_mean(column.name, list(row)),
    )
