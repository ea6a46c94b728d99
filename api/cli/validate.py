"""``gezinsrooster validate PROBLEM ROSTER``: re-check every hard rule and recompute the KPIs.

Prints one line per violation (``rule<TAB>assignment<TAB>what is wrong``, ``-``
where no single assignment is to blame), then one KPI summary line. Exit 1 if
the roster breaks a hard rule, 0 if it breaks none, 2 if a file is not a
problem or roster at all. KPIs stored in the roster that differ from the
recomputed ones give a warning on stderr, not a violation.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from api.cli import add_command
from scheduler.domain import KPIs, ProblemError, load_problem, load_roster
from scheduler.kpis import recheck

Loaded = TypeVar("Loaded")


def _validate(args: argparse.Namespace) -> int:
    problem = _in_file(args.problem, load_problem)
    roster = _in_file(args.roster, load_roster)
    found, kpis = recheck(problem, roster)
    for violation in found:
        print(f"{violation.rule}\t{violation.assignment or '-'}\t{violation.message}")
    print(summary(kpis, len(found)))
    # A roster that never had its KPIs filled in carries the empty defaults.
    if roster.kpis != KPIs():
        differing = kpi_differences(roster.kpis, kpis)
        if differing:
            print(
                "warning: the roster's kpis differ from the recomputed ones: "
                + ", ".join(differing),
                file=sys.stderr,
            )
    return 1 if found else 0


def _in_file(path: str, load: Callable[[str], Loaded]) -> Loaded:
    """Give what a file holds, or raise ProblemError with the file named in front of each field."""
    try:
        return load(path)
    except ProblemError as error:
        named = [m if m.startswith(path) else f"{path}: {m}" for m in error.messages]
        raise ProblemError(named) from None


def summary(kpis: KPIs, violation_count: int) -> str:
    """Give the one-line KPI summary the command prints after the violations."""
    return "\t".join(
        [
            "kpis",
            f"violations {violation_count}",
            f"fulfilment {kpis.fulfilment:.3f} ({kpis.granted}/{kpis.entitled})",
            f"fairness_floor {kpis.fairness_floor:.3f}",
            f"below_legal_minimum {len(kpis.fathers_below_legal_minimum)}",
            f"nothing_beyond_legal {len(kpis.fathers_nothing_beyond_legal)}",
            f"volunteer_hours {kpis.volunteer_hours:g}/{kpis.partner_cap_hours:g}",
            f"entitlement_value {kpis.entitlement_value}",
        ]
    )


def kpi_differences(stored: KPIs, recomputed: KPIs) -> list[str]:
    """Give the names of the KPIs that differ (figures within 0.001 agree)."""
    have = stored.model_dump()
    want = recomputed.model_dump()
    return [name for name in want if not _agree(have[name], want[name])]


def _agree(have: Any, want: Any) -> bool:
    if isinstance(have, dict) and isinstance(want, dict):
        return have.keys() == want.keys() and all(_agree(have[k], want[k]) for k in want)
    if isinstance(have, int | float) and isinstance(want, int | float):
        return math.isclose(have, want, abs_tol=1e-3)
    return bool(have == want)


def register(subparsers: Any) -> None:
    """Add the ``validate`` command."""
    command = add_command(
        subparsers,
        "validate",
        description="Re-check every hard rule of ROSTER against PROBLEM; exit 1 if one is broken.",
    )
    command.add_argument("problem", help="the week's facts (Problem JSON)")
    command.add_argument("roster", help="the roster to check (Roster JSON)")
    command.set_defaults(handler=_validate)
