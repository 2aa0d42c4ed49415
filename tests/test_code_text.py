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
    assert "import math" in cleaned and "math.ceil" in cleaned
