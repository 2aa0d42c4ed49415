"""Go: ints are ``int`` (64-bit), lists ``[]int``, a string's characters runes."""

from __future__ import annotations

from codestilts.synth.nodes import Append, For, Function, Update, Var
from codestilts.synth.render.base import CLike, indent

PANIC = 'panic("assertion failed")'
TYPES = {"int": "int", "list": "[]int", "str": "string", "bool": "bool"}


class GoRenderer(CLike):
    language = "go"
    entry = "func main()"
    camel_case = True
    semicolon = ""
    prelude = 'package main\n\nimport "reflect"\n\n'

    def list_literal(self, items: list[str]) -> str:
        return f"[]int{{{', '.join(items)}}}"

    def condition(self, text: str) -> str:
        return text

    def signature(self, function: Function, name: str) -> str:
        params = ", ".join(f"{p.name} {TYPES[p.type]}" for p in function.params)
        return f"func {name}({params}) {TYPES[function.returns]}"

    def declare(self, target: Var, value: str) -> str:
        return f"{target.name} := {value}"

    def loop(self, stmt: For) -> str:
        return f"for _, {stmt.var.name} := range {stmt.iterable.name}"

    def update(self, stmt: Update) -> str:
        if stmt.target.type != "str":
            return super().update(stmt)
        char = f"string({self.expr(stmt.value)})"
        name = stmt.target.name
        return f"{name} = {char} + {name}" if stmt.op == "prepend" else f"{name} += {char}"

    def append(self, stmt: Append) -> str:
        return f"{stmt.target.name} = append({stmt.target.name}, {self.expr(stmt.value)})"

    def assertion(self, call: str, expected: str) -> str:
        return f"if !reflect.DeepEqual({call}, {expected}) {{\n{indent(PANIC)}\n}}"
