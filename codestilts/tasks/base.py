"""What a task is: a name, a canonical format, languages, splits, a metric and a loader.

Every task produces records of one format (:mod:`codestilts.formats`): its record type. The loader
returns ``{language: {split: [records]}}``; splits are ``train``, ``dev`` and ``test``. Records of parallel
benchmarks carry a ``group``: the problem they belong to, the same in every language, so that splits
and retrieval pairs are made by problem and never leak across languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from codestilts.errors import UserError
from codestilts.formats import Format, Record
from codestilts.formats.text import Template

SPLITS = ("train", "dev", "test")
TaskData = Mapping[str, Mapping[str, list[Record]]]
Loader = Callable[[Path], TaskData]


class TaskOptions(BaseModel):
    """How a code task renders code (``task_options:`` in the experiment config).

    By default code inputs of retrieval, clone and code-search tasks drop comments and docstrings
    and mask the problem's function names, so that no answer leaks through them; these keep them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    keep_names: bool = False
    keep_comments: bool = False

    def active(self) -> list[str]:
        """The options switched on, by name (empty for the defaults)."""
        return [name for name, on in self.model_dump().items() if on]


OptionsLoader = Callable[[Path, TaskOptions], TaskData]
HubLoader = Callable[[TaskOptions], TaskData]
DataSource = Literal["local", "hf"]


@dataclass(frozen=True)
class Task:
    """A registered task. ``load`` reads the local data folder (laid out like ``../shared/data``);
    ``load_from_hub`` the same benchmark from the Hugging Face Hub (``hf_dataset``), for users online."""

    name: str
    format: Format
    languages: tuple[str, ...]
    source_language: str
    metric: str
    description: str
    splits_note: str
    data_files: tuple[str, ...]
    load: Loader = field(repr=False, compare=False)
    labels: tuple[str, ...] = ()
    hf_dataset: str | None = None
    load_with_options: OptionsLoader | None = field(default=None, repr=False, compare=False)
    """The loader that honours :class:`TaskOptions`; tasks without one take no options."""
    options: TaskOptions = TaskOptions()
    load_from_hub: HubLoader | None = field(default=None, repr=False, compare=False)
    source: DataSource = "local"
    origin: str | None = None
    """The task file that defines the task; None for a built-in task."""
    packages: tuple[str, ...] = ()
    """Installed distributions whose files the loader reads (their versions key the records cache)."""
    definition: str | None = None
    """A digest of the task file's text: it enters the stage hash (an edited task file reruns its stages)."""
    own_source: bool = False
    """The task file names its source language: probes of the task take it instead of the experiment's."""
    template: Template | None = None
    """How a record reads as text for decoders and seq2seq models (a task file's ``text:``); None:
    the format's own (:attr:`codestilts.formats.Format.text_template`)."""

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    @property
    def label(self) -> str:
        """The name in reports: ``clone-mbxp[keep_names]`` for a variant with options."""
        active = self.options.active()
        return f"{self.name}[{','.join(active)}]" if active else self.name

    def with_options(self, options: TaskOptions, *, where: str | None = None) -> Task:
        """This task loading with ``options``; a task that renders no code takes none."""
        if options == self.options:
            return self
        if self.load_with_options is None:
            raise UserError(
                f"task {self.name!r} takes no options", where=where, hint="keep_names and keep_comments are for code retrieval, clone and code-search tasks"
            )
        return replace(self, options=options)

    def from_source(self, source: DataSource, *, where: str | None = None) -> Task:
        """This task reading its data from ``source``; ``hf`` needs a task that knows its Hub dataset."""
        if source == "hf" and self.load_from_hub is None:
            raise UserError(
                f"task {self.name!r} cannot be loaded from Hugging Face", where=where, hint="use the local data folder (data_source: local)"
            )
        return replace(self, source=source)

    def read(self, root: Path) -> TaskData:
        """Every record, from the Hub or the local data folder ``root``, with the task's options."""
        if self.source == "hf":
            return self.load_from_hub(self.options)
        if self.options.active():
            return self.load_with_options(root, self.options)
        return self.load(root)

    def identity(self) -> dict:
        """The task a stage names: its name and format; options and a data source other than the local
        folder, when set; a task file's digest. (A stage's hash adds the digest of its records: :func:`codestilts.tasks.sizes.task_identity`.)"""
        identity = {"name": self.name, "format": self.format.name}
        if self.options.active():
            identity["options"] = self.options.model_dump()
        if self.source != "local":
            identity["source"] = self.source
        if self.definition is not None:
            identity["definition"] = self.definition
        return identity
