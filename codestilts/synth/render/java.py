"""Java: static methods of ``class Solution`` (as HumanEval-X writes them); ints are ``long``,
lists ``List<Long>``."""

from __future__ import annotations

from collections.abc import Sequence

from codestilts.synth.nodes import Append, For, Function, Var
from codestilts.synth.render.base import Check, CLike, indent

TYPES = {"int": "long", "list": "List<Long>", "str": "String", "bool": "boolean"}


class JavaRenderer(CLike):
    language = "java"
    camel_case = True

    def int_literal(self, value: int) -> str:
        return f"{value}L"

    def list_literal(self, items: list[str]) -> str:
        return f"List.of({', '.join(items)})"

    def signature(self, function: Function, name: str) -> str:
        params = ", ".join(f"{TYPES[p.type]} {p.name}" for p in function.params)
        return f"public static {TYPES[function.returns]} {name}({params})"

    def declare(self, target: Var, value: str) -> str:
        if target.type == "list":
            value = "new ArrayList<>()"  # List.of() is immutable
        return f"{TYPES[target.type]} {target.name} = {value}"

    def loop(self, stmt: For) -> str:
        source = f"{stmt.iterable.name}.toCharArray()" if stmt.iterable.type == "str" else stmt.iterable.name
        return f"for ({'char' if stmt.iterable.type == 'str' else 'long'} {stmt.var.name} : {source})"

    def append(self, stmt: Append) -> str:
        return f"{stmt.target.name}.add({self.expr(stmt.value)})"

    def function(self, function: Function, name: str | None = None) -> str:
        return f"class Solution {{\n{indent(self.method(function, name))}\n}}"

    def method(self, function: Function, name: str | None = None) -> str:
        return super().function(function, name)

    def assertion(self, call: str, expected: str) -> str:
        return f"if (!Objects.equals({call}, {expected})) throw new AssertionError();"

    def call(self, function: Function, args, name: str | None = None) -> str:
        return "Solution." + super().call(function, args, name)

    def program(self, functions: Sequence[tuple[Function, str]], checks: Sequence[tuple[Function, str, Check]]) -> str:
        """Each function's tests in a method of their own (a method's bytecode is capped at 64 KiB)."""
        methods = "\n\n".join(self.method(f, name) for f, name in functions)
        tests = []
        for f, name in functions:
            lines = "\n".join(self.assertions([c for c in checks if c[1] == name]))
            tests.append(f"static void test_{name}() {{\n{indent(lines)}\n}}")
        calls = "\n".join(f"test_{name}();" for _, name in functions)
        main = "\n\n".join([*tests, f"public static void main(String[] args) {{\n{indent(calls)}\n}}"])
        return f"import java.util.*;\n\nclass Solution {{\n{indent(methods)}\n}}\n\npublic class Main {{\n{indent(main)}\n}}\n"
