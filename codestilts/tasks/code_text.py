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

Languages are named by their short codes (``python``, ``cpp``, ``java``, ``js``, ``go``, ``rust``, ``ts``,
``csharp``, ``php``, ``ruby``, ``kotlin``, ``scala``, ``swift``, ``perl``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import import_module

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from codestilts.errors import UserError


@dataclass(frozen=True)
class Grammar:
    """How to read one language with tree-sitter."""

    module: str
    function_nodes: frozenset[str]
    dropped_nodes: frozenset[str]
    """Imports, package clauses, PHP's ``<?php`` tag and the text after ``?>`` (which PHP prints,
    not runs: MBPHP has model output there): dropped wherever they are."""
    identifier_nodes: frozenset[str] = frozenset({"identifier", "field_identifier", "property_identifier"})
    entry: str = "language"
    import_calls: frozenset[str] = frozenset()
    """Functions whose call is an import (``require`` in JavaScript and Ruby): the statement that
    makes the call, or binds its result (``var md5 = require('js-md5')``), is dropped."""


GRAMMARS: dict[str, Grammar] = {
    "python": Grammar(
        "tree_sitter_python",
        frozenset({"function_definition"}),
        frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
    ),
    "cpp": Grammar(
        "tree_sitter_cpp",
        frozenset({"function_declarator"}),
        frozenset({"preproc_include", "using_declaration"}),
    ),
    "java": Grammar(
        "tree_sitter_java",
        frozenset({"method_declaration", "constructor_declaration"}),
        frozenset({"import_declaration", "package_declaration"}),
    ),
    "js": Grammar(
        "tree_sitter_javascript",
        frozenset({"function_declaration", "variable_declarator"}),
        frozenset({"import_statement"}),
        import_calls=frozenset({"require"}),
    ),
    "go": Grammar(
        "tree_sitter_go",
        frozenset({"function_declaration", "method_declaration"}),
        frozenset({"import_declaration", "package_clause"}),
    ),
    "rust": Grammar(
        "tree_sitter_rust",
        frozenset({"function_item"}),
        frozenset({"use_declaration", "extern_crate_declaration"}),
    ),
    "ts": Grammar(
        "tree_sitter_typescript",
        frozenset({"function_declaration", "variable_declarator", "method_definition"}),
        frozenset({"import_statement"}),
        frozenset({"identifier", "property_identifier", "type_identifier"}),
        entry="language_typescript",
        import_calls=frozenset({"require"}),
    ),
    "csharp": Grammar(
        "tree_sitter_c_sharp",
        frozenset({"method_declaration", "local_function_statement", "constructor_declaration"}),
        frozenset({"using_directive"}),
        frozenset({"identifier"}),
    ),
    "php": Grammar(
        "tree_sitter_php",
        frozenset({"function_definition", "method_declaration"}),
        frozenset({
            "php_tag", "text_interpolation", "namespace_use_declaration",
            "require_expression", "require_once_expression", "include_expression", "include_once_expression",
        }),
        frozenset({"name"}),
        entry="language_php",
    ),
    "ruby": Grammar(
        "tree_sitter_ruby",
        frozenset({"method"}),
        frozenset(),
        frozenset({"identifier", "constant"}),
        import_calls=frozenset({"require", "require_relative"}),
    ),
    "kotlin": Grammar(
        "tree_sitter_kotlin",
        frozenset({"function_declaration"}),
        frozenset({"import", "import_list", "import_header", "package_header"}),
        frozenset({"identifier", "simple_identifier", "type_identifier"}),
    ),
    "scala": Grammar(
        "tree_sitter_scala",
        frozenset({"function_definition"}),
        frozenset({"import_declaration", "package_clause"}),
        frozenset({"identifier", "type_identifier"}),
    ),
    "swift": Grammar(
        "tree_sitter_swift",
        frozenset({"function_declaration"}),
        frozenset({"import_declaration"}),
        frozenset({"simple_identifier", "type_identifier"}),
    ),
    "perl": Grammar(
        "tree_sitter_perl",
        frozenset({"subroutine_declaration_statement"}),
        frozenset({"use_statement", "use_version_statement", "require_expression"}),
        frozenset({"bareword", "function", "varname"}),
    ),
}

CLEANING_VERSION = "2"
"""The ``version`` of the benchmark tasks whose records this module cleans (HumanEval, MBXP,
CodeXGLUE): bump it when the cleaning changes its output, so that stages made from the old
records are not reused. 2: imports dropped inside functions too, names masked in strings, Ruby's
docstrings and PHP's text after ``?>`` dropped. (The synth tasks have their own version.)"""

_KEEP_NAMES = frozenset({"main"})
_CALLS = frozenset({"call_expression", "call"})
_WRAPPERS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration", "variable_declarator"})
"""Statements around an import expression that hold nothing else: dropped with it."""
_BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def parser_for(language: str) -> Parser:
    """A tree-sitter parser for ``language``, built once per process."""
    grammar = GRAMMARS.get(language)
    if grammar is None:
        raise UserError(
            f"no tree-sitter grammar for language {language!r}",
            hint=f"known: {', '.join(sorted(GRAMMARS))}",
        )
    return Parser(language_for(language))


@cache
def language_for(language: str) -> Language:
    grammar = GRAMMARS[language]
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
def _query(language: str, types: frozenset[str]) -> Query | None:
    lang = language_for(language)
    known = sorted(t for t in types if lang.id_for_node_kind(t, True))
    return Query(lang, " ".join(f"({t}) @n" for t in known)) if known else None


def find_nodes(root: Node, language: str, types: frozenset[str]) -> list[Node]:
    """The nodes of the given types under ``root``, in document order (a tree-sitter query, in C)."""
    query = _query(language, types)
    if query is None:
        return []
    nodes = QueryCursor(query).captures(root).get("n", [])
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


def _docstrings(root: Node, language: str) -> list[Node]:
    """String statements that do nothing, in Python and Ruby: docstrings, and prose written as one.

    In Python, a string statement in a module, class or function body: a docstring, or prose where
    Python does not count it one (after an ``import``, as in HumanEval/115). In Ruby, whose last
    statement is the method's value, a string statement before the last (MBXP's Ruby solutions
    sometimes open with a Python docstring, examples and all).
    """
    if language == "python":
        statements = find_nodes(root, language, frozenset({"expression_statement"}))
        return [
            n for n in statements
            if n.named_child_count == 1 and n.named_children[0].type == "string" and n.parent is not None and n.parent.type in ("block", "module")
        ]
    if language == "ruby":
        strings = find_nodes(root, language, frozenset({"string", "chained_string"}))
        return [n for n in strings if n.parent is not None and n.parent.type == "body_statement" and n.next_named_sibling is not None]
    return []


def _is_js_function_binding(node: Node) -> bool:
    value = node.child_by_field_name("value")
    return value is not None and value.type in ("arrow_function", "function_expression", "function")


def defined_functions(code: str, language: str) -> list[str]:
    """Names of the functions (and methods) that ``code`` defines, in order of appearance."""
    return _defined_functions(parser_for(language).parse(code.encode()).root_node, language)


def _defined_functions(root: Node, language: str) -> list[str]:
    grammar = GRAMMARS[language]
    names: list[str] = []
    for node in find_nodes(root, language, grammar.function_nodes):
        if node.type == "variable_declarator" and not _is_js_function_binding(node):
            continue
        name = node.child_by_field_name("name") or node.child_by_field_name("declarator")
        if name is None or name.type not in grammar.identifier_nodes or name.is_missing:
            continue
        text = name.text.decode()
        if text not in names and text not in _KEEP_NAMES:
            names.append(text)
    return names


def _import_statements(root: Node, language: str) -> list[Node]:
    """Every import (and other dropped node) under ``root``, each widened to the statement that
    holds nothing but it."""
    grammar = GRAMMARS[language]
    found = find_nodes(root, language, grammar.dropped_nodes)
    if grammar.import_calls:
        for call in find_nodes(root, language, _CALLS):
            callee = call.child_by_field_name("function") or call.child_by_field_name("method")
            if call.child_by_field_name("receiver") is None and callee is not None and callee.text.decode() in grammar.import_calls:
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
    parser = parser_for(language)
    grammar = GRAMMARS[language]
    source = code.encode()
    tree = parser.parse(source)
    root = tree.root_node
    defined = _defined_functions(root, language)
    masks = {name: ("func" if i == 0 else f"func{i}") for i, name in enumerate(defined)}
    like = name_key(entry_point) if entry_point else None

    edits: list[tuple[int, int, bytes]] = []
    for node in _import_statements(root, language):
        after = node.next_sibling  # Perl's `require X;` ends in a `;` outside its statement
        end = after.end_byte if after is not None and after.type == ";" and node.type == "expression_statement" else node.end_byte
        edits.append((node.start_byte, end, b""))
    if drop_comments:
        comments = node_kinds(language, containing="comment") | {"pod"}
        edits += [(n.start_byte, n.end_byte, b"") for n in find_nodes(root, language, comments)]
        edits += [(n.start_byte, n.end_byte, b"") for n in _docstrings(root, language)]
    if mask_names:

        def masked(name: str) -> str:
            return masks.get(name) or ("func" if like is not None and name_key(name) == like else name)

        for node in find_nodes(root, language, grammar.identifier_nodes):
            if (text := node.text.decode()) != masked(text):
                edits.append((node.start_byte, node.end_byte, masked(text).encode()))
        for node in find_nodes(root, language, node_kinds(language, containing="string")):  # "Illegal volumeCylinder"
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
