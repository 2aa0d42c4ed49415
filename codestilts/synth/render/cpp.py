"""C++17: ints are ``long long``, lists ``std::vector<long long>``, strings ``std::string``."""

from __future__ import annotations

from codestilts.synth.nodes import Append, For, Function, Var
from codestilts.synth.render.base import CLike

TYPES = {"int": "long long", "list": "std::vector<long long>", "str": "std::string", "bool": "bool"}
HEADERS = "#include <cassert>\n#include <string>\n#include <vector>\n"


class CppRenderer(CLike):
    language = "cpp"
    entry = "int main()"
    prelude = HEADERS + "\n"

    def list_literal(self, items: list[str]) -> str:
        return f"std::vector<long long>{{{', '.join(items)}}}"

    def signature(self, function: Function, name: str) -> str:
        params = ", ".join(f"{TYPES[p.type]} {p.name}" for p in function.params)
        return f"{TYPES[function.returns]} {name}({params})"

    def declare(self, target: Var, value: str) -> str:
        return f"{TYPES[target.type]} {target.name} = {value}"

    def loop(self, stmt: For) -> str:
        return f"for ({'char' if stmt.iterable.type == 'str' else 'long long'} {stmt.var.name} : {stmt.iterable.name})"

    def append(self, stmt: Append) -> str:
        return f"{stmt.target.name}.push_back({self.expr(stmt.value)})"

    def assertion(self, call: str, expected: str) -> str:
        return f"assert(({call} == {expected}));"  # double parentheses: the macro sees one argument
