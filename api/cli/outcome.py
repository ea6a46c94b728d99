"""``gezinsrooster outcome record|list``: what became of a published week's occurrences.

``record`` takes a batch as JSON (``{"institution", "week", "outcomes":
[...]}``, a file or ``-`` for standard input) or one outcome from its
options, and stores it exactly as ``POST /v1/outcomes`` does: checked against
the published week, stored, audited. ``list`` prints the outcomes of an
institution's week.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from api.cli import add_command
from api.cli.service import _database, _database_option, _guarded, read_json_file


def _body(args: argparse.Namespace) -> Any:
    from scheduler.domain import ProblemError

    if args.file is not None:
        return read_json_file(args.file)
    missing = [
        f"--{name}" for name in ("institution", "week", "assignment", "father", "outcome")
        if getattr(args, name) is None
    ]  # fmt: skip
    if missing:
        raise ProblemError([f"outcome: give a FILE, or {', '.join(missing)}"])
    item = {"assignment": args.assignment, "father": args.father, "outcome": args.outcome}
    return {"institution": args.institution, "week": args.week, "outcomes": [item]}


def _record(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from api.outcomes import OutcomeRequest, record, view
    from api.published import new_parsed
    from api.tables import utcnow
    from scheduler.domain import ProblemError, validation_messages

    try:
        request = OutcomeRequest.model_validate(_body(args))
    except ValidationError as error:
        raise ProblemError(validation_messages(error)) from None
    database = _database(args)
    with database.write() as session:
        found = record(session, new_parsed(), None, request, utcnow(), args.by)
        answer = {"outcomes": [view(row) for row in found.rows], "added": found.added}
    print(json.dumps(answer, indent=2))
    return 0


def _list(args: argparse.Namespace) -> int:
    from api.outcomes import stored, view

    database = _database(args)
    with database.read() as session:
        for row in stored(session, args.institution, args.week):
            print(
                f"{row.start.isoformat()}  {row.assignment:24}  {row.father:10}  "
                f"{row.activity:22}  {row.outcome}"
            )
            if args.json:
                print(json.dumps(view(row)))
    return 0


def register(subparsers: Any) -> None:
    """Add ``outcome record`` and ``outcome list``."""
    outcome = add_command(subparsers, "outcome")
    actions = outcome.add_subparsers(dest="outcome_command", required=True, metavar="ACTION")
    record = actions.add_parser("record", help="record outcomes of a published week")
    record.add_argument("file", nargs="?", help="JSON file of a batch ('-': stdin)")
    record.add_argument("--institution")
    record.add_argument("--week", help="ISO week, 2027-W05")
    record.add_argument("--assignment", help="the assignment id in the published week")
    record.add_argument("--father")
    record.add_argument("--outcome", choices=["took_place", "no_show", "cancelled_by_institution"])
    record.add_argument("--by", default="command line", help="who records it")
    _database_option(record)
    record.set_defaults(handler=_guarded(_record))
    listing = actions.add_parser("list", help="list the outcomes of an institution's week")
    listing.add_argument("--institution", required=True)
    listing.add_argument("--week", required=True)
    listing.add_argument("--json", action="store_true", help="each outcome as JSON too")
    _database_option(listing)
    listing.set_defaults(handler=_guarded(_list))
