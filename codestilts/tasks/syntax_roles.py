"""Syntactic roles of code tokens, one tagset for every language (the POS-tagging analogue).

Each leaf of the tree-sitter tree is a word (a string or comment is one word, however the grammar
splits it) and gets one universal tag, mapped from its node type, its parent and its field.
Snippets are every HumanEval-X solution and every MBXP prompt (+ solution, where one exists).
"""

from __future__ import annotations

import re
from pathlib import Path

from tree_sitter import Node

from codestilts.tasks import humaneval, mbxp
from codestilts.tasks.base import Format, Record, TaggingExample, Task, TaskData
from codestilts.tasks.code_pairs import split_by_problem
from codestilts.tasks.code_text import parser_for
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS, MBPP_PROBLEMS

TAGS = ("keyword", "function", "variable", "type", "property", "number", "string", "literal", "operator", "punctuation", "comment")
LANGUAGES = ("python", "cpp", "java", "js", "go", "rust", "ts", "kotlin", "ruby", "php", "csharp", "perl", "scala", "swift")
_PUNCTUATION = frozenset("()[]{},;:.") | {"::", "->", "=>", "...", "?.", "$", "@", "\\", "<?php", "?>", "#"}
_LITERALS = frozenset({"true", "false", "True", "False", "None", "null", "nil", "NULL", "nullptr", "undefined", "undef"})
_NUMBER = re.compile(r"integer|float|number|decimal|real_literal|int_literal|hex|octal|binary")
_STRING = re.compile(r"string|char|rune|heredoc|regex|template|interpolat|shell_command")
_DEFINES = re.compile(r"function|method|subroutine|constructor")
_TYPE_DEFINES = re.compile(r"class|interface|struct|enum|trait|object|module|namespace")
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_CALLS = re.compile(r"call|invocation")
_MEMBER = re.compile(r"member|attribute|field_expression|selector|navigation|scoped|access")


def _atomic(node: Node) -> bool:
    return "comment" in node.type or node.type == "pod" or bool(_STRING.search(node.type) and node.is_named)


def tag_code(code: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of ``code`` and their tag names."""
    tree = parser_for(language).parse(code.encode())
    words: list[str] = []
    tags: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.child_count and not _atomic(node):
            stack.extend(reversed(node.children))
            continue
        text = node.text.decode(errors="replace").strip()
        if not text or node.type == "ERROR":
            continue
        words.append(" ".join(text.split()) if "comment" not in node.type else text)
        tags.append(_tag(node, text))
    return tuple(words), tuple(tags)


def _field(node: Node) -> str | None:
    parent = node.parent
    if parent is None:
        return None
    for index, child in enumerate(parent.children):
        if child.id == node.id:
            return parent.field_name_for_child(index)
    return None


def _tag(node: Node, text: str) -> str:
    kind = node.type
    if "comment" in kind or kind == "pod":
        return "comment"
    if _STRING.search(kind) and node.is_named:
        return "string"
    if node.parent is not None and node.parent.type == "predefined_type":
        return "type"  # typescript's number, string
    if _NUMBER.search(kind):
        return "number"
    if text in _LITERALS or kind in ("true", "false", "null", "nil", "none", "boolean_literal", "null_literal"):
        return "literal"
    if not node.is_named:
        if node.parent is not None and "type" in node.parent.type and _NAME.match(text):
            return "type"  # java's int inside integral_type
        if text in _PUNCTUATION:
            return "punctuation"
        return "keyword" if text.replace("_", "").isalpha() else "operator"
    if "type" in kind or kind in ("primitive", "predefined_type"):
        return "type"
    if kind in ("self", "this", "super", "php_tag", "visibility_modifier", "modifier", "mutable_specifier"):
        return "keyword"
    parent = node.parent
    ptype = parent.type if parent is not None else ""
    field = _field(node)
    if "type" in ptype and "declar" not in ptype and "parameter" not in ptype and "annotation" not in ptype:
        return "type"
    if field == "name" and _TYPE_DEFINES.search(ptype):
        return "type"
    if field in ("name", "declarator") and _DEFINES.search(ptype):
        return "function"
    if kind == "function" or (field in ("function", "method", "name") and _CALLS.search(ptype)):
        return "function"
    if _CALLS.search(ptype) and field is None and _first(node):
        return "function"  # grammars without fields on calls (kotlin, swift)
    if "property" in kind or "field_identifier" in kind or field in ("property", "attribute", "field") or (
        _MEMBER.search(ptype) and field not in ("object", "receiver", "operand", "argument", "value", "expression", "scope", "path") and (field is not None or not _first(node))
    ):
        return "property"
    if _NAME.match(text):
        return "variable"
    return "operator" if not any(c.isalnum() for c in text) else "variable"


def _first(node: Node) -> bool:
    parent = node.parent
    return parent is not None and bool(parent.named_children) and parent.named_children[0].id == node.id


def tagging_examples(snippets: list[tuple[str, str, str]], language: str) -> list[Record]:
    examples: list[Record] = []
    for id_, group, code in snippets:
        words, tags = tag_code(code, language)
        if words:
            examples.append(TaggingExample(id=id_, group=group, words=words, tags=tuple(TAGS.index(t) for t in tags)))
    return examples


class _Rule:
    """HumanEval problems split by HUMANEVAL_PROBLEMS, MBPP problems by MBPP's official ids."""

    def assign(self, groups):
        groups = set(groups)
        return HUMANEVAL_PROBLEMS.assign(g for g in groups if g.startswith("humaneval/")) | MBPP_PROBLEMS.assign(
            g for g in groups if g.startswith("mbpp/")
        )


def load_syntax_roles(data_dir: Path) -> TaskData:
    per_language: dict[str, list[tuple[str, str, str]]] = {lang: [] for lang in LANGUAGES}
    for lang, problems in humaneval.read_table(data_dir, humaneval.HUMANEVAL_X_FILES).items():
        per_language[lang] += [(s.id, s.group, s.code) for s in problems.values()]
    for lang, problems in mbxp.read_table(data_dir, tuple(mbxp.FILES), prompts_only=True).items():
        per_language[lang] += [(s.id, s.group, s.code) for s in problems.values()]
    return split_by_problem({lang: tagging_examples(snippets, lang) for lang, snippets in per_language.items()}, _Rule())


from codestilts.tasks.registry import register  # noqa: E402  (after the helpers it registers)

register(
    Task(
        name="syntax-roles",
        format=Format.TOKEN_TAGGING,
        languages=LANGUAGES,
        source_language="python",
        metric="accuracy",
        labels=TAGS,
        description=(
            "syntactic role of every code token (leaves of the tree-sitter tree; strings and comments one word each), "
            f"one tagset for all languages: {', '.join(TAGS)}; HumanEval-X solutions and MBXP prompts (+ solutions)"
        ),
        splits_note="HumanEval problems 60/10/30 by problem, MBPP problems by official ids; shared across languages",
        data_files=(*humaneval.HUMANEVAL_X_FILES.values(), *mbxp.FILES.values()),
        hf_dataset="THUDM/humaneval-x, mxeval/mbxp",
        load=load_syntax_roles,
    )
)
