"""Syntactic roles of code tokens, one tagset for every language (the POS-tagging analogue).

Each leaf of the tree-sitter tree is a word (a string or comment is one word, however the grammar
splits it) and gets one tag. The tags follow one set of rules in every language, so that a
construct is tagged alike wherever it is written (zero-shot transfer measures the tagger's
inconsistencies as the model's errors otherwise). The first rule that applies decides:

============ ==================================================================================
tag          rule (examples)
============ ==================================================================================
comment      a comment or documentation block, one word (``# c``, ``/** ... */``, Perl POD)
string       a string, character, template, regex or heredoc literal, one word with its quotes
             and interpolations (``'s'``, ``"a b"``, ``$"{x}"``); Perl's auto-quoted hash key
             (``k`` in ``$h{k}``)
number       a numeric literal, suffix included (``1``, ``0L``, ``1.5f``, ``0xff``)
literal      a boolean or null literal (``True``, ``false``, ``None``, ``nil``, ``null``,
             ``nullptr``, ``undefined``, ``undef``)
punctuation  a bracket, also the angle brackets around type arguments (``<`` in ``List<Long>``,
             like ``[`` in Python's ``list[int]``); a separator (``,`` ``;`` ``:``); member
             access and qualification (``.`` ``::`` ``->`` ``?.`` ``&.``); ``=>``; a sigil
             (``$`` ``@``); the ``!`` of a Rust macro call
operator     any other symbol (``+`` ``=`` ``+=`` ``&&`` ``<`` as a comparison), and a word
             that is an expression's operator (Python's ``and`` ``or`` ``not`` ``in`` ``is``,
             Perl's ``eq`` ``lt``, Java's ``instanceof``, JavaScript's ``typeof``; not the
             ``in`` of a for loop)
function     the callee of a call, whatever the syntax: the called name (``f`` in ``f(x)``), or
             the last name of a callee reached through ``.`` ``::`` ``->`` ``?.``
             (``abs`` in ``Math.abs(x)``, ``Math.Abs(x)``, ``std::abs(x)``, ``x.abs()``,
             ``i64::abs(x)``, ``f::<T>(x)``, ``$x->abs()``); Ruby's ``x.abs`` and ``puts x``,
             which the grammar parses as calls; a Rust macro's name (``vec!``); Perl's
             built-ins called as functions (``length $s``); a conversion written as a call
             (``int(x)``, Go's ``string(c)``). Also the name a function, method or constructor
             definition gives (``def f``, ``fn f``, ``func f``, ``sub f``), and a variable
             declared with a function or lambda as its value (``const f = (x) => x``,
             ``my $f = sub {...}``, ``f := func() {...}``)
type         a name the grammar parses as a type: built-in and declared types in annotations,
             declarations, casts and type arguments (``int``, ``List``, ``i64``, C#'s ``var``),
             the class of ``new T()``, the name a class, struct, interface, enum, trait or
             module definition gives
keyword      any other reserved word: statements, declarations, modifiers (``def``, ``return``,
             ``let``, ``mut``, ``static``, ``new``), and ``self``, ``this``, ``super`` where the
             grammar makes them words of the language (Python's ``self`` is a parameter's name)
property     a name reached through ``.`` ``::`` ``->`` ``?.`` that is not called (``real`` in
             ``x.real``, ``Length`` in ``x.Length``, ``MAX`` in ``std::i64::MAX``, ``Math`` in
             ``System.Math.Max(1, 2)``), and a name the grammar marks as a field or property
             (object and struct literal keys)
variable     any other name: variables, parameters, constants, argument labels, and the first
             name of a qualified or member chain (``Math`` in ``Math.abs``, ``std`` in
             ``std::abs``, ``String`` in Rust's ``String::new()``, a Go package): tree-sitter
             parses without resolving names, so a class, namespace or package used as a value
             is a variable, as the grammar sees it
============ ==================================================================================

A snippet that stops inside open blocks (an MBXP prompt ends with the function's opening line) is
parsed with the fewest closers (``}``, Ruby's ``end``; at most 8) appended that make it parse
without errors, when some do; only the snippet's own words are tagged. Snippets are every
HumanEval-X solution and every MBXP prompt (+ solution, where one exists).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from tree_sitter import Node, Tree

from codestilts.tasks import humaneval, mbxp
from codestilts.formats import TOKEN_TAGGING, TaggingExample
from codestilts.tasks.base import Record, Task, TaskData
from codestilts.tasks.code_pairs import split_by_problem
from codestilts.tasks.code_text import parser_for, with_grammar
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS, MBPP_PROBLEMS

TAGS = ("keyword", "function", "variable", "type", "property", "number", "string", "literal", "operator", "punctuation", "comment")
LANGUAGES = ("python", "cpp", "java", "js", "go", "rust", "ts", "kotlin", "ruby", "php", "csharp", "perl", "scala", "swift")

_PUNCTUATION = frozenset("()[]{},;:.") | {"::", "->", "=>", "...", "?.", "?->", "&.", "$", "@", "\\", "<?php", "?>", "#"}
_LITERALS = frozenset({"true", "false", "True", "False", "None", "null", "nil", "NULL", "nullptr", "undefined", "undef"})
_LITERAL_KINDS = frozenset({"true", "false", "null", "nil", "none", "boolean_literal", "null_literal"})
_NUMBER = re.compile(r"^(integer|float|number)$|(integer|int|long|float|floating_point|number|hex|real|decimal)_literal$")
_STRING = re.compile(r"string|char|rune|heredoc|nowdoc|regex|interpolat|shell_command|^template_string$|^autoquoted_bareword$")
_KEYWORD_KINDS = re.compile(r"^(self|this|super|crate|php_tag|mutable_specifier)$|modifier")
_TYPE_ARGUMENTS = re.compile(r"type_arg|type_param|template_arg|template_param")
_BUILTIN_TYPE = re.compile(r"integral|floating|sized_type|placeholder_type|implicit_type|primitive|predefined|boolean_type|void_type")
_TYPE_FIELDS = frozenset({"type", "returns", "return_type", "result", "constructor", "constructed_type"})
_NOT_A_TYPE_PARENT = re.compile(r"declar|typed_|annotation|expression|conversion|assertion|qualifier|modifier")
_EXPRESSION = re.compile(r"_expression$|_operator$|^binary$|^unary$")
_WORD_OPERATOR_EXPRESSION = re.compile(r"^(not_operator|instanceof_expression|in_expression|type_cast_expression|as_expression|is_expression|check_expression)$")
"""Expressions whose operator is a word with no ``operator`` field: python's not, java's instanceof, kotlin's in, rust's as."""
_CREATION = re.compile(r"^(object_creation_expression|new_expression|instance_expression)$")
_CALL = re.compile(r"call$|call_expression$|invocation(_expression)?$")
_CALLEE_FIELDS = frozenset({"function", "method", "name", "macro"})
_DEFINITION = re.compile(r"function|method|subroutine|constructor")
_TYPE_DEFINITION = re.compile(r"class|interface|struct|enum|trait|object|module|namespace|protocol")
_FUNCTION_VALUE = re.compile(r"^(arrow_function|function_expression|function|lambda|lambda_expression|lambda_literal|closure_expression|func_literal)$|^anonymous_")
_DECLARATION = re.compile(r"declar|assignment|definition")
_NAME_HOLDER = re.compile(r"^(pattern|variable_name|scalar|variable_declaration|expression_list)$")
"""Nodes around a declared name: swift's pattern, php's $x, perl's my $x, kotlin's val x, go's x := ..."""
_ACCESS = re.compile(r"member|attribute|field_expression|field_access|selector|navigation_expression|scoped|qualified|scope_resolution|dependent_name|method_call_expression|class_constant_access|dotted_name|use_list")
_QUALIFIER_FIELDS = frozenset({"object", "receiver", "operand", "argument", "value", "expression", "scope", "path", "target", "invocant", "qualifier", "package"})
_WRAPPERS = re.compile(r"^(generic_function|generic_name|generic_type|template_function|template_method|template_type|navigation_suffix|function|type)$")
_CLOSERS = {"ruby": "end", "python": None}
_WORD_CHARACTER = re.compile(r"\w")
_MAX_OPEN = 8
"""The most blocks a snippet may leave open (an MBXP C# prompt leaves namespace, class and method)."""


def tag_code(code: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of ``code`` and their tag names."""
    language = with_grammar(language).name
    source = code.encode()
    words: list[str] = []
    tags: list[str] = []
    stack = [_parse(source, language).root_node]
    while stack:
        node = stack.pop()
        if node.start_byte >= len(source):
            continue  # a closer that completion appended
        if node.child_count and not _atomic(node):
            stack.extend(reversed(node.children))
            continue
        text = source[node.start_byte : min(node.end_byte, len(source))].decode(errors="replace").strip()
        if not text or node.type == "ERROR":
            continue
        words.append(" ".join(text.split()) if "comment" not in node.type else text)
        tags.append(_tag(node, text))
    return tuple(words), tuple(tags)


@cache
def _is(kinds: re.Pattern[str], kind: str) -> bool:
    """``kind`` (a node type) is one of ``kinds`` (each pattern is anchored where it must be): a
    grammar has a few hundred node types and a benchmark hundreds of thousands of nodes."""
    return kinds.search(kind) is not None


def _parse(source: bytes, language: str) -> Tree:
    """The tree of ``source``, or of ``source`` with the fewest closers that make it parse without errors."""
    parser = parser_for(language)
    tree = parser.parse(source)
    closer = _CLOSERS.get(language, "}")
    if not tree.root_node.has_error or closer is None:
        return tree
    for count in range(1, _MAX_OPEN + 1):
        completed = parser.parse(source + f"\n{closer}".encode() * count)
        if not completed.root_node.has_error:
            return completed
    return tree


def _atomic(node: Node) -> bool:
    return "comment" in node.type or node.type == "pod" or bool(_is(_STRING, node.type) and node.is_named)


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
    if _is(_STRING, kind) and node.is_named:
        return "string"
    if _is(_NUMBER, kind) and node.is_named:
        return "number"
    if text in _LITERALS or kind in _LITERAL_KINDS:
        return "literal"
    if not _WORD_CHARACTER.search(text):
        return _symbol(node, text)
    if not node.is_named:
        return _reserved_word(node)
    if _is(_KEYWORD_KINDS, kind):
        return "keyword"
    if "type" in kind:
        return "type"  # type_identifier, primitive_type, ...: the grammar says so
    return _name(node)


def _symbol(node: Node, text: str) -> str:
    parent = node.parent.type if node.parent is not None else ""
    if text in _PUNCTUATION or (text in ("<", ">") and _is(_TYPE_ARGUMENTS, parent)) or (text == "!" and parent == "macro_invocation"):
        return "punctuation"
    return "operator"


def _reserved_word(node: Node) -> str:
    """An anonymous word of the grammar: a keyword unless it is a callee, an operator or a built-in type."""
    parent = node.parent.type if node.parent is not None else ""
    if _callee(_chain(node)):
        return "function"  # perl's built-ins: length $s
    if _word_operator(node):
        return "operator"
    if _is(_BUILTIN_TYPE, parent):
        return "type"  # java's int inside integral_type, c++'s long long
    return "keyword"


def _word_operator(node: Node) -> bool:
    """``node`` is an expression's operator (``and``; ``not`` and ``in`` of python's ``not in``), not a
    statement's word (``in`` of a for loop)."""
    operator = node if node.parent is None or node.parent.is_named else node.parent
    expression = operator.parent
    if expression is None:
        return False
    if _field(operator) in ("operator", "operators") and _is(_EXPRESSION, expression.type):
        return True
    return _is(_WORD_OPERATOR_EXPRESSION, expression.type)


def _name(node: Node) -> str:
    expression = _chain(node)
    if _defines_function(node, expression) or _callee(expression):
        return "function"
    if _defines_type(node) or _in_type(expression):
        return "type"
    if "property" in node.type or "field_identifier" in node.type:
        return "property"
    return "property" if _after_qualifier(_head(node)) else "variable"


def _head(node: Node) -> Node:
    """The expression ``node`` is the name of: itself, or the generic or wrapper node it heads."""
    while node.parent is not None and _is(_WRAPPERS, node.parent.type) and _first(node):
        node = node.parent
    return node


def _chain(node: Node) -> Node:
    """The whole expression ``node`` names: through wrappers and the member positions of accesses
    (``Math.abs`` for ``abs``; ``Math`` stays ``Math``)."""
    node = _head(node)
    while node.parent is not None and _is(_ACCESS, node.parent.type) and not _is(_CALL, node.parent.type) and _is_member(node):
        node = _head(node.parent)
    return node


def _after_qualifier(node: Node) -> bool:
    """``node`` comes after a ``.``, ``::``, ``->``: it is a member, or the qualifier of an access that
    comes after one (``string`` in c++'s ``std::string::npos``, nested to the right)."""
    parent = node.parent
    if parent is None or not _is(_ACCESS, parent.type):
        return False
    return _is_member(node) or _after_qualifier(parent)


def _is_member(node: Node) -> bool:
    """``node`` is the member (not the object or qualifier) of the access expression it is in; the
    names in a rust use list (``HashMap`` in ``std::collections::{HashMap}``) are members of its path."""
    parent = node.parent
    if parent is not None and parent.type == "use_list":
        return parent.parent is not None and parent.parent.type == "scoped_use_list"
    if parent is None or not _is(_ACCESS, parent.type):
        return False
    field = _field(node)
    if field is not None:
        return field not in _QUALIFIER_FIELDS
    return not _first_named(node)


def _first_named(node: Node) -> bool:
    parent = node.parent
    return parent is not None and bool(parent.named_children) and parent.named_children[0].id == node.id


def _first(node: Node) -> bool:
    """``node`` is its parent's first named child, or its first child when it has no named one (perl's
    ``function`` node around a built-in)."""
    parent = node.parent
    return parent is not None and (parent.named_children or parent.children)[0].id == node.id


def _callee(expression: Node) -> bool:
    """``expression`` (a name's :func:`_chain`) is what a call calls: the name, or an access ending in it."""
    call = expression.parent
    if call is None or not _is(_CALL, call.type):
        return False
    field = _field(expression)
    if field is not None:
        return field in _CALLEE_FIELDS
    return _first_named(expression) and len(call.named_children) > 1  # kotlin, swift: no fields


def _defines_function(node: Node, expression: Node) -> bool:
    """``node`` (whose :func:`_chain` is ``expression``) is the name a function definition gives."""
    parent = expression.parent
    if parent is None:
        return False
    if _field(expression) in ("name", "declarator") and _is(_DEFINITION, parent.type) and not _is(_CALL, parent.type):
        return True
    return _declares_function_value(node)


def _declares_function_value(node: Node) -> bool:
    """``node`` is the name a declaration or assignment gives to a function or lambda (``f`` in
    ``const f = (x) => x``, perl's ``my $f = sub {...}``, go's ``f := func() {...}``)."""
    name = node
    while name.parent is not None and _is(_NAME_HOLDER, name.parent.type) and len(name.parent.named_children) == 1:
        name = name.parent
    declaration = name.parent
    if declaration is None or not _is(_DECLARATION, declaration.type):
        return False
    field = _field(name)
    if field not in ("name", "left", "pattern", "declarator") and not (field is None and _first_named(name)):
        return False
    value = declaration.child_by_field_name("value") or declaration.child_by_field_name("right") or declaration.named_children[-1]
    if value.type == "expression_list" and value.named_child_count == 1:
        value = value.named_children[0]
    return value.id != name.id and _is(_FUNCTION_VALUE, value.type)


def _defines_type(node: Node) -> bool:
    parent = node.parent
    return parent is not None and _field(node) == "name" and _is(_TYPE_DEFINITION, parent.type)


def _in_type(expression: Node) -> bool:
    """``expression`` (a name's :func:`_chain`) is in a type position: a type field, or a part of a
    type node (not its qualifier)."""
    if _field(expression) in _TYPE_FIELDS or _type_node(expression):
        return True
    parent = expression.parent
    if parent is not None and _is(_CREATION, parent.type) and _first_named(expression):
        return True  # php's new Foo(): no field names the class
    if parent is None or _is(_ACCESS, parent.type):
        return False  # a qualifier: rust's std in std::io::Result, go's package in pkg.Type
    return _type_node(parent)


def _type_node(node: Node) -> bool:
    return "type" in node.type and not _is(_NOT_A_TYPE_PARENT, node.type)


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
    for lang, problems in humaneval.read_humaneval(data_dir, humaneval.HUMANEVAL_X_FILES).items():
        per_language[lang] += [(s.id, s.group, s.code) for s in problems.values()]
    for lang, problems in mbxp.read_mbxp(data_dir, tuple(mbxp.FILES), prompts_only=True).items():
        per_language[lang] += [(s.id, s.group, s.code) for s in problems.values()]
    return split_by_problem({lang: tagging_examples(snippets, lang) for lang, snippets in per_language.items()}, _Rule())


TASKS = (
    Task(
        name="syntax-roles",
        format=TOKEN_TAGGING,
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
    ),
)
