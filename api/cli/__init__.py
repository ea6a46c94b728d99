"""The ``gezinsrooster`` command line: one module per group of commands.

Each command module has ``register(subparsers)``, which adds its commands and
sets ``handler`` on each. Exit codes: 0 done, 1 a roster breaks a rule (or the
job found a problem it reports), 2 bad input (the message names the field).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from scheduler.domain import ProblemError

COMMAND_MODULES: tuple[str, ...] = (
    "api.cli.schema",
    "api.cli.generate",
    "api.cli.validate",
    "api.cli.solve",
    "api.cli.demo",
    "api.cli.whatif",
    "api.cli.service",
)


def build_parser() -> argparse.ArgumentParser:
    """Give the parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="gezinsrooster",
        description=(
            "Weekly roster engine for the family approach (gezinsbenadering) in Dutch prisons."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and give its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except ProblemError as error:
        for message in error.messages:
            print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
