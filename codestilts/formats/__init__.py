"""Task formats: one object per format (:class:`Format`) holds everything that differs by format.

:data:`FORMATS` is the registry, by name. A format is added by writing its module (a record type and
a :class:`Format` subclass) and listing its object here; a test can :func:`register` one of its own.
"""

from __future__ import annotations

from codestilts.errors import UserError
from codestilts.formats.base import IGNORE, Evaluation, Feature, Format, Record, Role, TaskOutput, records_digest
from codestilts.formats.classification import CLASSIFICATION, ClassificationExample
from codestilts.formats.generation import GENERATION, GenerationExample
from codestilts.formats.mlm import MLM, TextItem
from codestilts.formats.multiple_choice import MULTIPLE_CHOICE, MultipleChoiceExample
from codestilts.formats.pair_classification import PAIR_CLASSIFICATION, PairExample
from codestilts.formats.retrieval import RETRIEVAL, RetrievalItem
from codestilts.formats.span_extraction import SPAN_EXTRACTION, SpanExample
from codestilts.formats.token_tagging import TOKEN_TAGGING, TaggingExample

FORMATS: dict[str, Format] = {
    f.name: f for f in (CLASSIFICATION, PAIR_CLASSIFICATION, MULTIPLE_CHOICE, SPAN_EXTRACTION, TOKEN_TAGGING, RETRIEVAL, MLM, GENERATION)
}


def register(fmt: Format) -> Format:
    """Add a format (one defined outside this package, e.g. in a test) to the registry."""
    if fmt.name in FORMATS:
        raise ValueError(f"format {fmt.name!r} registered twice")
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str, *, where: str | None = None) -> Format:
    """The format called ``name``; an unknown name is one :class:`UserError` listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise UserError(f"unknown format {name!r}", where=where, hint=f"known: {', '.join(FORMATS)}") from None


def with_role(role: Role) -> list[Format]:
    """The formats whose tasks can play ``role``, by name."""
    return sorted((f for f in FORMATS.values() if role in f.roles), key=lambda f: f.name)


__all__ = [
    "CLASSIFICATION", "FORMATS", "GENERATION", "IGNORE", "MLM", "MULTIPLE_CHOICE", "PAIR_CLASSIFICATION", "RETRIEVAL", "SPAN_EXTRACTION",
    "TOKEN_TAGGING", "ClassificationExample", "Evaluation", "Feature", "Format", "GenerationExample", "MultipleChoiceExample", "PairExample",
    "Record", "RetrievalItem", "Role", "SpanExample", "TaggingExample", "TaskOutput", "TextItem", "get_format", "records_digest", "register", "with_role",
]
