"""Reading rows of a Hugging Face Hub dataset (``datasets.load_dataset``), only when asked for.

Built-in tasks map the Hub's rows onto the same records as their local files (``data_source: hf``);
task files of users read their ``hf:`` datasets here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from codestilts.data import Row
from codestilts.errors import UserError


def hub_rows(dataset: str, config: str | None, split: str, *, hint: str) -> Iterator[Row]:
    """The rows of one split; any failure to get them (offline, unknown id, config or split) is the
    user's to fix, so it is a :class:`UserError` with ``hint``."""
    try:
        import datasets

        rows = datasets.load_dataset(dataset, config, split=split)
    except Exception as err:  # noqa: BLE001  (datasets raises many kinds, all of them the user's to fix)
        raise UserError(
            f"cannot load Hugging Face dataset {dataset!r} (config {config!r}, split {split!r}): {err}", hint=hint
        ) from None
    for number, row in enumerate(rows, start=1):
        yield f"{dataset}[{split}] row {number}", row


def hub_split(dataset: str, config: str | None, split: str) -> Iterator[Row]:
    """Rows of a built-in task's dataset (``data_source: hf``)."""
    return hub_rows(dataset, config, split, hint="offline? use the local data folder instead (data_source: local and CODESTILTS_DATA)")


def values(rows: Iterable[Row]) -> Iterator[dict[str, Any]]:
    """The rows without where they came from."""
    return (row for _, row in rows)
