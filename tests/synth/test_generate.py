"""The generator: deterministic by seed, typed programs whose tests come from the Python rendering,
mutants that fail them, renderings every language's grammar parses, descriptions from the tree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codestilts.synth.describe import describe
from codestilts.synth.evaluate import outputs
from codestilts.synth.generate import generate, generate_program
from codestilts.synth.nodes import BinOp, Const, Function, Not, Compare, Return, Var
from codestilts.synth.render import LANGUAGES, RENDERERS
from codestilts.tasks.code_text import parser_for

A, B, C = Var("a", "int"), Var("b", "int"), Var("c", "int")


def test_same_seed_same_programs_other_seed_other_programs() -> None:
    first = generate(3, 40)
    assert generate(3, 40) == first
    assert generate(3, 60)[:40] == first  # a larger corpus starts with the smaller one
    assert generate(4, 40) != first


def test_programs_are_distinct_and_their_tests_are_the_python_outputs() -> None:
    programs = generate(0, 120)
    assert len({p.function for p in programs}) == len(programs)
    for program in programs:
        expected = [t.expected for t in program.tests]
        assert outputs(program.function, [t.args for t in program.tests]) == expected
        assert len(set(expected)) > 1  # no constant functions


def test_every_mutant_fails_one_of_its_programs_tests() -> None:
    programs = generate(0, 120)
    with_mutant = [p for p in programs if p.mutant is not None]
    assert len(with_mutant) > 0.9 * len(programs)
    for program in with_mutant:
        assert program.mutant != program.function
        assert outputs(program.mutant, [t.args for t in program.tests]) != [t.expected for t in program.tests]


def _has_error(node) -> bool:
    return node.type == "ERROR" or node.is_missing or any(_has_error(c) for c in node.children)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), index=st.integers(0, 10_000))
def test_every_rendering_parses_in_its_language(seed: int, index: int) -> None:
    function = generate_program(seed, index).function
    for language, renderer in RENDERERS.items():
        tree = parser_for(language).parse(renderer.function(function).encode())
        assert not _has_error(tree.root_node), (language, renderer.function(function))


def test_parentheses_keep_the_trees_meaning() -> None:
    # a - (b - c) and (a + b) * c: the right operand of its own level and a looser operand get parentheses
    body = (Return(BinOp("*", BinOp("+", A, B), BinOp("-", A, BinOp("-", B, C)))),)
    function = Function("f", (A, B, C), "int", body)
    assert RENDERERS["python"].function(function).endswith("return (a + b) * (a - (b - c))")
    assert outputs(function, [(1, 2, 3)]) == [(1 + 2) * (1 - (2 - 3))]


def test_negation_is_explicit_in_every_language() -> None:
    function = Function("f", (A,), "bool", (Return(Not(Compare(">", A, Const(3, "int")))),))
    rendered = {lang: RENDERERS[lang].function(function) for lang in LANGUAGES}
    assert "return not (a > 3)" in rendered["python"]
    assert all("!(a > 3" in text for lang, text in rendered.items() if lang != "python")


def test_descriptions_come_in_two_wordings_and_tell_a_mutant_apart() -> None:
    for program in generate(0, 60):
        first, second = describe(program.function, 0), describe(program.function, 1)
        assert first != second
        assert program.function.name not in first + second
        if program.mutant is not None:
            assert describe(program.mutant, 0) != first
