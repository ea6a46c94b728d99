"""Each command loads its own module only: `validate` runs without OR-Tools, pandas, SQLAlchemy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from api.cli import COMMANDS
from scheduler.domain import Problem
from tests.kit.rosters import base, roster

HEAVY = ("ortools", "pandas", "sqlalchemy", "fastapi", "matplotlib", "ray")

# Runs one command line in a fresh interpreter, then prints which heavy packages it loaded.
DRIVER = """
import json, sys
from api.cli import main
code = main(sys.argv[1:])
loaded = sorted(name for name in {heavy!r} if name in sys.modules)
commands = sorted(name for name in sys.modules if name.startswith("api.cli."))
print(json.dumps({{"code": code, "heavy": loaded, "commands": commands}}), file=sys.stderr)
"""


def _run(
    *arguments: str, blocked: str | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Give the finished driver and what it saw; ``blocked`` is a package that cannot import."""
    driver = DRIVER.format(heavy=HEAVY)
    if blocked is not None:
        driver = f"import sys\nsys.modules[{blocked!r}] = None\n" + driver
    done = subprocess.run(
        [sys.executable, "-c", driver, *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    lines = done.stderr.splitlines()
    return done, json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}


def test_validate_loads_neither_ortools_nor_pandas_nor_sqlalchemy(
    tiny: Problem, fixtures_dir: Path, tmp_path: Path
) -> None:
    """`validate` checks a roster, exits 0, and loads no heavy package and no other command."""
    roster_path = tmp_path / "R.json"
    roster_path.write_text(roster(tiny, base()).model_dump_json(), encoding="utf-8")
    done, seen = _run("validate", str(fixtures_dir / "tiny.json"), str(roster_path))
    assert seen == {"code": 0, "heavy": [], "commands": ["api.cli.validate"]}
    assert done.stdout.startswith("kpis\tviolations 0\t")


def test_the_command_list_loads_no_command() -> None:
    """`--help` lists every command by its help line without importing any command's module."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom api.cli import main\nmain(['--help'])"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0
    listed = re.findall(r"^    (\w+) ", done.stdout, re.MULTILINE)
    assert listed == list(COMMANDS)


def test_solve_loads_ortools_but_not_sqlalchemy(fixtures_dir: Path, tmp_path: Path) -> None:
    """`solve` loads OR-Tools (its own need) and still no storage or web package."""
    done, seen = _run(
        "solve", str(fixtures_dir / "tiny.json"), "--time-limit", "1", "--format", "json"
    )
    assert seen["code"] == 0
    assert "ortools" in seen["heavy"]
    assert {"sqlalchemy", "fastapi", "ray", "matplotlib"}.isdisjoint(seen["heavy"])
    assert seen["commands"] == ["api.cli.solve"]
    assert json.loads(done.stdout)["problem_id"] == "tiny-2027-W05"


def test_a_command_without_its_extra_names_the_extra() -> None:
    """`keys list` without SQLAlchemy installed exits 2 naming the package and the service extra."""
    done, _ = _run("keys", "list", blocked="sqlalchemy")
    assert done.returncode == 0  # the driver itself ends normally after main returns
    assert done.stderr.splitlines()[0] == (
        "error: keys needs sqlalchemy, which is not installed: pip install 'gezinsrooster[service]'"
    )
    assert "Traceback" not in done.stderr


def test_whatif_without_matplotlib_names_the_plot_extra(fixtures_dir: Path) -> None:
    """`whatif` without matplotlib exits 2 before solving, naming the plot extra."""
    done, seen = _run("whatif", str(fixtures_dir / "tiny.json"), blocked="matplotlib")
    assert seen["code"] == 2
    assert done.stderr.splitlines()[0] == (
        "error: the charts need matplotlib, which is not installed: "
        "pip install 'gezinsrooster[plot]'"
    )
    assert "ortools" not in seen["heavy"]
