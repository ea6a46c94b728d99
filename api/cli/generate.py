"""``gezinsrooster generate``: a seeded, realistic week of pseudonymous fathers as Problem JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.cli import add_command
from scheduler.catalogue import FATHERS_MAX, FATHERS_MIN, INSTITUTIONS_MAX, argument_errors
from scheduler.domain import ProblemError
from scheduler.generate import generate_problem, problem_json


def _generate(args: argparse.Namespace) -> int:
    errors = argument_errors(args.fathers, args.institutions, args.week)
    if errors:
        raise ProblemError([f"--{name}: {text}" for name, text in errors.items()])
    problem = generate_problem(args.fathers, args.institutions, args.seed, args.week, args.region)
    text = problem_json(problem)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise ProblemError([f"--out: {args.out} cannot be written ({error.strerror})"]) from None
    print(
        f"wrote {args.out}: {len(problem.fathers)} fathers in {len(problem.institutions)} "
        f"institution(s), {len(problem.sessions)} sessions, week {problem.week}",
        file=sys.stderr,
    )
    return 0


def register(subparsers: Any) -> None:
    """Add the generator command."""
    generate = add_command(
        subparsers,
        "generate",
        description=(
            "Write a realistic week (Problem JSON) built from the default catalogue. "
            "The same arguments give the same file. With --region the institutions share "
            "one partner cap of 36 hours; without it the cap is 36 hours per institution."
        ),
    )
    generate.add_argument(
        "--fathers",
        type=int,
        required=True,
        help=f"fathers in the programme ({FATHERS_MIN}..{FATHERS_MAX})",
    )
    generate.add_argument(
        "--institutions",
        type=int,
        default=1,
        help=f"institutions sharing them (1..{INSTITUTIONS_MAX})",
    )
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.add_argument(
        "--week", default="2027-W05", help="ISO week, like 2027-W05 (the default)"
    )
    generate.add_argument(
        "--region", default=None, help="region name: one shared partner cap of 36 h"
    )
    generate.add_argument("--out", default=None, help="file to write (default: standard output)")
    generate.set_defaults(handler=_generate)
