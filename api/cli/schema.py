"""``gezinsrooster schema``: the JSON Schema of the data contract."""

from __future__ import annotations

import argparse
import json
from typing import Any

from api.cli import add_command
from scheduler.domain import Problem, Roster


def _schema(args: argparse.Namespace) -> int:
    schemas = {"Problem": Problem.model_json_schema(), "Roster": Roster.model_json_schema()}
    chosen: dict[str, Any] = schemas if args.model == "all" else {args.model: schemas[args.model]}
    print(json.dumps(chosen, indent=2))
    return 0


def register(subparsers: Any) -> None:
    """Add the data-contract commands."""
    schema = add_command(subparsers, "schema")
    schema.add_argument("model", nargs="?", choices=["all", "Problem", "Roster"], default="all")
    schema.set_defaults(handler=_schema)
