"""The house stays easy to change: no module over 600 lines, no solver function over 60."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scheduler", "solver", "api", "whatif", "exports")


def test_no_module_is_over_600_lines() -> None:
    """Every module of the packages holds at most 600 lines."""
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


def test_no_function_of_the_solver_is_over_60_lines() -> None:
    """Every function in solver/ runs over at most 60 lines, its docstring included."""
    long = {}
    for path in (ROOT / "solver").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 60:
                    long[f"{path.name}:{node.name}"] = lines
    assert long == {}
