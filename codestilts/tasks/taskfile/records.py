"""A row of a task file's data becomes one record of the task's format, or several (``explode:``).

Fields are taken from the columns ``fields:`` names (a field not named there is read from the column
of its own name), labels from a column, a side file or an ``explode:`` item, through ``label_map:``
when given; code fields are cleaned as built-in tasks clean them (:func:`clean_code`).
"""

from __future__ import annotations

import json
import reprlib
from dataclasses import dataclass, fields as dataclass_fields
from typing import Any

from codestilts.errors import UserError
from codestilts.formats import Record
from codestilts.tasks.base import TaskOptions
from codestilts.tasks.code_text import clean_code
from codestilts.tasks.taskfile.schema import SPAN_FIELDS, Located, TaskFile, did_you_mean
from codestilts.tasks.taskfile.values import MISSING, Column, Getter, getter, missing_column

_REQUIRED = object()


@dataclass(frozen=True)
class Variant:
    """How a row becomes one record: the getters of its fields, its id suffix and constant label."""

    getters: dict[str, Getter]
    suffix: str | None = None
    label: str | int | None = None


class RowReader:
    """Turns the rows of one language into records."""

    def __init__(self, spec: TaskFile, language: str, options: TaskOptions, at: Located):
        self.spec = spec
        self.language = language
        self.options = options
        base = {name: getter(value, language, at("fields", name)) for name, value in spec.fields.items()}
        if spec.explode:
            self.variants = [
                Variant(
                    base | {name: getter(value, language, at("explode", i, "fields", name)) for name, value in item.fields.items()},
                    item.id if item.id is not None else str(i),
                    item.label,
                )
                for i, item in enumerate(spec.explode)
            ]
        else:
            self.variants = [Variant(base)]
        self.label_map = {str(k): v for k, v in spec.label_map.items()}
        clean = spec.clean
        self.entry_point = getter(clean.entry_point, language, at("clean", "entry_point")) if clean and clean.entry_point else None

    def records(self, position: int, where: str, row: Any, side_label: str | None) -> list[Record]:
        if not isinstance(row, dict):
            raise UserError("expected an object (a mapping of fields)", where=where)
        return [self._record(variant, position, where, row, side_label) for variant in self.variants]

    def _record(self, variant: Variant, position: int, where: str, row: dict[str, Any], side_label: str | None) -> Record:
        fmt = self.spec.fmt

        def get(name: str, default: Any = _REQUIRED) -> Any:
            found = variant.getters.get(name)
            if found is None:  # not named in fields: the column of the field's own name, if the row has it
                value = row.get(name)
                if value is None and default is _REQUIRED:
                    raise UserError(f"missing field {name!r}", where=f"{where}: {name}", hint=did_you_mean(name, list(row)))
                return default if value is None else value
            value = found(row, where)
            if value is MISSING:
                raise _missing(found, row, where)
            return value

        def column(name: str) -> str:
            found = variant.getters.get(name)
            return found.name if isinstance(found, Column) else name

        values: dict[str, Any] = {}
        for f in dataclass_fields(fmt.record):
            try:
                if f.name in fmt.derived_fields:
                    continue
                if f.name == "id":
                    row_id = str(get("id", position))
                    values["id"] = row_id if variant.suffix is None else f"{row_id}/{variant.suffix}"
                elif f.name == "group":
                    values["group"] = str(get("group", row_id))
                elif f.name == "label":
                    values["label"] = self._label(self._raw_label(variant, side_label, get), where, column("label"))
                elif f.name == "tags":
                    values["tags"] = tuple(self._label(t, where, column("tags")) for t in _as_list(get("tags"), where, column("tags")))
                elif f.name in ("choices", "words"):
                    values[f.name] = tuple(str(v) for v in _as_list(get(f.name), where, column(f.name)))
                elif f.name == "spans":
                    start, text = int(get(SPAN_FIELDS[0])), str(get(SPAN_FIELDS[1]))
                    values["spans"] = ((start, start + len(text)),)
                elif f.name == "query" and "query" not in variant.getters:
                    values["query"] = get("query", None)
                else:
                    value = get(f.name)
                    if not isinstance(value, str):
                        raise UserError(f"expected text, got {type(value).__name__}", where=f"{where}: {column(f.name)}")
                    values[f.name] = value
            except (TypeError, ValueError):
                raise UserError(f"bad value for {f.name}", where=f"{where}: {column(f.name)}") from None
        self._clean(values, row, where)
        record = fmt.record(**values)
        problem = fmt.check(record)
        if problem is not None:
            field, message = problem
            raise UserError(message, where=f"{where}: {column(field)}")
        return record

    def _raw_label(self, variant: Variant, side_label: str | None, get) -> Any:
        if variant.label is not None:
            return variant.label
        return side_label if side_label is not None else get("label")

    def _label(self, value: Any, where: str, column: str) -> int:
        """A label by name (or its index written as text for numbered label sets), through
        ``label_map`` when given; a format without a label set (multiple choice) labels by index."""
        if self.label_map:
            if str(value) not in self.label_map:
                known = list(self.label_map)
                raise UserError(f"value {reprlib.repr(value)} is not in label_map ({', '.join(known)})", where=f"{where}: {column}", hint=did_you_mean(str(value), known))
            value = self.label_map[str(value)]
        spec = self.spec
        if not spec.fmt.labelled:
            if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
                raise UserError(f"expected a choice index, got {reprlib.repr(value)}", where=f"{where}: {column}")
            return int(value)
        if str(value) in spec.labels:
            return spec.labels.index(str(value))
        raise UserError(f"label {reprlib.repr(value)} is outside the label set ({', '.join(spec.labels)})", where=f"{where}: {column}")

    def _clean(self, values: dict[str, Any], row: dict[str, Any], where: str) -> None:
        """Code fields cleaned as built-in tasks clean them, unless the experiment's options keep names or comments."""
        clean = self.spec.clean
        if clean is None:
            return
        mask = clean.mask_names and not self.options.keep_names
        entry = None
        if mask and self.entry_point is not None:
            entry = self.entry_point(row, where)
            if entry is MISSING:
                raise _missing(self.entry_point, row, where)
        for name in clean.fields:
            if values.get(name) is not None:
                values[name] = clean_code(
                    values[name], self.language, mask_names=mask, drop_comments=clean.drop_comments and not self.options.keep_comments,
                    entry_point=None if entry is None else str(entry),
                )


def _missing(found: Getter, row: dict[str, Any], where: str) -> UserError:
    if isinstance(found, Column):
        return missing_column(found, row, where)
    return UserError("no value", where=where)


def _as_list(value: Any, where: str, column: str) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)  # csv/tsv cells hold lists as JSON
        except json.JSONDecodeError:
            raise UserError("expected a list", where=f"{where}: {column}") from None
    if not isinstance(value, list):
        raise UserError("expected a list", where=f"{where}: {column}")
    return value
