"""Single-point mutants of a program: one operator, constant or branch changed.

:func:`mutants` lists every such variant; which of them is a *defect* (fails at least one of the
program's tests) is decided by evaluating the Python rendering (:mod:`codestilts.synth.evaluate`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from codestilts.synth.nodes import BinOp, BoolOp, Compare, Const, Divisible, Function, Not, Update

SWAPS = {
    "<": ("<=", ">"), "<=": ("<", ">="), ">": (">=", "<"), ">=": (">", "<="), "==": ("!=",), "!=": ("==",),
    "+": ("-", "*"), "-": ("+",), "*": ("+",), "and": ("or",), "or": ("and",),
}
"""Operator replacements: off-by-one boundaries, flipped tests, wrong arithmetic."""
UPDATE_SWAPS = {"+": ("-",), "-": ("+",), "prepend": ("+",)}


def _local(node: Any) -> Iterator[Any]:
    """Variants of ``node`` itself (its children untouched)."""
    match node:
        case BinOp(op=op) | Compare(op=op) | BoolOp(op=op):
            yield from (dataclasses.replace(node, op=new) for new in SWAPS[op])
        case Update(op=op) if node.target.type != "str" or op == "prepend":
            yield from (dataclasses.replace(node, op=new) for new in UPDATE_SWAPS[op])
        case Update(target=target, op="+") if target.type == "str":
            yield dataclasses.replace(node, op="prepend")
        case Const(value=value, type="int"):
            yield from (dataclasses.replace(node, value=v) for v in (value + 1, value - 1) if v >= 0)
        case Const(value=value, type="bool"):
            yield dataclasses.replace(node, value=not value)
        case Divisible(divisor=d):
            yield dataclasses.replace(node, divisor=5 - d)  # 2 <-> 3
        case Not(operand=operand):
            yield operand


def mutants(node: Any) -> Iterator[Any]:
    """Every variant of ``node`` with exactly one change anywhere in it."""
    yield from _local(node)
    if not dataclasses.is_dataclass(node):
        return
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, tuple):
            for index, item in enumerate(value):
                for variant in mutants(item):
                    yield dataclasses.replace(node, **{field.name: value[:index] + (variant,) + value[index + 1 :]})
        elif dataclasses.is_dataclass(value):
            for variant in mutants(value):
                yield dataclasses.replace(node, **{field.name: variant})


def function_mutants(function: Function) -> list[Function]:
    """The distinct single-point mutants of ``function``'s body."""
    return list(dict.fromkeys(m for m in mutants(function) if m != function))
