"""Shared builders for code tasks over parallel benchmarks: splits by problem, leak-free code text,
clone pairs (semantics-preserving rewrites against hard negatives) and NL -> code search items.

A *problem table* maps each language to ``{group: Solution}``: the same group (problem) in every
language of one benchmark.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from tree_sitter import Node

from codestilts.formats import PairExample, RetrievalItem
from codestilts.tasks.base import Record, Task, TaskData, TaskOptions
from codestilts.tasks.code_text import clean_code, find_nodes, grammar_of, parser_for

CLONE_LABELS = ("different", "clone")


class Splitter(Protocol):
    def assign(self, groups: Iterable[str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class Solution:
    """One problem in one language: its code (declaration + solution) and what the problem says."""

    id: str
    group: str
    code: str
    description: str
    entry_point: str | None = None
    buggy: str | None = None


Table = Mapping[str, Mapping[str, Solution]]


def table_task(
    build: Callable[..., TaskData], local: Callable[[Path], Table], hub: Callable[[], Table], *, options: bool, **described: Any
) -> Task:
    """A task whose records ``build`` makes from a problem table, read from the local data folder
    (``local``) or the Hub (``hub``); ``options``: ``build`` honours :class:`TaskOptions`.
    ``described``: the rest of the :class:`Task` (name, format, languages, ...)."""

    def load(data_dir: Path, options: TaskOptions = TaskOptions()) -> TaskData:
        return build(local(data_dir), options=options)

    return Task(
        load=load,
        load_with_options=load if options else None,
        load_from_hub=lambda chosen: build(hub(), options=chosen),
        **described,
    )


def split_by_problem(per_language: Mapping[str, list[Record]], rule: Splitter) -> TaskData:
    """Place each record in the split of its problem, identically in every language."""
    assignment = rule.assign(r.group for rs in per_language.values() for r in rs)
    return {
        lang: {split: [r for r in rs if assignment[r.group] == split] for split in ("train", "dev", "test")}
        for lang, rs in per_language.items()
    }


def code_text(solution: Solution, language: str, options: TaskOptions = TaskOptions(), *, code: str | None = None) -> str:
    """Model input for ``solution``: comments and docstrings dropped, function names masked, unless
    ``options`` keep them."""
    return clean_code(
        solution.code if code is None else code,
        language,
        mask_names=not options.keep_names,
        drop_comments=not options.keep_comments,
        entry_point=None if options.keep_names else solution.entry_point,
    )


def mask_name(text: str, entry_point: str | None) -> str:
    """``text`` (an NL description) with the entry point, in any case style, replaced by ``func``."""
    if not entry_point:
        return text
    key = entry_point.replace("_", "").lower()
    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: "func" if m.group().replace("_", "").lower() == key else m.group(), text)


# --- retrieval ----------------------------------------------------------------------------------


def retrieval_items(table: Table, rule: Splitter, *, with_query: bool, options: TaskOptions = TaskOptions()) -> TaskData:
    """One item per problem and language; ``with_query`` pairs each with its NL description."""
    return split_by_problem(
        {
            lang: [
                RetrievalItem(
                    id=s.id,
                    group=s.group,
                    text=code_text(s, lang, options),
                    query=(s.description if options.keep_names else mask_name(s.description, s.entry_point)) if with_query else None,
                )
                for s in problems.values()
            ]
            for lang, problems in table.items()
        },
        rule,
    )


# --- clone pairs --------------------------------------------------------------------------------

_BINDING = re.compile(r"parameter|declarat|assignment|for|let|pattern|var_spec|short_var|lambda|catch|local|variable")
_MEMBER_FIELDS = frozenset({"attribute", "property", "field", "method", "name_field"})
_KEEP = frozenset({"self", "this", "super", "it", "_", "main"})


@lru_cache(maxsize=65536)
def rewrite(code: str, language: str) -> str:
    """A semantics-preserving rewrite: locally bound names renamed consistently, indentation changed.

    A name is renamed when some occurrence binds it (a parameter, a declaration, an assignment
    target); member names (``x.count``) and names the code only uses are left alone, so library
    calls keep working.
    """
    grammar = grammar_of(language)
    source = code.encode()
    tree = parser_for(language).parse(source)
    occurrences: list[tuple[int, int, str]] = []
    bound: list[str] = []
    for node in find_nodes(tree.root_node, language, grammar.identifier_nodes):
        if node.child_count:
            continue
        parent = node.parent
        if parent is not None and parent.named_child_count > 1 and _is_member(parent, node):
            continue
        text = node.text.decode()
        if text in _KEEP or text.startswith("func"):
            continue
        occurrences.append((node.start_byte, node.end_byte, text))
        if parent is not None and _BINDING.search(parent.type) and text not in bound:
            bound.append(text)
    names = {name: f"v{i}" for i, name in enumerate(bound)}
    out = bytearray()
    cursor = 0
    for start, end, text in occurrences:
        if text in names and start >= cursor:
            out += source[cursor:start] + names[text].encode()
            cursor = end
    out += source[cursor:]
    return _reindent(out.decode())


def _is_member(parent: Node, node: Node) -> bool:
    """``node`` names a member of something (``x.count``), not a variable."""
    for field in _MEMBER_FIELDS:
        child = parent.child_by_field_name(field)
        if child is not None and child.id == node.id:
            return True
    return False


def _reindent(text: str) -> str:
    """Indentation doubled (a tab counts 4): strictly monotonic, so Python blocks survive."""
    lines = []
    for line in text.splitlines():
        body = line.lstrip(" \t")
        width = sum(4 if c == "\t" else 1 for c in line[: len(line) - len(body)])
        lines.append(" " * (2 * width) + body)
    return "\n".join(lines)


def _hash(value: str) -> int:
    return int(hashlib.sha256(value.encode()).hexdigest()[:8], 16)


def similar_problems(descriptions: Mapping[str, str], assignment: Mapping[str, str], k: int = 8) -> dict[str, list[str]]:
    """For each problem, up to ``k`` problems of the same split, most similar description first.

    TF-IDF cosine over description words, within each split (at most a few hundred problems), so
    a negative never brings a problem of another split into a pair.
    """
    groups = sorted(descriptions)
    words = [re.findall(r"[a-z]+", descriptions[g].lower()) for g in groups]
    vocabulary = {w: i for i, w in enumerate(sorted({w for ws in words for w in ws}))}
    counts = np.zeros((len(groups), max(len(vocabulary), 1)))
    for row, ws in enumerate(words):
        for w in ws:
            counts[row, vocabulary[w]] += 1
    idf = np.log((1 + len(groups)) / (1 + (counts > 0).sum(axis=0)))
    vectors = counts * idf
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    neighbours: dict[str, list[str]] = {}
    for split in sorted(set(assignment.values())):
        rows = [i for i, g in enumerate(groups) if assignment.get(g) == split]
        sims = vectors[rows] @ vectors[rows].T
        np.fill_diagonal(sims, -np.inf)
        for a, i in enumerate(rows):
            order = np.lexsort((np.arange(len(rows)), -sims[a]))[:k]  # ties: stable by group name
            neighbours[groups[i]] = [groups[rows[b]] for b in order if b != a]
    return neighbours


def clone_pairs(table: Table, rule: Splitter, *, options: TaskOptions = TaskOptions()) -> TaskData:
    """Balanced clone pairs within each language: per problem one positive and one negative.

    Positive: the solution and a rewrite of it. Negative: the solution and a rewrite of the most
    similar other problem's solution (same split, solved in that language), or, for problems whose
    hash says so and that have one, a rewrite of the buggy version. Both sides of every pair are
    treated alike (left as is, right rewritten), so "was it rewritten" tells nothing.
    """
    groups = {g for problems in table.values() for g in problems}
    assignment = rule.assign(groups)
    descriptions = {g: s.description for problems in table.values() for g, s in problems.items()}
    neighbours = similar_problems(descriptions, assignment)
    per_language: dict[str, list[Record]] = {}
    for lang, problems in table.items():
        pairs: list[Record] = []
        for g, s in sorted(problems.items()):
            left = code_text(s, lang, options)
            if s.buggy is not None and _hash(g) % 2 == 0:
                other, kind = code_text(s, lang, options, code=s.buggy), "buggy"
            else:
                q = next((h for h in neighbours.get(g, []) if h in problems), None)
                if q is None:
                    continue  # no negative, so no positive either: the classes stay balanced
                other, kind = code_text(problems[q], lang, options), f"other:{problems[q].id}"
            pairs.append(PairExample(f"{s.id}/clone", g, left, rewrite(left, lang), 1))
            pairs.append(PairExample(f"{s.id}/{kind}", g, left, rewrite(other, lang), 0))
        per_language[lang] = pairs
    return split_by_problem(per_language, rule)
