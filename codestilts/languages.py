"""Every language codestilts knows, in one registry: its canonical name, its aliases, its tree-sitter
grammar (code cleaning, clone rewrites, syntax roles), its sandboxed runner (execution) and its synth
renderer (generated programs).

The canonical name is the one tasks' records, stage parameters and results carry (``js``, ``ts``,
``cpp``, ``csharp``...); any alias (``javascript``, ``typescript``, ``c++``, ``c#``...) names the
same language wherever a name is read: a config, a task file, a samples file, a benchmark's files.
Natural languages (``en``) are registered too, so that a report can tell an NL task from a code one.

A language's runner and renderer live in their own layers (:data:`codestilts.execution.runners.RUNNERS`,
:data:`codestilts.synth.render.RENDERERS`), keyed by the canonical name; this registry attaches them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from codestilts.errors import UserError
from codestilts.execution.runners import RUNNERS, Runner
from codestilts.synth.render import RENDERERS, Renderer

IDENTIFIERS = frozenset({"identifier", "field_identifier", "property_identifier"})


@dataclass(frozen=True)
class Grammar:
    """How to read one language with tree-sitter: the Python module that ships the grammar, and the
    node types that code cleaning (:mod:`codestilts.tasks.code_text`) acts on."""

    module: str
    function_nodes: frozenset[str]
    dropped_nodes: frozenset[str]
    """Imports, package clauses, PHP's ``<?php`` tag and the text after ``?>`` (which PHP prints,
    not runs: MBPHP has model output there): dropped wherever they are."""
    identifier_nodes: frozenset[str] = IDENTIFIERS
    entry: str = "language"
    """The module's function that returns the grammar."""
    import_calls: frozenset[str] = frozenset()
    """Functions whose call is an import (``require`` in JavaScript and Ruby): the statement that
    makes the call, or binds its result (``var md5 = require('js-md5')``), is dropped."""


@dataclass(frozen=True)
class Language:
    name: str
    aliases: tuple[str, ...] = ()
    grammar: Grammar | None = None
    natural: bool = False
    """A natural language (``en``): the language of NL tasks."""
    stop: tuple[str, ...] = ()
    """Where a generated completion ends: decoding stops at the first of these (or the model's end
    of text), and the completion is cut before it. Each begins a line at column 0 that a function
    completing the prompt would not write: a test, a main function, printing (so a model that goes
    on after its answer does not run code of its own among the tests)."""

    @property
    def runner(self) -> Runner | None:
        """How to run its programs in the sandbox; None where codestilts has no runner for it."""
        return RUNNERS.get(self.name)

    @property
    def renderer(self) -> Renderer | None:
        """How synth renders generated programs in it; None where synth does not."""
        return RENDERERS.get(self.name)


def _stop(*starts: str) -> tuple[str, ...]:
    """Stop sequences: each start at the beginning of a line."""
    return tuple("\n" + start for start in starts)


def _nodes(*names: str) -> frozenset[str]:
    return frozenset(names)


LANGUAGES: tuple[Language, ...] = (
    Language("python", ("py", "python3"), stop=_stop("if __name__", "print(", "assert ", "exit("), grammar=Grammar(
        "tree_sitter_python", _nodes("function_definition"),
        _nodes("import_statement", "import_from_statement", "future_import_statement"),
    )),
    Language("c", stop=_stop("int main", "void main")),
    Language("cpp", ("c++", "cc"), stop=_stop("int main", "void main"), grammar=Grammar(
        "tree_sitter_cpp", _nodes("function_declarator"), _nodes("preproc_include", "using_declaration"),
    )),
    Language("java", (), stop=_stop("class Main", "public class Main"), grammar=Grammar(
        "tree_sitter_java", _nodes("method_declaration", "constructor_declaration"),
        _nodes("import_declaration", "package_declaration"),
    )),
    Language("js", ("javascript", "node"), stop=_stop("console.", "module.exports", "process."), grammar=Grammar(
        "tree_sitter_javascript", _nodes("function_declaration", "variable_declarator"), _nodes("import_statement"),
        import_calls=_nodes("require"),
    )),
    Language("ts", ("typescript",), stop=_stop("console.", "module.exports", "process."), grammar=Grammar(
        "tree_sitter_typescript", _nodes("function_declaration", "variable_declarator", "method_definition"),
        _nodes("import_statement"), _nodes("identifier", "property_identifier", "type_identifier"),
        entry="language_typescript", import_calls=_nodes("require"),
    )),
    Language("go", ("golang",), stop=_stop("func main", "func Test"), grammar=Grammar(
        "tree_sitter_go", _nodes("function_declaration", "method_declaration"), _nodes("import_declaration", "package_clause"),
    )),
    Language("rust", ("rs",), stop=_stop("fn main", "#[cfg(test)]", "#[test]"), grammar=Grammar(
        "tree_sitter_rust", _nodes("function_item"), _nodes("use_declaration", "extern_crate_declaration"),
    )),
    Language("csharp", ("cs", "c#"), stop=_stop("class Main", "public class Main"), grammar=Grammar(
        "tree_sitter_c_sharp", _nodes("method_declaration", "local_function_statement", "constructor_declaration"),
        _nodes("using_directive"), _nodes("identifier"),
    )),
    Language("php", (), stop=_stop("echo ", "print"), grammar=Grammar(
        "tree_sitter_php", _nodes("function_definition", "method_declaration"),
        _nodes(
            "php_tag", "text_interpolation", "namespace_use_declaration",
            "require_expression", "require_once_expression", "include_expression", "include_once_expression",
        ),
        _nodes("name"), entry="language_php",
    )),
    Language("ruby", ("rb",), stop=_stop("puts ", "print ", "p "), grammar=Grammar(
        "tree_sitter_ruby", _nodes("method"), _nodes(), _nodes("identifier", "constant"),
        import_calls=_nodes("require", "require_relative"),
    )),
    Language("kotlin", ("kt",), stop=_stop("fun main"), grammar=Grammar(
        "tree_sitter_kotlin", _nodes("function_declaration"),
        _nodes("import", "import_list", "import_header", "package_header"),
        _nodes("identifier", "simple_identifier", "type_identifier"),
    )),
    Language("scala", (), stop=_stop("object Main", "def main"), grammar=Grammar(
        "tree_sitter_scala", _nodes("function_definition"), _nodes("import_declaration", "package_clause"),
        _nodes("identifier", "type_identifier"),
    )),
    Language("swift", (), stop=_stop("print("), grammar=Grammar(
        "tree_sitter_swift", _nodes("function_declaration"), _nodes("import_declaration"),
        _nodes("simple_identifier", "type_identifier"),
    )),
    Language("perl", ("pl",), stop=_stop("print ", "say ", "__END__"), grammar=Grammar(
        "tree_sitter_perl", _nodes("subroutine_declaration_statement"),
        _nodes("use_statement", "use_version_statement", "require_expression"),
        _nodes("bareword", "function", "varname"),
    )),
    # CRUXEval-X's other languages: names only (no grammar, runner or renderer here)
    Language("d"),
    Language("julia", ("jl",)),
    Language("lua"),
    Language("r"),
    Language("racket", ("rkt",)),
    Language("bash", ("sh",)),
    Language("en", natural=True),
)

_BY_NAME = {spelling: lang for lang in LANGUAGES for spelling in (lang.name, *lang.aliases)}


def find(name: str) -> Language | None:
    """The language ``name`` (its canonical name or an alias, any case), or None."""
    return _BY_NAME.get(name.strip().lower())


def get(name: str, *, where: str | None = None, having: str | None = None) -> Language:
    """The language ``name``; ``having`` (``grammar``, ``runner``, ``renderer``) requires that part.
    An unknown name, or a language without that part, is one :class:`UserError` listing the known ones."""
    found = find(name)
    if found is None or (having is not None and getattr(found, having) is None):
        known = [lang.name for lang in LANGUAGES if having is None or getattr(lang, having) is not None]
        what = f"no {having} for language" if found is not None else "unknown language"
        listed = "known" if having is None else f"languages with a {having}"
        raise UserError(f"{what} {name!r}", where=where, hint=f"{listed}: {', '.join(known)}")
    return found


def is_natural(names: Iterable[str]) -> bool:
    """Every one of ``names`` is a natural language (the languages of an NL task)."""
    return all((found := find(name)) is not None and found.natural for name in names)


def canonical(name: str) -> str:
    """The canonical name of ``name`` if it is a registered language, else ``name`` unchanged (a task
    file may name a natural language codestilts does not register)."""
    found = find(name)
    return found.name if found is not None else name
