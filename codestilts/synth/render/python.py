"""Python: the reference rendering, whose evaluation gives every program's expected outputs."""

from __future__ import annotations

from codestilts.synth.nodes import Append, For, Function, If, Let, Return, Stmt, Update
from codestilts.synth.render.base import INDENT, Renderer

TYPES = {"int": "int", "list": "list[int]", "str": "str", "bool": "bool"}


class PythonRenderer(Renderer):
    language = "python"

    def function(self, function: Function, name: str | None = None) -> str:
        params = ", ".join(f"{p.name}: {TYPES[p.type]}" for p in function.params)
        lines = [f"def {name or self.name(function)}({params}) -> {TYPES[function.returns]}:"]
        return "\n".join(lines + self.statements(function.body, 1))

    def statement(self, stmt: Stmt, depth: int) -> list[str]:
        pad = INDENT * depth
        match stmt:
            case Let(target=target, value=value):
                return [f"{pad}{target.name} = {self.expr(value)}"]
            case Update(target=target, op="prepend", value=value):
                return [f"{pad}{target.name} = {self.expr(value)} + {target.name}"]
            case Update(target=target, op=op, value=value):
                return [f"{pad}{target.name} {op}= {self.expr(value)}"]
            case Append(target=target, value=value):
                return [f"{pad}{target.name}.append({self.expr(value)})"]
            case Return(value=value):
                return [f"{pad}return {self.expr(value)}"]
            case If(condition=condition, body=body, orelse=orelse):
                lines = [f"{pad}if {self.expr(condition)}:", *self.statements(body, depth + 1)]
                return lines + ([f"{pad}else:", *self.statements(orelse, depth + 1)] if orelse else [])
            case For(var=var, iterable=iterable, body=body):
                return [f"{pad}for {var.name} in {iterable.name}:", *self.statements(body, depth + 1)]
        raise TypeError(f"not a statement: {stmt!r}")
