"""Expected outputs by evaluating the Python rendering of a program (our own generated code, with
bounded loops over small inputs, so it runs in-process)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codestilts.synth.nodes import Function, Value
from codestilts.synth.render.python import PythonRenderer

_PYTHON = PythonRenderer()


def compile_function(function: Function) -> Any:
    """The Python rendering of ``function``, defined and returned as a callable."""
    namespace: dict[str, Any] = {}
    exec(compile(_PYTHON.function(function), f"<synth {function.name}>", "exec"), namespace)  # noqa: S102 (generated here)
    return namespace[_PYTHON.name(function)]


def outputs(function: Function, inputs: Sequence[tuple[Value, ...]]) -> list[Value]:
    """What ``function`` returns for each argument tuple (lists come back as tuples)."""
    call = compile_function(function)
    results = []
    for args in inputs:
        value = call(*(list(a) if isinstance(a, tuple) else a for a in args))
        results.append(tuple(value) if isinstance(value, list) else value)
    return results
