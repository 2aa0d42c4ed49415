"""English descriptions of programs, generated from their syntax tree.

Two wordings (``style`` 0 and 1) say the same thing with different words and word order; a
description never names the function. Descriptions serve as NL queries (code search) and as the
text of the NL paraphrase task, whose pairs are two wordings of one program or of two programs.
"""

from __future__ import annotations

from collections.abc import Sequence

from codestilts.synth.nodes import (
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
    Update,
    Var,
)

ARITHMETIC = {"+": ("{} plus {}", "the sum of {} and {}"), "-": ("{} minus {}", "{1} subtracted from {0}"), "*": ("{} times {}", "the product of {} and {}")}
COMPARISON = {
    "<": ("{} is less than {}", "{} is below {}"),
    ">": ("{} is greater than {}", "{} exceeds {}"),
    "<=": ("{} is at most {}", "{} does not exceed {}"),
    ">=": ("{} is at least {}", "{} is not below {}"),
    "==": ("{} equals {}", "{} is the same as {}"),
    "!=": ("{} differs from {}", "{} is not equal to {}"),
}
TYPE_NAMES = {"int": ("an integer", "a whole number"), "list": ("a list of integers", "an integer list"), "str": ("a string", "a piece of text"), "bool": ("a boolean", "true or false")}


def _expr(node: Expr, style: int, nested: bool = False) -> str:
    match node:
        case Var(name=name):
            return name
        case Const(value=value, type="char"):
            return f"the letter '{value}'"
        case Const(value=value, type="bool"):
            return ("false", "no")[style] if not value else ("true", "yes")[style]
        case Const(value=value):
            return str(value)
        case BinOp(op=op, left=left, right=right):
            text = ARITHMETIC[op][style].format(_expr(left, style, True), _expr(right, style, True))
            return f"({text})" if nested and style == 0 else text
        case Compare(op=op, left=left, right=right):
            return COMPARISON[op][style].format(_expr(left, style), _expr(right, style))
        case Divisible(operand=operand, divisor=divisor):
            template = ("{} is divisible by {}", "{} is a multiple of {}")[style]
            return template.format(_expr(operand, style), divisor)
        case BoolOp(op=op, left=left, right=right):
            word = "and" if op == "and" else "or"
            lead = ("", "both " if op == "and" else "either ")[style]
            return f"{lead}{_expr(left, style)} {word} {_expr(right, style)}"
        case Not(operand=operand):
            return ("it is not true that {}", "it is false that {}")[style].format(_expr(operand, style))
    raise TypeError(f"not an expression: {node!r}")


def _clause(stmt: Stmt, style: int) -> str:
    match stmt:
        case Let(target=target, value=Const(value=(), type="list")):
            return ("start with an empty list {}", "let {} be an empty list")[style].format(target.name)
        case Let(target=target, value=Const(value="", type="str")):
            return ("start with an empty string {}", "let {} be an empty string")[style].format(target.name)
        case Let(target=target, value=value):
            return ("set {} to {}", "let {} start at {}")[style].format(target.name, _expr(value, style))
        case Update(target=target, op="prepend", value=value):
            return ("put {1} in front of {0}", "insert {1} at the start of {0}")[style].format(target.name, _expr(value, style))
        case Update(target=target, op="+", value=value) if target.type == "str":
            return ("append {1} to {0}", "add {1} at the end of {0}")[style].format(target.name, _expr(value, style))
        case Update(target=target, op="+", value=value):
            return ("add {1} to {0}", "increase {0} by {1}")[style].format(target.name, _expr(value, style))
        case Update(target=target, op="-", value=value):
            return ("subtract {1} from {0}", "decrease {0} by {1}")[style].format(target.name, _expr(value, style))
        case Append(target=target, value=value):
            return ("append {1} to {0}", "add {1} at the end of {0}")[style].format(target.name, _expr(value, style))
        case Return(value=value):
            return ("return {}", "the result is {}")[style].format(_expr(value, style))
        case If(condition=condition, body=body, orelse=orelse):
            text = ("if {}, {}", "when {}, {}")[style].format(_expr(condition, style), _clauses(body, style))
            return text + (("; otherwise {}", "; else {}")[style].format(_clauses(orelse, style)) if orelse else "")
        case For(var=var, iterable=iterable, body=body):
            unit = "character" if iterable.type == "str" else "element"
            template = ("for each {unit} {v} of {it}: {body}", "go through every {unit} {v} in {it} and {body}")[style]
            return template.format(unit=unit, v=var.name, it=iterable.name, body=_clauses(body, style))
    raise TypeError(f"not a statement: {stmt!r}")


def _clauses(body: Sequence[Stmt], style: int) -> str:
    return ", then ".join(_clause(s, style) for s in body)


def describe(function: Function, style: int = 0) -> str:
    """What ``function`` does, in English: its inputs, then its steps, one sentence each."""
    inputs = " and ".join(f"{TYPE_NAMES[p.type][style]} {p.name}" for p in function.params)
    lead = ("Given {}, compute {}.", "Takes {} and returns {}.")[style].format(inputs, TYPE_NAMES[function.returns][style])
    steps = [_clause(stmt, style) for stmt in function.body]
    return " ".join([lead, *(s[0].upper() + s[1:] + "." for s in steps)])
