"""Turning benchmark code into model input without answer leaks.

Parallel benchmarks share function names and docstrings across languages, which makes retrieval
and clone tasks trivial (a model matches names, not programs). :func:`clean_code` parses the code
with tree-sitter and

- drops comments and, in Python, docstrings;
- drops imports wherever they are (``import``/``from``, ``#include``, ``use``, ``using`` directives,
  ``require(...)``/``require``/``include`` statements, ...), at the top of the file or inside a
  function (HumanEval/162's ``import hashlib`` would name the answer), package clauses, and PHP's
  tags and the text after ``?>``;
- masks every function the snippet defines (and each use of it, in string literals too) as
  ``func``, ``func1``, ...

Languages are named by their canonical names, and their grammars come from :mod:`codestilts.languages`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import import_module

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from codestilts import languages
from codestilts.languages import Grammar

_KEEP_NAMES = frozenset({"main"})
_CALLS = frozenset({"call_expression", "call"})
_WRAPPERS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration", "variable_declarator"})
"""Statements around an import expression that hold nothing else: dropped with it."""
_BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def with_grammar(language: str) -> languages.Language:
    """``language`` (any name or alias), which must have a tree-sitter grammar: else a user error
    naming the languages that have one."""
    return languages.get(language, having="grammar")


def grammar_of(language: str) -> Grammar:
    return with_grammar(language).grammar


@cache
def parser_for(language: str) -> Parser:
    """A tree-sitter parser for ``language``, built once per process."""
    return Parser(language_for(language))


@cache
def language_for(language: str) -> Language:
    grammar = grammar_of(language)
    module = import_module(grammar.module)
    with warnings.catch_warnings():  # tree-sitter-perl still hands over its language as an int
        warnings.simplefilter("ignore", DeprecationWarning)
        return Language(getattr(module, grammar.entry)())


@cache
def node_kinds(language: str, *, containing: str) -> frozenset[str]:
    """The grammar's named node types whose name contains ``containing`` (``comment``, ...)."""
    lang = language_for(language)
    kinds = (lang.node_kind_for_id(i) for i in range(lang.node_kind_count) if lang.node_kind_is_named(i))
    return frozenset(k for k in kinds if k and containing in k)


@cache
def _query(language: str, groups: tuple[tuple[str, frozenset[str]], ...]) -> Query | None:
    lang = language_for(language)
    patterns = [f"({t}) @{name}" for name, types in groups for t in sorted(types) if lang.id_for_node_kind(t, True)]
    return Query(lang, " ".join(patterns)) if patterns else None


def find_groups(root: Node, language: str, groups: Mapping[str, frozenset[str]]) -> dict[str, list[Node]]:
    """For each named group of node types, its nodes under ``root`` in document order: one
    tree-sitter query (in C) for all the groups."""
    query = _query(language, tuple(sorted(groups.items(), key=lambda group: group[0])))
    found = QueryCursor(query).captures(root) if query is not None else {}
    return {name: sorted(found.get(name, []), key=lambda n: (n.start_byte, -n.end_byte)) for name in groups}


def find_nodes(root: Node, language: str, types: frozenset[str]) -> list[Node]:
    """The nodes of the given types under ``root``, in document order."""
    return find_groups(root, language, {"n": types})["n"]


def _docstring_candidates(language: str) -> frozenset[str]:
    """The node types :func:`_docstrings` looks at."""
    return {"python": frozenset({"expression_statement"}), "ruby": frozenset({"string", "chained_string"})}.get(language, frozenset())


def _docstrings(candidates: list[Node], language: str) -> list[Node]:
    """String statements that do nothing, in Python and Ruby, among ``candidates`` (nodes of the
    types :func:`_docstring_candidates` names): docstrings, and prose written as one.

    In Python, a string statement in a module, class or function body: a docstring, or prose where
    Python does not count it one (after an ``import``, as in HumanEval/115). In Ruby, whose last
    statement is the method's value, a string statement before the last (MBXP's Ruby solutions
    sometimes open with a Python docstring, examples and all).
    """
    if language == "python":
        return [
            n for n in candidates
            if n.named_child_count == 1 and n.named_children[0].type == "string" and n.parent is not None and n.parent.type in ("block", "module")
        ]
    if language == "ruby":
        return [n for n in candidates if n.parent is not None and n.parent.type == "body_statement" and n.next_named_sibling is not None]
    return []


def _is_js_function_binding(node: Node) -> bool:
    value = node.child_by_field_name("value")
    return value is not None and value.type in ("arrow_function", "function_expression", "function")


def defined_functions(code: str, language: str) -> list[str]:
    """Names of the functions (and methods) that ``code`` defines, in order of appearance."""
    root = parser_for(language).parse(code.encode()).root_node
    return _defined_functions(find_nodes(root, language, grammar_of(language).function_nodes), language)


def _defined_functions(definitions: list[Node], language: str) -> list[str]:
    """The names that ``definitions`` (nodes of the grammar's function types) give."""
    grammar = grammar_of(language)
    names: list[str] = []
    for node in definitions:
        if node.type == "variable_declarator" and not _is_js_function_binding(node):
            continue
        name = node.child_by_field_name("name") or node.child_by_field_name("declarator")
        if name is None or name.type not in grammar.identifier_nodes or name.is_missing:
            continue
        text = name.text.decode()
        if text not in names and text not in _KEEP_NAMES:
            names.append(text)
    return names


def _import_statements(dropped: list[Node], calls: list[Node], language: str) -> list[Node]:
    """Every import (and other dropped node: ``dropped``; calls to an import function among
    ``calls``), each widened to the statement that holds nothing but it."""
    import_calls = grammar_of(language).import_calls
    found = list(dropped)
    for call in calls if import_calls else ():
        callee = call.child_by_field_name("function") or call.child_by_field_name("method")
        if call.child_by_field_name("receiver") is None and callee is not None and callee.text.decode() in import_calls:
            found.append(call)
    return [_statement_of(node) for node in found]


def _statement_of(node: Node) -> Node:
    """``node``, or the statement around it that does nothing else (``var md5 = require(...)``)."""
    while (parent := node.parent) is not None and parent.type in _WRAPPERS:
        value = parent.child_by_field_name("value")
        if parent.named_child_count != 1 and (value is None or value.id != node.id):
            break
        node = parent
    return node


def name_key(name: str) -> str:
    """``min_cost``, ``minCost`` and ``MinCost`` are one name (benchmarks rename per language style)."""
    return name.replace("_", "").lower()


@lru_cache(maxsize=65536)
def clean_code(
    code: str,
    language: str,
    *,
    mask_names: bool = True,
    drop_comments: bool = True,
    entry_point: str | None = None,
) -> str:
    """``code`` without comments, docstrings and imports, its own function names masked.

    ``entry_point`` (the problem's function name) also masks any identifier spelled like it in
    another case style, such as the class ``MinCost`` that MBXP wraps around Java's ``minCost``.
    """
    language = with_grammar(language).name
    grammar = grammar_of(language)
    source = code.encode()
    root = parser_for(language).parse(source).root_node
    groups = {"functions": grammar.function_nodes, "dropped": grammar.dropped_nodes, "calls": _CALLS}
    if drop_comments:
        groups |= {"comments": node_kinds(language, containing="comment") | {"pod"}, "docstrings": _docstring_candidates(language)}
    if mask_names:
        groups |= {"identifiers": grammar.identifier_nodes, "strings": node_kinds(language, containing="string")}
    found = find_groups(root, language, groups)
    defined = _defined_functions(found["functions"], language)
    masks = {name: ("func" if i == 0 else f"func{i}") for i, name in enumerate(defined)}
    like = name_key(entry_point) if entry_point else None

    edits: list[tuple[int, int, bytes]] = []
    for node in _import_statements(found["dropped"], found["calls"], language):
        after = node.next_sibling  # Perl's `require X;` ends in a `;` outside its statement
        end = after.end_byte if after is not None and after.type == ";" and node.type == "expression_statement" else node.end_byte
        edits.append((node.start_byte, end, b""))
    if drop_comments:
        edits += [(n.start_byte, n.end_byte, b"") for n in found["comments"]]
        edits += [(n.start_byte, n.end_byte, b"") for n in _docstrings(found["docstrings"], language)]
    if mask_names:

        def masked(name: str) -> str:
            return masks.get(name) or ("func" if like is not None and name_key(name) == like else name)

        for node in found["identifiers"]:
            if (text := node.text.decode()) != masked(text):
                edits.append((node.start_byte, node.end_byte, masked(text).encode()))
        for node in found["strings"]:  # "Illegal volumeCylinder"
            text = node.text.decode()
            if (words := _WORD.sub(lambda m: masked(m.group()), text)) != text:
                edits.append((node.start_byte, node.end_byte, words.encode()))

    out = bytearray()
    cursor = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], -e[1], len(e[2]))):
        if start < cursor:  # nested inside an edit already made (a name inside a string, a docstring, an import)
            continue
        out += source[cursor:start] + replacement
        cursor = end
    out += source[cursor:]
    text = out.decode()
    text = _BLANK_LINES.sub("", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
