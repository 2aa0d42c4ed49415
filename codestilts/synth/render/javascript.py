"""JavaScript (Node): numbers are doubles, exact for the programs' small integers."""

from __future__ import annotations

from codestilts.synth.nodes import Append, For, Function, Var
from codestilts.synth.render.base import CLike


class JavaScriptRenderer(CLike):
    language = "js"
    camel_case = True
    prelude = 'const assert = require("assert");\n\n'

    def comparison(self, op: str) -> str:
        return {"==": "===", "!=": "!=="}.get(op, op)

    def signature(self, function: Function, name: str) -> str:
        return f"function {name}({', '.join(p.name for p in function.params)})"

    def declare(self, target: Var, value: str) -> str:
        return f"let {target.name} = {value}"

    def loop(self, stmt: For) -> str:
        return f"for (const {stmt.var.name} of {stmt.iterable.name})"

    def append(self, stmt: Append) -> str:
        return f"{stmt.target.name}.push({self.expr(stmt.value)})"

    def assertion(self, call: str, expected: str) -> str:
        return f"assert.deepStrictEqual({call}, {expected});"

    def check(self, call: str, expected: str) -> str:
        # compared as JSON: 0 * -3 is -0 in JavaScript, which deepStrictEqual tells from 0
        return f"assert.strictEqual(JSON.stringify({call}), JSON.stringify({expected}));"
