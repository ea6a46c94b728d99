"""``gezinsrooster event record|list``: events of a running week, for a planner without the page.

``record`` takes one event or a batch as JSON (a file, or ``-`` for standard
input) or one event from its options, and applies it to the stored weeks of
the service's database exactly as ``POST /v1/events`` does: validated,
stored, audited, and what it breaks printed. ``list`` prints the stored events.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from api.cli import add_command
from api.cli.service import _database, _database_option, _guarded, read_json_file

OPTIONS = ("father", "room", "volunteer", "officer", "session", "start", "end", "kind")
MORE = ("consent", "shell", "to", "reason", "id")


def _body(args: argparse.Namespace) -> Any:
    if args.file is not None:
        return read_json_file(args.file)
    event: dict[str, Any] = {"type": args.type, "at": args.at}
    for name in (*OPTIONS, *MORE):
        value = getattr(args, name)
        if value is not None:
            event[name] = value
    return event


def _record(args: argparse.Namespace) -> int:
    from api.events import EventConflict, record, view
    from api.published import new_parsed
    from api.routers.events import parse_events
    from api.tables import utcnow

    if args.file is None and (args.type is None or args.at is None):
        print("error: type: give a FILE, or --type and --at", file=sys.stderr)
        return 2
    events = parse_events(_body(args))
    database = _database(args)
    try:
        with database.write() as session:
            found = record(session, new_parsed(), None, events, utcnow(), args.by)
            answer = {
                "events": [view(row) for row in found.events],
                "weeks": [{"problem_id": row.id, "revision": row.revision} for row in found.weeks],
                "flagged": found.flagged,
            }
    except EventConflict as conflict:
        print(f"error: id: {conflict}", file=sys.stderr)
        return 2
    print(json.dumps(answer, indent=2, default=str))
    return 0


def _list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from api.events import view
    from api.tables import EventRow

    database = _database(args)
    with database.read() as session:
        query = select(EventRow).order_by(EventRow.at, EventRow.id)
        if args.type:
            query = query.where(EventRow.type == args.type)
        if args.subject:
            query = query.where(EventRow.subject == args.subject)
        rows = [
            r
            for r in session.scalars(query)
            if not args.problem_id or args.problem_id in r.problems
        ]
        for row in rows:
            item = view(row)
            weeks = ", ".join(row.problems)
            print(f"{row.id}  {row.at.isoformat()}  {row.type:18}  {row.subject:10}  {weeks}")
            if args.json:
                print(json.dumps(item, default=str))
    return 0


def register(subparsers: Any) -> None:
    """Add ``event record`` and ``event list``."""
    event = add_command(subparsers, "event")
    actions = event.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    record = actions.add_parser("record", help="record one event or a batch (JSON or options)")
    record.add_argument("file", nargs="?", help="JSON file of one event or a list ('-': stdin)")
    record.add_argument("--type", help="event type, e.g. time_out, room_closure")
    record.add_argument("--at", help="the moment it takes effect (ISO 8601 with offset)")
    for name in OPTIONS:
        record.add_argument(f"--{name}")
    record.add_argument("--consent", choices=["other_parent", "info_sharing"])
    record.add_argument("--shell", type=int, choices=[1, 2, 3])
    record.add_argument("--to", help="transfer: the institution")
    record.add_argument("--reason", help="why (no names)")
    record.add_argument("--id", help="event id (default: one is given)")
    record.add_argument("--by", default="command line", help="who records it")
    _database_option(record)
    record.set_defaults(handler=_guarded(_record))
    listing = actions.add_parser("list", help="list the stored events")
    listing.add_argument("--type")
    listing.add_argument("--subject", help="father, room, volunteer, officer or session id")
    listing.add_argument("--problem-id")
    listing.add_argument("--json", action="store_true", help="each event as JSON too")
    _database_option(listing)
    listing.set_defaults(handler=_guarded(_list))
