"""Code cleaning for leak-free inputs: comments, docstrings and preambles go, defined names are masked."""

from __future__ import annotations

import pytest

from codestilts.tasks.code_text import clean_code, defined_functions

SNIPPETS = {
    "python": ('import os\n\ndef is_even(n):\n    """Docstring with is_even."""\n    # comment\n    return n % 2 == 0 or is_even(n - 2)\n', "is_even"),
    "cpp": ("#include<stdio.h>\nusing namespace std;\nbool is_even(int n){\n    // comment\n    return n % 2 == 0; /* c */\n}\n", "is_even"),
    "java": ("import java.util.*;\nclass Solution {\n    /** doc */\n    public boolean isEven(int n) {\n        return n % 2 == 0;\n    }\n}\n", "isEven"),
    "js": ("// top\nconst isEven = (n) => {\n  return n % 2 == 0;\n}\n", "isEven"),
    "go": ('import (\n    "math"\n)\n// IsEven says\nfunc IsEven(n int) bool {\n    return n % 2 == 0\n}\n', "IsEven"),
    "rust": ("use std::cmp;\n/// doc\nfn is_even(n: i32) -> bool {\n    // c\n    return n % 2 == 0;\n}\n", "is_even"),
}


@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_clean_code_removes_leaks(language: str) -> None:
    code, name = SNIPPETS[language]
    assert defined_functions(code, language) == [name]
    cleaned = clean_code(code, language)
    assert name not in cleaned
    assert "func" in cleaned
    for leak in ("comment", "doc", "Docstring", "import", "#include", "use std", "// ", "/*"):
        assert leak not in cleaned, (leak, cleaned)
    assert "% 2 == 0" in cleaned


def test_masking_is_consistent_for_helpers() -> None:
    code = "def helper(x):\n    return x\n\ndef main_fn(y):\n    return helper(y) + helper(1)\n"
    cleaned = clean_code(code, "python")
    assert cleaned.count("func(") == 3  # the definition and both calls
    assert "def func1(y)" in cleaned


def test_names_kept_when_asked() -> None:
    code, name = SNIPPETS["go"]
    assert name in clean_code(code, "go", mask_names=False)


def test_strings_that_look_like_comments_survive() -> None:
    cleaned = clean_code('def f():\n    return "# not a comment"\n', "python")
    assert '"# not a comment"' in cleaned


def test_prose_string_after_an_import_is_dropped_like_a_docstring() -> None:
    """HumanEval/115 opens its function with ``import math`` and only then its description."""
    code = 'def max_fill(grid):\n    import math\n    """Fill the wells with buckets."""\n    return sum(math.ceil(sum(r)) for r in grid)\n'
    cleaned = clean_code(code, "python")
    assert "buckets" not in cleaned
    assert "import" not in cleaned and "math.ceil" in cleaned


# Imports inside functions (and at the top), per language: (code, what must go, what must stay).
IMPORTS = {
    "python": ("def f(t):\n    import hashlib\n    from re import split as s\n    return hashlib.md5(t)\n", ["import", "hashlib\n", "from re"], "hashlib.md5(t)"),
    "js": ("function f(t) {\n  var md5 = require('js-md5')\n  const {a} = require('b');\n  require('c');\n  return md5(t)\n}\n", ["require", "js-md5"], "return md5(t)"),
    "ts": ("import * as math from 'mathjs'\nconst f = function (d: number): number {\n  const m = require('m');\n  return math.sqrt(d)\n}\n", ["import", "require"], "math.sqrt(d)"),
    "java": ("import java.util.*;\npackage a.b;\nclass S {\n    int f(int x) { return x; }\n}\n", ["import", "package"], "return x;"),
    "cpp": ("#include <vector>\nint f(int x) {\n    using namespace std;\n    #include <cmath>\n    return x;\n}\n", ["#include", "using", "cmath"], "return x;"),
    "go": ('package main\nimport (\n    "math"\n)\nfunc F(x int) int {\n    return x\n}\n', ["package", "import", '"math"'], "return x"),
    "rust": ("use std::cmp;\nfn f(x: i32) -> i32 {\n    use std::collections::HashMap;\n    return x;\n}\n", ["use ", "HashMap"], "return x;"),
    "csharp": ("using System;\nnamespace N {\n    using System.Linq;\n    class A {\n        int F(int x) { using var r = G(); return x; }\n    }\n}\n", ["using System", "Linq"], "using var r = G(); return x;"),
    "php": ("<?php\nuse A\\B;\nfunction f($x) {\n    require_once 'a.php';\n    include 'b.php';\n    return $x;\n}\n?>\n</s><pad> require_once 'c';\n", ["<?php", "use A", "require_once", "include", "?>", "<pad>"], "return $x;"),
    "ruby": ("require 'json'\ndef f(x)\n  require 'set'\n  require_relative 'a'\n  Set.new(x)\nend\n", ["require"], "Set.new(x)"),
    "perl": ("use strict;\nsub f {\n    use List::Util qw(max);\n    require Foo::Bar;\n    return max(@_);\n}\n", ["use ", "require", "Foo::Bar"], "return max(@_);"),
    "kotlin": ("package a\nimport kotlin.math.*\nfun f(x: Int): Int {\n    return x\n}\n", ["package", "import"], "return x"),
    "scala": ("import scala.math._\nobject A {\n  def f(x: Int): Int = {\n    import scala.collection.mutable\n    x\n  }\n}\n", ["import", "mutable"], "def func(x: Int)"),
    "swift": ("import Foundation\nfunc f(x: Int) -> Int {\n    return x\n}\n", ["import", "Foundation"], "return x"),
}


@pytest.mark.parametrize("language", sorted(IMPORTS))
def test_imports_are_dropped_wherever_they_are(language: str) -> None:
    """HumanEval/162 imports ``hashlib`` inside its function, JavaScript/162 ``require('js-md5')``:
    the library names the answer, so imports go in every language, at any depth."""
    code, gone, kept = IMPORTS[language]
    cleaned = clean_code(code, language)
    for text in gone:
        assert text not in cleaned, (text, cleaned)
    assert kept in cleaned, cleaned


def test_names_in_string_literals_are_masked() -> None:
    """MBJSP/276 throws ``"Illegal volumeCylinder"``: the name leaks through the string."""
    code = 'function volumeCylinder(r) {\n  throw new Error("Illegal volumeCylinder: " + r);\n}\n'
    assert clean_code(code, "js", entry_point="volume_cylinder") == 'function func(r) {\n  throw new Error("Illegal func: " + r);\n}'
    assert "volumeCylinder" in clean_code(code, "js", mask_names=False)


def test_ruby_string_statements_before_the_last_are_dropped() -> None:
    """MBRBP/86 opens its method with a Python docstring; a Ruby method's last string is its value."""
    code = 'def hexagonal(n)  """\n  Find the nth number.\n  >>> hexagonal(10)\n  """\n  return 3 * n\nend\n\ndef name()\n  "kept"\nend\n'
    cleaned = clean_code(code, "ruby")
    assert "nth" not in cleaned and ">>>" not in cleaned
    assert "return 3 * n" in cleaned and '"kept"' in cleaned
