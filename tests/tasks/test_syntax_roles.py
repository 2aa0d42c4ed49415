"""syntax-roles: one snippet per language against its expected universal tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from codestilts.tasks import get_task, load
from codestilts.tasks.syntax_roles import LANGUAGES, TAGS, tag_code

CASES = {
    'python': (
        "def add(x):\n    # c\n    return x.real + 1 if True else len('s')\n",
        "def/keyword add/function (/punctuation x/variable )/punctuation :/punctuation # c/comment return/keyword x/variable ./punctuation real/property +/operator 1/number if/keyword True/literal else/keyword len/function (/punctuation 's'/string )/punctuation",
    ),
    'cpp': (
        'int add(int x) { return std::abs(x) + 1; }',
        'int/type add/function (/punctuation int/type x/variable )/punctuation {/punctuation return/keyword std/variable ::/punctuation abs/variable (/punctuation x/variable )/punctuation +/operator 1/number ;/punctuation }/punctuation',
    ),
    'java': (
        'class A { int add(int x) { return Math.abs(x) + 1; } }',
        'class/keyword A/type {/punctuation int/type add/function (/punctuation int/type x/variable )/punctuation {/punctuation return/keyword Math/variable ./punctuation abs/function (/punctuation x/variable )/punctuation +/operator 1/number ;/punctuation }/punctuation }/punctuation',
    ),
    'js': (
        'const add = (x) => { return x.length + 1; };',
        'const/keyword add/variable =/operator (/punctuation x/variable )/punctuation =>/punctuation {/punctuation return/keyword x/variable ./punctuation length/property +/operator 1/number ;/punctuation }/punctuation ;/punctuation',
    ),
    'go': (
        'func Add(x int) bool { return x > 1 && true }',
        'func/keyword Add/function (/punctuation x/variable int/type )/punctuation bool/type {/punctuation return/keyword x/variable >/operator 1/number &&/operator true/literal }/punctuation',
    ),
    'rust': (
        'fn add(x: i32) -> i32 { return x.abs() + 1; }',
        'fn/keyword add/function (/punctuation x/variable :/punctuation i32/type )/punctuation ->/punctuation i32/type {/punctuation return/keyword x/variable ./punctuation abs/property (/punctuation )/punctuation +/operator 1/number ;/punctuation }/punctuation',
    ),
    'ts': (
        'function add(x: number): number { return x + 1; }',
        'function/keyword add/function (/punctuation x/variable :/punctuation number/type )/punctuation :/punctuation number/type {/punctuation return/keyword x/variable +/operator 1/number ;/punctuation }/punctuation',
    ),
    'kotlin': (
        'fun add(x: Int): Int { return x.plus(1) }',
        'fun/keyword add/function (/punctuation x/variable :/punctuation Int/type )/punctuation :/punctuation Int/type {/punctuation return/keyword x/variable ./punctuation plus/property (/punctuation 1/number )/punctuation }/punctuation',
    ),
    'ruby': (
        'def add(x)\n  return x.abs + 1\nend\n',
        'def/keyword add/function (/punctuation x/variable )/punctuation return/keyword x/variable ./punctuation abs/function +/operator 1/number end/keyword',
    ),
    'php': (
        '<?php\nfunction add($x) { return abs($x) + 1; }\n',
        '<?php/keyword function/keyword add/function (/punctuation $/punctuation x/variable )/punctuation {/punctuation return/keyword abs/function (/punctuation $/punctuation x/variable )/punctuation +/operator 1/number ;/punctuation }/punctuation',
    ),
    'csharp': (
        'class P { static int Add(int x) { return Math.Abs(x) + 1; } }',
        'class/keyword P/type {/punctuation static/keyword int/type Add/function (/punctuation int/type x/variable )/punctuation {/punctuation return/keyword Math/variable ./punctuation Abs/property (/punctuation x/variable )/punctuation +/operator 1/number ;/punctuation }/punctuation }/punctuation',
    ),
    'perl': (
        'sub add { my ($x) = @_; return $x + 1; }',
        'sub/keyword add/function {/punctuation my/keyword (/punctuation $/punctuation x/variable )/punctuation =/operator @/punctuation _/variable ;/punctuation return/keyword $/punctuation x/variable +/operator 1/number ;/punctuation }/punctuation',
    ),
    'scala': (
        'def add(x: Int): Int = { x + 1 }',
        'def/keyword add/function (/punctuation x/variable :/punctuation Int/type )/punctuation :/punctuation Int/type =/operator {/punctuation x/variable +/operator 1/number }/punctuation',
    ),
    'swift': (
        'func add(x: Int) -> Int { return max(x, 1) }',
        'func/keyword add/function (/punctuation x/variable :/punctuation Int/type )/punctuation ->/punctuation Int/type {/punctuation return/keyword max/function (/punctuation x/variable ,/punctuation 1/number )/punctuation }/punctuation',
    ),
}


def test_every_language_has_a_case() -> None:
    assert set(CASES) == set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(CASES))
def test_tags_per_language(language: str) -> None:
    code, expected = CASES[language]
    words, tags = tag_code(code, language)
    assert " ".join(f"{w}/{t}" for w, t in zip(words, tags, strict=True)) == expected
    assert set(tags) <= set(TAGS)


def test_strings_and_comments_are_one_word() -> None:
    words, tags = tag_code('x = "a b c"  # two words here\n', "python")
    assert list(zip(words, tags)) == [("x", "variable"), ("=", "operator"), ('"a b c"', "string"), ("# two words here", "comment")]


@pytest.mark.data
def test_real_syntax_roles_cover_every_language(real_data: Path) -> None:
    data = load(get_task("syntax-roles"), real_data)
    assert set(data) == set(LANGUAGES)
    for language, splits in data.items():
        assert splits["train"] and splits["test"], language
        example = splits["test"][0]
        assert len(example.words) == len(example.tags) > 5

