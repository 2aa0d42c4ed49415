"""Rust: ints are ``i64``, lists ``Vec<i64>``, string parameters ``&str`` and results ``String``."""

from __future__ import annotations

from codestilts.synth.nodes import Append, For, Function, Update, Var
from codestilts.synth.render.base import CLike

TYPES = {"int": "i64", "list": "Vec<i64>", "str": "String", "bool": "bool"}
PARAM_TYPES = TYPES | {"str": "&str"}


class RustRenderer(CLike):
    language = "rust"
    entry = "fn main()"

    def list_literal(self, items: list[str]) -> str:
        return f"vec![{', '.join(items)}]" if items else "Vec::<i64>::new()"

    def condition(self, text: str) -> str:
        return text

    def signature(self, function: Function, name: str) -> str:
        params = ", ".join(f"{p.name}: {PARAM_TYPES[p.type]}" for p in function.params)
        return f"fn {name}({params}) -> {TYPES[function.returns]}"

    def declare(self, target: Var, value: str) -> str:
        if target.type == "str":
            value = "String::new()"
        return f"let mut {target.name}: {TYPES[target.type]} = {value}"

    def loop(self, stmt: For) -> str:
        source = f"{stmt.iterable.name}.chars()" if stmt.iterable.type == "str" else f"{stmt.iterable.name}.iter()"
        pattern = stmt.var.name if stmt.iterable.type == "str" else f"&{stmt.var.name}"
        return f"for {pattern} in {source}"

    def update(self, stmt: Update) -> str:
        if stmt.target.type != "str":
            return super().update(stmt)
        char = self.expr(stmt.value)
        return f"{stmt.target.name}.insert(0, {char})" if stmt.op == "prepend" else f"{stmt.target.name}.push({char})"

    def append(self, stmt: Append) -> str:
        return f"{stmt.target.name}.push({self.expr(stmt.value)})"

    def assertion(self, call: str, expected: str) -> str:
        return f"assert_eq!({call}, {expected});"
