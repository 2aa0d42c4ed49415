"""docs/architecture.md's layers hold: no module imports from a row above its own (imports for type
checking only are left aside)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "codestilts"

ROWS: tuple[tuple[str, ...], ...] = (
    ("cli.py", "api.py", "__init__.py", "__main__.py"),
    ("executor.py", "ray_executor.py", "retention.py", "report/"),
    ("stages/",),
    ("plan.py",),
    ("training/", "models/", "generation/"),
    ("config.py",),
    ("tasks/", "synth/", "execution/"),
    ("formats/", "models/heads.py", "schema.py"),
    ("languages.py",),
    (
        "execution/runners.py", "execution/harness.py", "execution/sandbox.py", "execution/cgroup.py", "execution/problem.py", "synth/render/",
        "synth/nodes.py", "training/metrics.py", "data.py", "store.py", "errors.py", "parallel.py",
        "progress.py", "cache_home.py", "hardware.py", "py.typed",
    ),
)
"""Top row first, as in docs/architecture.md."""


def row(path: str) -> int:
    """The row of a module (its path within the package); the longest matching entry decides."""
    matches = [(len(entry), index) for index, entries in enumerate(ROWS) for entry in entries if path == entry or (entry.endswith("/") and path.startswith(entry))]
    assert matches, f"{path} is in no row of docs/architecture.md's layers"
    return max(matches)[1]


def module_path(name: str) -> str | None:
    """The path within the package of the module ``name`` (codestilts.x.y), None outside it."""
    if name != "codestilts" and not name.startswith("codestilts."):
        return None
    base = PACKAGE.joinpath(*name.split(".")[1:])
    if base.with_suffix(".py").is_file():
        return str(base.with_suffix(".py").relative_to(PACKAGE))
    return str((base / "__init__.py").relative_to(PACKAGE)) if (base / "__init__.py").is_file() else None


def imported(tree: ast.AST) -> list[str]:
    """The modules a file imports, outside ``if TYPE_CHECKING:`` blocks."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_every_import_goes_down_the_rows() -> None:
    upward = []
    for file in sorted(PACKAGE.rglob("*.py")):
        path = str(file.relative_to(PACKAGE))
        for name in imported(ast.parse(file.read_text())):
            target = module_path(name)
            if target is not None and target != "__init__.py" and row(target) < row(path):
                upward.append(f"{path} imports {target}")
    assert not upward, "imports from a row above: " + "; ".join(sorted(set(upward)))


def test_a_module_in_no_row_is_reported() -> None:
    try:
        row("newmodule.py")
    except AssertionError as err:
        assert "in no row" in str(err)
    else:
        raise AssertionError("a module missing from the rows went unnoticed")
