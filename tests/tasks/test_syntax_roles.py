"""syntax-roles: the tagset's rules (codestilts/tasks/syntax_roles.py's table) per language, and
across the six renderings of every generated program.

Each golden case is a list of (words with their expected tags, why): the reason names the rule of
the table that gives the tags. Every language has the constructs of the issue where it has them: a
call through a qualifier (``Math.abs(x)``, ``std::abs(x)``), a method call (``x.abs()``), a member
read and not called (a property), a definition's name, types, and word operators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from codestilts.synth.nodes import Append, For, Function, If, Stmt
from codestilts.synth.render import RENDERERS
from codestilts.tasks import TASKS, load
from codestilts.tasks.syntax_roles import LANGUAGES, tag_code
from codestilts.tasks.synth import corpus, table

CASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "python": (
        "def add(x: list[int], n=None) -> bool:\n"
        "    # c\n"
        "    f = lambda v: v\n"
        "    y = math.fabs(x.real) + abs(x) + x.bit_length()\n"
        "    return not y and 1 in x or 's' is None\n",
        [
            ("def/keyword add/function", "a function definition's name is a function"),
            ("(/punctuation x/variable :/punctuation", "a parameter is a variable"),
            ("list/type [/punctuation int/type ]/punctuation", "names in an annotation are types; brackets of type arguments are punctuation"),
            (",/punctuation n/variable =/operator None/literal", "None is a null literal"),
            (")/punctuation ->/punctuation bool/type :/punctuation", "-> before a return type is punctuation"),
            ("# c/comment", "a comment is one word"),
            ("f/function =/operator lambda/keyword v/variable :/punctuation v/variable", "a variable declared with a lambda as its value is a function"),
            ("y/variable =/operator", ""),
            ("math/variable ./punctuation fabs/function", "math.fabs(...) is called: the callee's last name is a function, its first name a variable"),
            ("(/punctuation x/variable ./punctuation real/property )/punctuation", "x.real is read, not called: a property"),
            ("+/operator abs/function (/punctuation x/variable )/punctuation", "abs(x): a called name is a function"),
            ("+/operator x/variable ./punctuation bit_length/function (/punctuation )/punctuation", "a method call x.f(): the method is a function"),
            ("return/keyword not/operator y/variable and/operator 1/number in/operator x/variable or/operator", "not, and, in, or are operators of expressions"),
            ("'s'/string is/operator None/literal", "is is a comparison's operator"),
        ],
    ),
    "cpp": (
        "std::vector<int> add(int x, Point p) {\n"
        "    auto g = [](int a) { return a; };\n"
        "    return std::abs(x) + std::max<int>(x, 1) + p.size() + p.first + (x and true);\n"
        "}\n",
        [
            ("std/variable ::/punctuation vector/type", "a qualifier's first name is a variable (tree-sitter does not resolve namespaces); the type's name is a type"),
            ("</punctuation int/type >/punctuation", "angle brackets around type arguments are punctuation"),
            ("add/function (/punctuation int/type x/variable ,/punctuation Point/type p/variable )/punctuation {/punctuation", "the defined function's name is a function; parameters are variables"),
            ("auto/type g/function =/operator", "a variable declared with a lambda as its value is a function"),
            ("[/punctuation ]/punctuation (/punctuation int/type a/variable )/punctuation {/punctuation return/keyword a/variable ;/punctuation }/punctuation ;/punctuation", ""),
            ("return/keyword std/variable ::/punctuation abs/function (/punctuation x/variable )/punctuation", "std::abs(x) is a call: the callee's last name is a function"),
            ("+/operator std/variable ::/punctuation max/function </punctuation int/type >/punctuation (/punctuation x/variable ,/punctuation 1/number )/punctuation", "a generic callee std::max<int> is a function too"),
            ("+/operator p/variable ./punctuation size/function (/punctuation )/punctuation", "a method call p.size(): the method is a function"),
            ("+/operator p/variable ./punctuation first/property", "p.first is read, not called: a property"),
            ("+/operator (/punctuation x/variable and/operator true/literal )/punctuation ;/punctuation }/punctuation", "and is an expression's operator"),
        ],
    ),
    "java": (
        "class A {\n"
        "    int add(int[] x, List<Long> l) {\n"
        "        return Math.abs(x) + x.length + l.size() + (x instanceof Foo ? 1 : 0) + new ArrayList<>().size();\n"
        "    }\n"
        "}\n",
        [
            ("class/keyword A/type {/punctuation", "a class definition's name is a type"),
            ("int/type add/function (/punctuation", "a method definition's name is a function"),
            ("int/type [/punctuation ]/punctuation x/variable ,/punctuation", "a parameter is a variable"),
            ("List/type </punctuation Long/type >/punctuation l/variable )/punctuation {/punctuation", "angle brackets around type arguments are punctuation"),
            ("return/keyword Math/variable ./punctuation abs/function (/punctuation x/variable )/punctuation", "Math.abs(x): the callee's last name is a function, its first name a variable"),
            ("+/operator x/variable ./punctuation length/property", "x.length is read, not called: a property"),
            ("+/operator l/variable ./punctuation size/function (/punctuation )/punctuation", "a method call l.size(): the method is a function"),
            ("+/operator (/punctuation x/variable instanceof/operator Foo/type ?/operator 1/number :/punctuation 0/number )/punctuation", "instanceof is an expression's operator; its right side a type"),
            ("+/operator new/keyword ArrayList/type </punctuation >/punctuation (/punctuation )/punctuation", "the class of new T() is a type"),
            ("./punctuation size/function (/punctuation )/punctuation ;/punctuation }/punctuation }/punctuation", "a method called on any expression is a function"),
        ],
    ),
    "js": (
        "const add = (x) => {\n"
        "    return Math.abs(x) + x.length + x.toFixed() + typeof x + new Set([null]).size;\n"
        "};\n",
        [
            ("const/keyword add/function =/operator", "a variable declared with an arrow function as its value is a function"),
            ("(/punctuation x/variable )/punctuation =>/punctuation {/punctuation", "a parameter is a variable; => is punctuation"),
            ("return/keyword Math/variable ./punctuation abs/function (/punctuation x/variable )/punctuation", "Math.abs(x): the callee's last name is a function, its first name a variable"),
            ("+/operator x/variable ./punctuation length/property", "x.length is read, not called: a property"),
            ("+/operator x/variable ./punctuation toFixed/function (/punctuation )/punctuation", "a method call x.f(): the method is a function"),
            ("+/operator typeof/operator x/variable", "typeof is an expression's operator"),
            ("+/operator new/keyword Set/type (/punctuation [/punctuation null/literal ]/punctuation )/punctuation", "the class of new T() is a type; null a literal"),
            ("./punctuation size/property ;/punctuation }/punctuation ;/punctuation", "a member read, not called: a property"),
        ],
    ),
    "go": (
        "func Add(x int, p Point) bool {\n    return math.Abs(x) > float64(len(p.Items)) && p.Len() > 1 && true\n}\n",
        [
            ("func/keyword Add/function (/punctuation x/variable int/type ,/punctuation p/variable Point/type )/punctuation bool/type {/punctuation", "the defined function's name is a function; parameters variables; types types"),
            ("return/keyword math/variable ./punctuation Abs/function (/punctuation x/variable )/punctuation", "math.Abs(x): a package is the chain's first name (a variable), the callee a function"),
            (">/operator float64/function (/punctuation len/function (/punctuation", "a conversion written as a call is a call: float64 is a function, as len"),
            ("p/variable ./punctuation Items/property )/punctuation )/punctuation", "p.Items is read, not called: a property"),
            ("&&/operator p/variable ./punctuation Len/function (/punctuation )/punctuation", "a method call p.Len(): the method is a function"),
            (">/operator 1/number &&/operator true/literal }/punctuation", ""),
        ],
    ),
    "rust": (
        "fn add(x: i64, p: Point) -> i64 {\n"
        "    let v = Vec::<i64>::new();\n"
        "    return x.abs() + i64::abs(x) + i64::MAX + p.len + vec![1].len() as i64;\n"
        "}\n",
        [
            ("fn/keyword add/function (/punctuation x/variable :/punctuation i64/type ,/punctuation p/variable :/punctuation Point/type )/punctuation", "the defined function's name is a function"),
            ("->/punctuation i64/type {/punctuation", "-> before a return type is punctuation"),
            ("let/keyword v/variable =/operator Vec/type ::/punctuation </punctuation i64/type >/punctuation", "the grammar parses Vec::<i64> as a generic type"),
            ("::/punctuation new/function (/punctuation )/punctuation ;/punctuation", "Type::f(): the callee's last name is a function"),
            ("return/keyword x/variable ./punctuation abs/function (/punctuation )/punctuation", "a method call x.abs(): the method is a function"),
            ("+/operator i64/variable ::/punctuation abs/function (/punctuation x/variable )/punctuation", "i64::abs(x): the qualifier is an identifier to the grammar (a variable), the callee a function"),
            ("+/operator i64/variable ::/punctuation MAX/property", "i64::MAX is read, not called: a property"),
            ("+/operator p/variable ./punctuation len/property", "p.len is a field read: a property"),
            ("+/operator vec/function !/punctuation [/punctuation 1/number ]/punctuation", "a macro's name is a function; its ! is punctuation"),
            ("./punctuation len/function (/punctuation )/punctuation as/operator i64/type ;/punctuation }/punctuation", "as is a cast's operator"),
        ],
    ),
    "ts": (
        "const add = function (x: number, l: Array<number>): number {\n"
        "    return Math.abs(x) + l.length + l.indexOf(x) + (x as number);\n"
        "};\n",
        [
            ("const/keyword add/function =/operator function/keyword", "a variable declared with a function expression as its value is a function"),
            ("(/punctuation x/variable :/punctuation number/type ,/punctuation", "a parameter is a variable; a built-in type a type"),
            ("l/variable :/punctuation Array/type </punctuation number/type >/punctuation )/punctuation :/punctuation number/type {/punctuation", "angle brackets around type arguments are punctuation"),
            ("return/keyword Math/variable ./punctuation abs/function (/punctuation x/variable )/punctuation", "Math.abs(x): the callee's last name is a function"),
            ("+/operator l/variable ./punctuation length/property", "l.length is read, not called: a property"),
            ("+/operator l/variable ./punctuation indexOf/function (/punctuation x/variable )/punctuation", "a method call: the method is a function"),
            ("+/operator (/punctuation x/variable as/operator number/type )/punctuation ;/punctuation }/punctuation ;/punctuation", "as is an expression's operator"),
        ],
    ),
    "kotlin": (
        "fun add(x: Int, l: List<Int>): Int {\n    return Math.abs(x) + x.plus(1) + l.size + (if (x in l) 1 else 0)\n}\n",
        [
            ("fun/keyword add/function (/punctuation x/variable :/punctuation Int/type ,/punctuation", "the defined function's name is a function"),
            ("l/variable :/punctuation List/type </punctuation Int/type >/punctuation )/punctuation :/punctuation Int/type {/punctuation", "angle brackets around type arguments are punctuation"),
            ("return/keyword Math/variable ./punctuation abs/function (/punctuation x/variable )/punctuation", "Math.abs(x): the callee's last name is a function"),
            ("+/operator x/variable ./punctuation plus/function (/punctuation 1/number )/punctuation", "a method call x.plus(1): the method is a function"),
            ("+/operator l/variable ./punctuation size/property", "l.size is read, not called: a property"),
            ("+/operator (/punctuation if/keyword (/punctuation x/variable in/operator l/variable )/punctuation 1/number else/keyword 0/number )/punctuation }/punctuation", "in is an expression's operator"),
        ],
    ),
    "ruby": (
        "def add(x)\n  puts x\n  return Math.sqrt(x) + x.abs + x.abs() + Float::INFINITY + (x and nil)\nend\n",
        [
            ("def/keyword add/function (/punctuation x/variable )/punctuation", "the defined method's name is a function"),
            ("puts/function x/variable", "puts x is a call without parentheses: puts is a function"),
            ("return/keyword Math/variable ./punctuation sqrt/function (/punctuation x/variable )/punctuation", "Math.sqrt(x): the callee's last name is a function"),
            ("+/operator x/variable ./punctuation abs/function", "x.abs without parentheses is a call to the grammar: abs is a function"),
            ("+/operator x/variable ./punctuation abs/function (/punctuation )/punctuation", "and with parentheses"),
            ("+/operator Float/variable ::/punctuation INFINITY/property", "Float::INFINITY is read, not called: a property"),
            ("+/operator (/punctuation x/variable and/operator nil/literal )/punctuation end/keyword", "and is an expression's operator"),
        ],
    ),
    "php": (
        "<?php\nfunction add($x) {\n    return abs($x) + Math::abs($x) + $x->abs() + $x->n + new Foo() + (true and $x);\n}\n",
        [
            ("<?php/keyword function/keyword add/function (/punctuation $/punctuation x/variable )/punctuation {/punctuation", "the defined function's name is a function; $ is a sigil"),
            ("return/keyword abs/function (/punctuation $/punctuation x/variable )/punctuation", "abs($x): a called name is a function"),
            ("+/operator Math/variable ::/punctuation abs/function (/punctuation $/punctuation x/variable )/punctuation", "Math::abs($x): the callee's last name is a function"),
            ("+/operator $/punctuation x/variable ->/punctuation abs/function (/punctuation )/punctuation", "a method call $x->abs(): the method is a function"),
            ("+/operator $/punctuation x/variable ->/punctuation n/property", "$x->n is read, not called: a property"),
            ("+/operator new/keyword Foo/type (/punctuation )/punctuation", "the class of new T() is a type"),
            ("+/operator (/punctuation true/literal and/operator $/punctuation x/variable )/punctuation ;/punctuation }/punctuation", "and is an expression's operator"),
        ],
    ),
    "csharp": (
        "class P {\n"
        "    static int Add(int x, List<int> l) {\n"
        "        return Math.Abs(x) + x.CompareTo(1) + l.Count + l.Sum<int>() + (x is int ? 1 : 0);\n"
        "    }\n"
        "}\n",
        [
            ("class/keyword P/type {/punctuation", "a class definition's name is a type"),
            ("static/keyword int/type Add/function (/punctuation int/type x/variable ,/punctuation", "a method definition's name is a function"),
            ("List/type </punctuation int/type >/punctuation l/variable )/punctuation {/punctuation", "angle brackets around type arguments are punctuation"),
            ("return/keyword Math/variable ./punctuation Abs/function (/punctuation x/variable )/punctuation", "Math.Abs(x): the callee's last name is a function"),
            ("+/operator x/variable ./punctuation CompareTo/function (/punctuation 1/number )/punctuation", "a method call: the method is a function"),
            ("+/operator l/variable ./punctuation Count/property", "l.Count is read, not called: a property"),
            ("+/operator l/variable ./punctuation Sum/function </punctuation int/type >/punctuation (/punctuation )/punctuation", "a generic method call: the method is a function"),
            ("+/operator (/punctuation x/variable is/operator int/type ?/operator 1/number :/punctuation 0/number )/punctuation ;/punctuation }/punctuation }/punctuation", "is is an expression's operator"),
        ],
    ),
    "perl": (
        "sub add {\n    my ($x) = @_;\n    return abs($x) + length $x + POSIX::floor($x) + $x->abs() + ($x eq 'a');\n}\n",
        [
            ("sub/keyword add/function {/punctuation", "the defined subroutine's name is a function"),
            ("my/keyword (/punctuation $/punctuation x/variable )/punctuation =/operator @/punctuation _/variable ;/punctuation", "$ and @ are sigils; @_ is a variable"),
            ("return/keyword abs/function (/punctuation $/punctuation x/variable )/punctuation", "a built-in called as a function is a function"),
            ("+/operator length/function $/punctuation x/variable", "also without parentheses"),
            ("+/operator POSIX::floor/function (/punctuation $/punctuation x/variable )/punctuation", "the grammar makes POSIX::floor one word: a called name"),
            ("+/operator $/punctuation x/variable ->/punctuation abs/function (/punctuation )/punctuation", "a method call $x->abs(): the method is a function"),
            ("+/operator (/punctuation $/punctuation x/variable eq/operator 'a'/string )/punctuation ;/punctuation }/punctuation", "eq is an expression's operator"),
        ],
    ),
    "scala": (
        "object A {\n"
        "  def add(x: Int, l: List[Int]): Int = {\n"
        "    val a = List[Int](x).size\n"
        "    math.abs(x) + x.abs() + l.length + x.abs + new Foo().n\n"
        "  }\n"
        "}\n",
        [
            ("object/keyword A/type {/punctuation", "an object definition's name is a type"),
            ("def/keyword add/function (/punctuation x/variable :/punctuation Int/type ,/punctuation", "the defined method's name is a function"),
            ("l/variable :/punctuation List/type [/punctuation Int/type ]/punctuation )/punctuation :/punctuation Int/type =/operator {/punctuation", "brackets around type arguments are punctuation"),
            ("val/keyword a/variable =/operator List/function [/punctuation Int/type ]/punctuation (/punctuation x/variable )/punctuation", "List[Int](x) is a call: List is a function"),
            ("./punctuation size/property", "a member read, not called: a property"),
            ("math/variable ./punctuation abs/function (/punctuation x/variable )/punctuation", "math.abs(x): the callee's last name is a function"),
            ("+/operator x/variable ./punctuation abs/function (/punctuation )/punctuation", "a method call x.abs(): the method is a function"),
            ("+/operator l/variable ./punctuation length/property", "l.length is read, not called: a property"),
            ("+/operator x/variable ./punctuation abs/property", "x.abs without parentheses is a field access to the grammar (unlike Ruby's): a property"),
            ("+/operator new/keyword Foo/type (/punctuation )/punctuation ./punctuation n/property }/punctuation }/punctuation", "the class of new T() is a type"),
        ],
    ),
    "swift": (
        "func add(x: Int, l: [Int]) -> Int {\n"
        "    let a = x.advanced(by: 1)\n"
        "    return abs(x) + l.count + Int.max + (x is Int ? 1 : 0)\n"
        "}\n",
        [
            ("func/keyword add/function (/punctuation x/variable :/punctuation Int/type ,/punctuation", "the defined function's name is a function"),
            ("l/variable :/punctuation [/punctuation Int/type ]/punctuation )/punctuation ->/punctuation Int/type {/punctuation", ""),
            ("let/keyword a/variable =/operator x/variable ./punctuation advanced/function", "a method call x.advanced(...): the method is a function"),
            ("(/punctuation by/variable :/punctuation 1/number )/punctuation", "an argument label names a parameter: a variable"),
            ("return/keyword abs/function (/punctuation x/variable )/punctuation", "abs(x): a called name is a function"),
            ("+/operator l/variable ./punctuation count/property", "l.count is read, not called: a property"),
            ("+/operator Int/variable ./punctuation max/property", "Int.max: the chain's first name is a variable to the grammar, the member read a property"),
            ("+/operator (/punctuation x/variable is/operator Int/type ?/operator 1/number :/punctuation 0/number )/punctuation }/punctuation", "is is an expression's operator"),
        ],
    ),
}

PROMPTS = {
    "java": ("class Main {\n    /** Find the volume. */\n    public static int findVolume(int l, int b) {\n", "findVolume", ("l", "b")),
    "js": ("/** Find the volume. */\nfunction findVolume(l, b) {\n", "findVolume", ("l", "b")),
    "ts": ("/** Find the volume. */\nconst findVolume = function (l: number, b: number) : number {\n", "findVolume", ("l", "b")),
    "cpp": ("#include <vector>\n/** Find the volume. */\nint findVolume(int l, int b) {\n", "findVolume", ("l", "b")),
    "go": ("package main\n// Find the volume.\nfunc findVolume(l int, b int) int {\n", "findVolume", ("l", "b")),
    "kotlin": ("/** Find the volume. */\nfun findVolume(l : Int, b : Int) : Int {\n", "findVolume", ("l", "b")),
    "ruby": ("# Find the volume.\ndef find_volume(l, b)\n", "find_volume", ("l", "b")),
    "php": ("<?php\n/** Find the volume. */\nfunction findVolume($l, $b){\n", "findVolume", ("l", "b")),
    "csharp": (
        "using System;\nnamespace Solution {\n    public class Program {\n        /// <summary>Find the volume.</summary>\n"
        "        public static int FindVolume (int l, int b)\n        {\n",
        "FindVolume",
        ("l", "b"),
    ),
    "perl": ("# Find the volume.\nsub find_volume\n{\n  my ($l, $b) = @_;\n", "find_volume", ("l", "b")),
    "scala": ("object Main extends App {\n    /** Find the volume. */\n    def findVolume(l : Int, b : Int) : Int = {\n", "findVolume", ("l", "b")),
    "swift": ("/** Find the volume. */\nfunc findVolume(l : Int, b : Int) -> Int {\n", "findVolume", ("l", "b")),
}
"""An MBXP prompt's shape per language: it stops after the function's opening line (the model writes
the body), so its blocks stay open."""

LAMBDAS = {
    "python": "f = lambda v: v\nc = 1\n",
    "cpp": "void m() { auto f = [](int v) { return v; }; int c = 1; }",
    "java": "class A { void m() { Function<Long, Long> f = v -> v; long c = 1; } }",
    "js": "const f = (v) => v;\nconst c = 1;\n",
    "go": "func m() {\n    f := func(v int) int { return v }\n    c := 1\n}\n",
    "rust": "fn m() { let mut f = |v: i64| v; let c = 1; }",
    "ts": "const f = function (v: number) { return v; };\nconst c = 1;\n",
    "kotlin": "fun m() { val f = { v: Int -> v }; val c = 1 }",
    "ruby": "f = ->(v) { v }\nc = 1\n",
    "php": "<?php\n$f = function ($v) { return $v; };\n$c = 1;\n",
    "csharp": "class A { void M() { Func<int, int> f = v => v; int c = 1; } }",
    "perl": "my $f = sub { return $_[0]; };\nmy $c = 1;\n",
    "scala": "object A { val f = (v: Int) => v; val c = 1 }",
    "swift": "let f = { (v: Int) in v }\nlet c = 1\n",
}
"""A variable declared with a function or lambda as its value (``f``) is a function, as a defined
function's name is; one declared with any other value (``c``) stays a variable."""


def _tagged(code: str, language: str) -> str:
    words, tags = tag_code(code, language)
    return " ".join(f"{w}/{t}" for w, t in zip(words, tags, strict=True))


def test_every_language_has_a_case() -> None:
    assert set(CASES) == set(LAMBDAS) == set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(CASES))
def test_tags_per_language(language: str) -> None:
    code, lines = CASES[language]
    assert _tagged(code, language) == " ".join(words for words, _ in lines)


def test_strings_and_comments_are_one_word() -> None:
    words, tags = tag_code('x = "a b c"  # two words here\n', "python")
    assert list(zip(words, tags)) == [("x", "variable"), ("=", "operator"), ('"a b c"', "string"), ("# two words here", "comment")]


@pytest.mark.parametrize("language", sorted(PROMPTS))
def test_an_unclosed_prompt_is_tagged_as_if_closed(language: str) -> None:
    """Closers are appended for the parse only: the words are the prompt's, and the defined
    function and its parameters get the tags they have in a complete program."""
    code, name, parameters = PROMPTS[language]
    words, tags = tag_code(code, language)
    assert "".join("".join(w.split()) for w in words) == "".join(code.split())
    tag_of = dict(zip(words, tags, strict=True))
    assert tag_of[name] == "function"
    assert [tag_of[p] for p in parameters] == ["variable"] * len(parameters)


@pytest.mark.parametrize("language", sorted(LAMBDAS))
def test_a_variable_declared_with_a_function_is_a_function(language: str) -> None:
    tag_of = dict(zip(*tag_code(LAMBDAS[language], language), strict=True))
    assert (tag_of["f"], tag_of["c"]) == ("function", "variable")


APPEND_METHOD = {"python": "append", "js": "push", "java": "add", "cpp": "push_back", "go": "append", "rust": "push"}
"""How each renderer appends to a list (:class:`Append`): the one callee every rendering has, under its own name."""
SPELLING = {"===": "==", "!==": "!=", "and": "&&", "or": "||", "not": "!", "True": "true", "False": "false"}
SHARED = {
    "operator": {"+", "-", "*", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "=", "+=", "-="},
    "keyword": {"if", "else", "for", "return"},
    "literal": {"true", "false"},
}
TYPE_ARGUMENT_OPENERS = {"List", "ArrayList", "vector", "Vec", "::"}
TYPE_ARGUMENT_LAST = {"Long", "long", "i64", "<"}
EXPECTED = {"name": "variable", "function name": "function", "append callee": "function", "number": "number", "string": "string"}


def _statements(body: tuple[Stmt, ...]) -> Iterator[Stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, If):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)
        elif isinstance(stmt, For):
            yield from _statements(stmt.body)


def _names(function: Function) -> set[str]:
    """The parameters' and locals' names: the same in every rendering."""
    found = {p.name for p in function.params}
    for stmt in _statements(function.body):
        found |= {getattr(stmt, a).name for a in ("target", "var") if hasattr(stmt, a)}
    return found


def _key(word: str, previous: str, function: Function, language: str) -> tuple[str, str] | None:
    """What ``word`` is in the program, where every rendering has it; None where it has no counterpart.

    Corresponding tokens: a parameter's or local's name; the function's name (restyled per
    language); the callee of an append; a number (Java's ``L`` dropped), a character or string
    literal, a boolean; ``if`` ``else`` ``for`` ``return``; an operator of the program's
    expressions and assignments, spelled alike once JavaScript's ``===`` and Python's ``and`` ``or``
    ``not`` are mapped. Left out, having no one-to-one counterpart: types (JavaScript writes none,
    and a type is one word in Python but up to five in C++: ``std::vector<long long>``);
    punctuation (Python's ``:`` and indentation against braces, Go's conditions without
    parentheses); every other keyword (``def``/``function``/``fn``/``func``, ``let``/``mut``, Java's
    class and modifiers, Go's ``range``); the calls one language needs and the others do not
    (Java's ``toCharArray``, Rust's ``chars``/``iter``/``insert``/``String::new``, Go's
    ``string(c)``); and a ``<`` or ``>`` that brackets type arguments in Java, C++ and Rust
    (``List<Long>``), spelled like a comparison but another construct.
    """
    if word in _names(function):
        return ("name", word)
    if word == RENDERERS[language].name(function):
        return ("function name", "")
    if word == APPEND_METHOD[language] and any(isinstance(s, Append) for s in _statements(function.body)):
        return ("append callee", "")
    if word.removesuffix("L").isdigit():
        return ("number", word.removesuffix("L"))
    if word[0] in "'\"":
        return ("string", word)
    word = SPELLING.get(word, word)
    if (word == "<" and previous in TYPE_ARGUMENT_OPENERS) or (word == ">" and previous in TYPE_ARGUMENT_LAST):
        return None
    return next(((kind, word) for kind, words in SHARED.items() if word in words), None)


def corresponding_tags(program_id: str) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """(language, word, tag) of every token of the program's six renderings, grouped by what it is;
    only groups that every rendering has."""
    function = next(p.function for p in corpus() if p.id == program_id)
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for language, programs in table().items():
        words, tags = tag_code(programs[program_id].code, language)
        for index, (word, tag) in enumerate(zip(words, tags, strict=True)):
            key = _key(word, words[index - 1] if index else "", function, language)
            if key is not None:
                groups[key].append((language, word, tag))
    return {key: tokens for key, tokens in groups.items() if {language for language, _, _ in tokens} == set(table())}


def test_corresponding_tokens_of_the_six_renderings_get_one_tag() -> None:
    """Every program synth-syntax-roles tags: a token gets the tag its counterparts get in the five
    other languages, and the one the rules give (a local is a variable, the append a function, ...)."""
    disagreements = []
    checked = 0
    for program in corpus():
        for (kind, word), tokens in corresponding_tags(program.id).items():
            checked += 1
            expected = EXPECTED.get(kind, kind)
            wrong = sorted({(language, tag) for language, _, tag in tokens if tag != expected})
            if wrong:
                disagreements.append(f"{program.id} {kind} {word}: {wrong} (expected {expected})")
    assert checked > 10 * len(corpus())  # names, literals, keywords, operators: no program goes unchecked
    assert not disagreements, f"{len(disagreements)} of {checked} groups disagree, e.g. " + "; ".join(disagreements[:8])



@pytest.mark.data
def test_real_syntax_roles_cover_every_language(real_data: Path) -> None:
    data = load(TASKS.get("syntax-roles"), real_data)
    assert set(data) == set(LANGUAGES)
    for language, splits in data.items():
        assert splits["train"] and splits["test"], language
        example = splits["test"][0]
        assert len(example.words) == len(example.tags) > 5
