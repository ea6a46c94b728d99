"""The ``gezinsrooster`` command line: one module per group of commands.

Each command module has ``register(subparsers)``, which adds its commands
(through ``add_command``) and sets ``handler`` on each. A command's module is
imported only when that command runs, so ``validate`` never loads OR-Tools,
pandas or SQLAlchemy, and a command whose install extra is missing says which
extra to install. Exit codes: 0 done, 1 a roster breaks a rule (or the job
found a problem it reports), 2 bad input (the message names the field).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.domain import ProblemError


@dataclass(frozen=True)
class Command:
    """Where a command lives, its help line, and the install extra its module needs."""

    module: str
    help: str
    extra: str | None = None


COMMANDS: dict[str, Command] = {
    "schema": Command("api.cli.schema", "print the JSON Schema of Problem and Roster"),
    "generate": Command(
        "api.cli.generate", "write a seeded, realistic week of pseudonymous fathers as Problem JSON"
    ),
    "validate": Command(
        "api.cli.validate", "re-check every hard rule of a roster and recompute its KPIs"
    ),
    "solve": Command(
        "api.cli.solve", "make the best weekly roster of a problem (CP-SAT, tier by tier)"
    ),
    "plan": Command(
        "api.cli.plan", "plan up to four weeks ahead, each week's roster on its own, with history"
    ),
    "demo": Command(
        "api.cli.demo", "solve the demo weeks, compare with FCFS and write the exports"
    ),
    "whatif": Command(
        "api.cli.whatif", "compare capacity scenarios with the base week (table, CSV, XLSX, chart)"
    ),
    "serve": Command(
        "api.cli.service", "run the roster service (HTTP API under /v1)", extra="service"
    ),
    "keys": Command("api.cli.service", "create, list or revoke API keys", extra="service"),
    "event": Command(
        "api.cli.event",
        "record events of a running week (time-out, closure, absence, ...) or list them",
        extra="service",
    ),
    "outcome": Command(
        "api.cli.outcome",
        "record what became of published occurrences (took place, no show, cancelled) or list",
        extra="service",
    ),
    "purge": Command(
        "api.cli.service",
        "delete weeks past the retention period, with rosters and allocations",
        extra="service",
    ),
}


def add_command(subparsers: Any, name: str, **options: Any) -> argparse.ArgumentParser:
    """Give the parser of one command of ``COMMANDS``, with its help line."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=COMMANDS[name].help, **options
    )
    return parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Give the parser with every command listed, and the arguments of ``command``'s module.

    Only the module of ``command`` is imported; the other commands (all of them
    when ``command`` is None) are listed by their help line alone.
    """
    parser = argparse.ArgumentParser(
        prog="gezinsrooster",
        description=(
            "Weekly roster engine for the family approach (gezinsbenadering) in Dutch prisons."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    module = COMMANDS[command].module if command is not None else None
    for name, entry in COMMANDS.items():
        if entry.module != module:
            subparsers.add_parser(name, help=entry.help)
        elif name == command:
            importlib.import_module(entry.module).register(subparsers)
    return parser


def chosen_command(argv: Sequence[str]) -> str | None:
    """Give the command named on the command line, or None when there is none (or no such one)."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and give its exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = chosen_command(arguments)
    try:
        parser = build_parser(command)
    except ModuleNotFoundError as error:
        extra = COMMANDS[command].extra if command is not None else None
        hint = f": pip install 'gezinsrooster[{extra}]'" if extra else ""
        package = (error.name or "a package").split(".")[0]
        print(f"error: {command} needs {package}, which is not installed{hint}", file=sys.stderr)
        return 2
    args = parser.parse_args(arguments)
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
