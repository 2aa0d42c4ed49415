"""The synthetic programs' abstract syntax: typed expressions and a few statements.

Programs are small typed functions over ``int``, ``list`` (a list of ints), ``str`` and ``bool``;
``char`` is the type of a string's loop variable and of character constants. Every node is a frozen
dataclass, so a program is a value: it hashes, compares and is rewritten with
:func:`dataclasses.replace` (mutants, see :mod:`codestilts.synth.mutate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Type = Literal["int", "list", "str", "bool", "char"]
Value = int | bool | str | tuple[int, ...]
"""A run-time value: lists are tuples so that values hash (Python lists only inside the evaluator)."""

ARITHMETIC = ("+", "-", "*")
COMPARISONS = ("<", ">", "<=", ">=", "==", "!=")


@dataclass(frozen=True)
class Var:
    name: str
    type: Type


@dataclass(frozen=True)
class Const:
    """An ``int``, ``bool`` or ``char`` constant, or the empty ``list`` / ``str`` (value ``()`` / ``""``)."""

    value: Value
    type: Type


@dataclass(frozen=True)
class BinOp:
    """``left op right`` over ints; ``op`` in :data:`ARITHMETIC`."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Compare:
    """``left op right`` over ints or chars; ``op`` in :data:`COMPARISONS`."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Divisible:
    """``operand % divisor == 0``: the same in every language, negative operands included."""

    operand: Expr
    divisor: int


@dataclass(frozen=True)
class BoolOp:
    op: Literal["and", "or"]
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Not:
    operand: Expr


Expr = Var | Const | BinOp | Compare | Divisible | BoolOp | Not


@dataclass(frozen=True)
class Let:
    """Declare a local variable with its first value."""

    target: Var
    value: Expr


@dataclass(frozen=True)
class Update:
    """``target op= value``: ints add or subtract; strings append (``+``) or prepend (``prepend``) a char."""

    target: Var
    op: Literal["+", "-", "prepend"]
    value: Expr


@dataclass(frozen=True)
class Append:
    """Append an int to a list."""

    target: Var
    value: Expr


@dataclass(frozen=True)
class If:
    condition: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@dataclass(frozen=True)
class For:
    """Loop over the elements of a list (``var`` an int) or the characters of a string (a char)."""

    var: Var
    iterable: Var
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Return:
    value: Expr


Stmt = Let | Update | Append | If | For | Return


@dataclass(frozen=True)
class Function:
    """A named, typed function; ``name`` is snake_case, renderers restyle it per language."""

    name: str
    params: tuple[Var, ...]
    returns: Type
    body: tuple[Stmt, ...]

