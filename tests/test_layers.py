"""The architecture contract (.ci/layers on the import-linter settings) and its breaches."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / ".ci" / "layers"
PACKAGES = ("api", "whatif", "exports", "solver", "scheduler")


def _check(project: Path) -> tuple[int, list[str], str]:
    """Give the exit code, the names of the broken contracts and stderr of ``.ci/layers``."""
    done = subprocess.run(
        [sys.executable, str(LAYERS), str(project)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    broken = re.findall(r"^(.+) BROKEN$", done.stdout, re.MULTILINE)
    return done.returncode, broken, done.stderr


def _tree(tmp_path: Path, imports: dict[str, str]) -> Path:
    """Give a project with the real contract and a module per package (``imports``: its code)."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for package, code in imports.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
        (tmp_path / package / "part.py").write_text(code, encoding="utf-8")
    return tmp_path


def test_the_project_keeps_every_contract() -> None:
    """The packages of this tree keep every contract; those not in it are said to be left out."""
    code, broken, said = _check(ROOT)
    assert (code, broken) == (0, [])
    absent = [p for p in PACKAGES if not (ROOT / p / "__init__.py").exists()]
    assert sorted(re.findall(r"left out package (\w+)", said)) == sorted(absent)


def test_a_tree_of_three_packages_keeps_the_contract(tmp_path: Path) -> None:
    """Without whatif and exports, imports that flow down keep it; two contracts are skipped."""
    project = _tree(
        tmp_path,
        {"api": "import solver.part\n", "solver": "import ortools\nimport scheduler.part\n",
         "scheduler": "import pydantic\n"},
    )  # fmt: skip
    code, broken, said = _check(project)
    assert (code, broken) == (0, [])
    assert said.splitlines() == [
        "layers: left out package exports (not in the tree)",
        "layers: left out package whatif (not in the tree)",
        "layers: left out contract 'The exports read the domain only' "
        "(its source_modules are all absent)",
        "layers: left out contract 'The domain and the solver do not import the exports' "
        "(its forbidden_modules are all absent)",
    ]


BREACHES = {
    "the domain imports the solver": (
        {"solver": "", "scheduler": "import solver.part\n"},
        "Layers: api, then what-if, then the solver, then the domain",
    ),
    "the domain imports OR-Tools": (
        {"scheduler": "from ortools.sat.python import cp_model\n"},
        "Only the solver talks to OR-Tools",
    ),
    "the solver imports FastAPI": (
        {"solver": "import fastapi\n"},
        "Only the service knows the web and the database",
    ),
    "the domain imports SQLAlchemy": (
        {"scheduler": "import sqlalchemy\n"},
        "Only the service knows the web and the database",
    ),
    "what-if imports the service": (
        {"api": "", "whatif": "import api.part\n"},
        "Layers: api, then what-if, then the solver, then the domain",
    ),
    "the solver imports what-if": (
        {"whatif": "", "solver": "import whatif.part\n"},
        "Layers: api, then what-if, then the solver, then the domain",
    ),
    "the exports import the solver": (
        {"solver": "", "exports": "import solver.part\n"},
        "The exports read the domain only",
    ),
    "the domain imports the exports": (
        {"exports": "", "scheduler": "import exports.part\n"},
        "The domain and the solver do not import the exports",
    ),
}


@pytest.mark.parametrize("name", sorted(BREACHES))
def test_a_wrong_import_breaks_its_contract(tmp_path: Path, name: str) -> None:
    """A wrong import fails the check (exit 1) and breaks the contract that forbids it, alone."""
    imports, contract = BREACHES[name]
    code, broken, _ = _check(_tree(tmp_path, imports))
    assert (code, broken) == (1, [contract])
