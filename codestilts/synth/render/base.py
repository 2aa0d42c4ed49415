"""What every language's renderer does: expressions with precedence, statements, literals, a test
harness. :class:`CLike` holds the brace-and-semicolon rendering that most languages share; a
language's module overrides only what differs (types, loops, string building)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
    Type,
    Update,
    Value,
    Var,
)

INDENT = "    "
PRECEDENCE = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6}


@dataclass(frozen=True)
class Check:
    """One test: the arguments of a call and the value it must return."""

    args: tuple[Value, ...]
    expected: Value


def camel(name: str) -> str:
    """``sum_if_even`` -> ``sumIfEven``."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class Renderer:
    """Renders :class:`Function` values as source code of one language."""

    language: str
    """The language's name in codestilts' tasks (``python``, ``js``, ``cpp``...)."""
    camel_case = False
    operators: dict[str, str] = {"and": "and", "or": "or"}
    booleans = ("False", "True")
    placeholder = "????"

    # --- names and values --------------------------------------------------------------------

    def name(self, function: Function) -> str:
        return camel(function.name) if self.camel_case else function.name

    def literal(self, value: Value, type_: Type) -> str:
        match type_:
            case "bool":
                return self.booleans[bool(value)]
            case "str":
                return f'"{value}"'
            case "char":
                return f"'{value}'"
            case "list":
                return self.list_literal([self.literal(v, "int") for v in value])  # type: ignore[union-attr]
            case _:
                return self.int_literal(int(value))  # type: ignore[arg-type]

    def int_literal(self, value: int) -> str:
        return str(value)

    def list_literal(self, items: list[str]) -> str:
        return f"[{', '.join(items)}]"

    # --- expressions -------------------------------------------------------------------------

    def expr(self, node: Expr, parent: int = 0, right: bool = False) -> str:
        """``node`` in parentheses when it binds less tightly than its ``parent`` context (and on
        the right of an operator of its own level, so ``a - (b - c)`` keeps its meaning)."""
        match node:
            case Var(name=name):
                return name
            case Const(value=value, type=type_):
                return self.literal(value, type_)  # never negative in a program: no parentheses needed
            case BinOp(op=op, left=left, right=rhs):
                level = PRECEDENCE[op]
                text = f"{self.expr(left, level)} {op} {self.expr(rhs, level, right=True)}"
            case Compare(op=op, left=left, right=rhs):
                level = PRECEDENCE["compare"]
                text = f"{self.expr(left, level)} {self.comparison(op)} {self.expr(rhs, level, right=True)}"
            case Divisible(operand=operand, divisor=divisor):
                level = PRECEDENCE["compare"]
                text = f"{self.expr(operand, PRECEDENCE['*'], right=True)} % {divisor} {self.comparison('==')} 0"
            case BoolOp(op=op, left=left, right=rhs):
                level = PRECEDENCE[op]
                text = f"{self.expr(left, level)} {self.operators[op]} {self.expr(rhs, level, right=True)}"
            case Not(operand=operand):
                return self.negate(self.expr(operand, 0))
        return f"({text})" if level < parent or (right and level == parent) else text

    def comparison(self, op: str) -> str:
        return op

    def negate(self, text: str) -> str:
        return f"not ({text})"

    # --- statements --------------------------------------------------------------------------

    def function(self, function: Function, name: str | None = None) -> str:
        """The function's source, as a model sees it (no imports or harness)."""
        raise NotImplementedError

    def statements(self, body: Sequence[Stmt], depth: int) -> list[str]:
        return [line for stmt in body for line in self.statement(stmt, depth)]

    def statement(self, stmt: Stmt, depth: int) -> list[str]:
        raise NotImplementedError

    # --- tests -------------------------------------------------------------------------------

    def call(self, function: Function, args: Sequence[Value], name: str | None = None) -> str:
        rendered = ", ".join(self.literal(a, p.type) for a, p in zip(args, function.params, strict=True))
        return f"{name or self.name(function)}({rendered})"

    def assertion(self, call: str, expected: str) -> str:
        """A statement that fails (as the execution verdicts read it) unless ``call`` equals ``expected``."""
        return f"assert {call} == {expected}"

    def assertions(self, checks: Sequence[tuple[Function, str, Check]]) -> list[str]:
        """One assertion per ``(function, name, check)``."""
        return [self.check(self.call(f, c.args, name), self.literal(c.expected, f.returns)) for f, name, c in checks]

    def check(self, call: str, expected: str) -> str:
        """The assertion a test file runs (:meth:`assertion` unless the language needs a stricter one)."""
        return self.assertion(call, expected)

    def question(self, function: Function, args: Sequence[Value], name: str | None = None) -> str:
        """An assertion with the expected value masked: the output-prediction prompt's last line."""
        return self.assertion(self.call(function, args, name), self.placeholder)

    prelude = ""
    """What a runnable file starts with (imports, headers, a package clause)."""

    def main(self, tests: list[str]) -> str:
        """The assertions as the file's entry point (top-level statements by default)."""
        return "\n".join(tests)

    def program(self, functions: Sequence[tuple[Function, str]], checks: Sequence[tuple[Function, str, Check]]) -> str:
        """A runnable file: every ``(function, name)`` and an assertion per check."""
        parts = [self.function(f, name) for f, name in functions]
        return self.prelude + "\n\n".join(parts) + "\n\n" + self.main(self.assertions(checks)) + "\n"


class CLike(Renderer):
    """Braces, semicolons, ``&&``/``||``/``!``; subclasses name their types and loops."""

    operators = {"and": "&&", "or": "||"}
    booleans = ("false", "true")
    semicolon = ";"
    entry: str | None = None
    """The signature of the file's entry point (``int main()``); None: top-level statements."""

    def main(self, tests: list[str]) -> str:
        if self.entry is None:
            return super().main(tests)
        body = "\n".join(tests)
        return f"{self.entry} {{\n{indent(body)}\n}}"

    def negate(self, text: str) -> str:
        return f"!({text})"

    def condition(self, text: str) -> str:
        return f"({text})"

    def signature(self, function: Function, name: str) -> str:
        raise NotImplementedError

    def function(self, function: Function, name: str | None = None) -> str:
        lines = [self.signature(function, name or self.name(function)) + " {"]
        lines += self.statements(function.body, 1)
        lines.append("}")
        return "\n".join(lines)

    def declare(self, target: Var, value: str) -> str:
        raise NotImplementedError

    def loop(self, stmt: For) -> str:
        raise NotImplementedError

    def update(self, stmt: Update) -> str:
        value = self.expr(stmt.value)
        match stmt.op:
            case "prepend":
                return f"{stmt.target.name} = {value} + {stmt.target.name}"
            case op:
                return f"{stmt.target.name} {op}= {value}"

    def append(self, stmt: Append) -> str:
        raise NotImplementedError

    def statement(self, stmt: Stmt, depth: int) -> list[str]:
        pad = INDENT * depth
        end = self.semicolon
        match stmt:
            case Let(target=target, value=value):
                return [pad + self.declare(target, self.expr(value)) + end]
            case Update():
                return [pad + self.update(stmt) + end]
            case Append():
                return [pad + self.append(stmt) + end]
            case Return(value=value):
                return [f"{pad}return {self.expr(value)}{end}"]
            case If(condition=condition, body=body, orelse=orelse):
                lines = [f"{pad}if {self.condition(self.expr(condition))} {{", *self.statements(body, depth + 1)]
                if orelse:
                    lines += [f"{pad}}} else {{", *self.statements(orelse, depth + 1)]
                return [*lines, pad + "}"]
            case For(body=body):
                return [f"{pad}{self.loop(stmt)} {{", *self.statements(body, depth + 1), pad + "}"]
        raise TypeError(f"not a statement: {stmt!r}")


def indent(text: str, depth: int = 1) -> str:
    return re.sub(r"(?m)^(?=.)", INDENT * depth, text)
