"""A deterministic generator of small typed programs, each with its tests and a defective mutant.

Program ``i`` of seed ``s`` depends on ``(s, i)`` alone (``random.Random`` seeded with a string is
stable across Python versions), so a corpus of 300 programs starts with the 200 of a smaller one.
Values stay small (inputs in [-9, 9], lists of at most 6, no multiplication of an accumulator), so
every language's integer type holds every intermediate result.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codestilts.synth.evaluate import outputs
from codestilts.synth.mutate import function_mutants
from codestilts.synth.nodes import (
    COMPARISONS,
    Append,
    BinOp,
    BoolOp,
    Compare,
    Const,
    Divisible,
    Expr,
    For,
    Function,
    If,
    Let,
    Not,
    Return,
    Stmt,
    Type,
    Update,
    Value,
    Var,
)
from codestilts.synth.render.base import Check

TESTS = 6
LETTERS = "abcdef"
ATTEMPTS = 50

A, B = Var("a", "int"), Var("b", "int")
XS, K, X = Var("xs", "list"), Var("k", "int"), Var("x", "int")
S, C = Var("s", "str"), Var("c", "char")


@dataclass(frozen=True)
class Program:
    """A function, its tests (outputs of its Python rendering) and a mutant that fails one of them."""

    id: str
    function: Function
    tests: tuple[Check, ...]
    mutant: Function | None


class _Builder:
    """Random typed expressions and statements, all drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def const(self) -> Const:
        return Const(self.rng.randint(1, 9), "int")

    def int_expr(self, names: Sequence[Var], depth: int, must: Var | None = None) -> Expr:
        """An int expression over ``names`` and small constants that mentions ``must``."""
        if depth == 0 or self.rng.random() < 0.3:
            return must or (self.rng.choice(names) if self.rng.random() < 0.6 else self.const())
        op = self.rng.choice(("+", "-", "*", "+", "-"))
        left, right = self.int_expr(names, depth - 1, must), self.int_expr(names, depth - 1)
        return BinOp(op, *((left, right) if self.rng.random() < 0.7 else (right, left)))

    def atom(self, names: Sequence[Var], must: Var) -> Expr:
        if self.rng.random() < 0.25:
            return Divisible(self.int_expr(names, 1, must), self.rng.choice((2, 3)))
        other = [n for n in names if n != must]
        right = self.rng.choice(other) if other and self.rng.random() < 0.5 else self.const()
        return Compare(self.rng.choice(COMPARISONS), self.int_expr(names, 1, must), right)

    def condition(self, names: Sequence[Var], must: Var) -> Expr:
        if self.rng.random() < 0.2:
            return BoolOp(self.rng.choice(("and", "or")), self.atom(names, must), self.atom(names, must))
        return self.atom(names, must)

    def char_condition(self) -> Expr:
        atom = Compare(self.rng.choice(("==", "!=", "<", ">")), C, Const(self.rng.choice(LETTERS[1:-1]), "char"))
        roll = self.rng.random()
        if roll < 0.2:
            return BoolOp("or", atom, Compare("==", C, Const(self.rng.choice(LETTERS), "char")))
        return Not(atom) if roll < 0.3 else atom


def _arith(b: _Builder) -> Function:
    return Function("combine", (A, B), "int", (Return(b.int_expr((A, B), 2, A)),))


def _choose(b: _Builder) -> Function:
    body = (If(b.condition((A, B), A), (Return(b.int_expr((A, B), 1)),), (Return(b.int_expr((A, B), 1)),)),)
    return Function("pick_value", (A, B), "int", body)


def _fold(b: _Builder) -> Function:
    acc = Var("total", "int")
    update: Stmt = Update(acc, b.rng.choice(("+", "-")), b.int_expr((X, K), 1, X))
    body: tuple[Stmt, ...] = (If(b.condition((X, K), X), (update,)),) if b.rng.random() < 0.75 else (update,)
    start = Const(b.rng.choice((0, 0, 1, 5)), "int")
    return Function("sum_selected", (XS, K), "int", (Let(acc, start), For(X, XS, body), Return(acc)))


def _map_filter(b: _Builder) -> Function:
    out = Var("result", "list")
    loop = For(X, XS, (If(b.condition((X, K), X), (Append(out, b.int_expr((X, K), 1, X)),)),))
    return Function("transform_kept", (XS, K), "list", (Let(out, Const((), "list")), loop, Return(out)))


def _exists(b: _Builder) -> Function:
    condition = b.condition((X, K), X)
    if b.rng.random() < 0.5:
        return Function("any_match", (XS, K), "bool", (For(X, XS, (If(condition, (Return(Const(True, "bool")),)),)), Return(Const(False, "bool"))))
    return Function("all_match", (XS, K), "bool", (For(X, XS, (If(Not(condition), (Return(Const(False, "bool")),)),)), Return(Const(True, "bool"))))


def _count_chars(b: _Builder) -> Function:
    count = Var("count", "int")
    loop = For(C, S, (If(b.char_condition(), (Update(count, "+", Const(1, "int")),)),))
    return Function("count_letters", (S,), "int", (Let(count, Const(0, "int")), loop, Return(count)))


def _build_string(b: _Builder) -> Function:
    out = Var("result", "str")
    keep = Update(out, b.rng.choice(("+", "prepend")), C)
    otherwise = (Update(out, "+", Const(b.rng.choice(LETTERS), "char")),) if b.rng.random() < 0.4 else ()
    loop = For(C, S, (If(b.char_condition(), (keep,), otherwise),))
    return Function("rebuild_text", (S,), "str", (Let(out, Const("", "str")), loop, Return(out)))


SHAPES: tuple[Callable[[_Builder], Function], ...] = (_arith, _choose, _fold, _fold, _map_filter, _exists, _count_chars, _build_string)


def random_value(rng: random.Random, type_: Type) -> Value:
    match type_:
        case "int":
            return rng.randint(-9, 9)
        case "list":
            return tuple(rng.randint(-9, 9) for _ in range(rng.randint(0, 6)))
        case _:
            return "".join(rng.choice(LETTERS) for _ in range(rng.randint(0, 7)))


def _checks(rng: random.Random, function: Function) -> tuple[Check, ...] | None:
    """Tests of ``function``; None when its outputs do not vary (a constant function is dull)."""
    inputs = [tuple(random_value(rng, p.type) for p in function.params) for _ in range(TESTS)]
    results = outputs(function, inputs)
    if len(set(results)) < 2:
        return None
    return tuple(Check(args, result) for args, result in zip(inputs, results, strict=True))


def _defect(rng: random.Random, function: Function, tests: tuple[Check, ...]) -> Function | None:
    """A mutant that fails at least one test, chosen at random among those that do."""
    candidates = function_mutants(function)
    rng.shuffle(candidates)
    inputs = [t.args for t in tests]
    expected = [t.expected for t in tests]
    return next((m for m in candidates if outputs(m, inputs) != expected), None)


def generate_program(seed: int, index: int) -> Program:
    """Program ``index`` of ``seed``: drawn again until its outputs vary."""
    rng = random.Random(f"codestilts-synth/{seed}/{index}")
    builder = _Builder(rng)
    for _ in range(ATTEMPTS):
        function = rng.choice(SHAPES)(builder)
        tests = _checks(rng, function)
        if tests is not None:
            return Program(f"synth/{index}", function, tests, _defect(rng, function, tests))
    raise RuntimeError(f"no varied program for seed {seed}, index {index}")  # pragma: no cover


def generate(seed: int, count: int) -> list[Program]:
    """The first ``count`` distinct programs of ``seed`` (a repeated function is skipped, so that no
    program is in two splits)."""
    programs: dict[Function, Program] = {}
    index = 0
    while len(programs) < count:
        program = generate_program(seed, index)
        programs.setdefault(program.function, program)
        index += 1
    return list(programs.values())
