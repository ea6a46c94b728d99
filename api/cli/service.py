"""``gezinsrooster serve``, ``keys create|list|revoke`` and ``purge``: the roster service."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from api.cli import add_command
from api.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    if args.database_url:
        return Settings(database_url=args.database_url)
    return Settings()


def _database(args: argparse.Namespace) -> Any:
    from api.database import Database

    database = Database(_settings(args).url())
    database.upgrade()
    return database


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import served_app
    from api.database import Database, describe_url
    from api.http_guard import log_config

    if args.workers < 1:
        print(f"error: workers: {args.workers} is not a positive number", file=sys.stderr)
        return 2
    settings = _settings(args)
    print(f"database: {describe_url(settings.url())}", file=sys.stderr)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        # The service's own access log names routes, never paths or queries (father ids).
        "access_log": False,
        "log_config": log_config(args.log_level),
    }
    if args.workers == 1:
        uvicorn.run(served_app(settings), **options)
        return 0
    # The schema is brought up to date once, before the workers start on it side by side;
    # each worker builds its own application from the environment.
    database = Database(settings.url())
    database.upgrade()
    database.dispose()
    os.environ["DATABASE_URL"] = os.environ["GEZINSROOSTER_DATABASE_URL"] = settings.url()
    uvicorn.run("api.app:served_app", factory=True, workers=args.workers, **options)
    return 0


def _keys_create(args: argparse.Namespace) -> int:
    from api import audit
    from api.keys import create_key

    database = _database(args)
    try:
        with database.write() as session:
            row, secret = create_key(session, args.role, args.institution, args.name or "")
            audit.record(
                session,
                None,
                "key.create",
                "key",
                str(row.id),
                row.institutions,
                f"{row.role} '{row.name}'",
            )
            print(f"key {row.id} ({row.role}, {', '.join(row.institutions)}): {secret}")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("store it now: only its digest is kept", file=sys.stderr)
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    from api.keys import list_keys

    database = _database(args)
    with database.read() as session:
        rows = list_keys(session)
        print(f"{'id':>4}  {'role':8}  {'prefix':12}  {'state':8}  institutions  name")
        for row in rows:
            state = "revoked" if row.revoked_at else "active"
            print(
                f"{row.id:>4}  {row.role:8}  {row.prefix:12}  {state:8}  "
                f"{','.join(row.institutions):12}  {row.name}"
            )
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from api import audit
    from api.keys import revoke_key

    database = _database(args)
    with database.write() as session:
        row = revoke_key(session, args.id)
        if row is None:
            print(f"error: id: no key {args.id}", file=sys.stderr)
            return 2
        audit.record(session, None, "key.revoke", "key", str(row.id), row.institutions)
        print(f"key {row.id} revoked")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from api.retention import purge

    if args.older_than < 0:
        print(f"error: older-than: {args.older_than} is negative", file=sys.stderr)
        return 2
    database = _database(args)
    with database.write() as session:
        found = purge(session, args.older_than)
    print(
        f"purged {found.weeks} weeks, {found.rosters} rosters, {found.publications} "
        f"publications, {found.allocations} allocations, {found.audit_entries} audit entries"
    )
    return 0


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except SQLAlchemyError as error:
            origin = getattr(error, "orig", None)
            reason = str(origin) if origin is not None else type(error).__name__
            print(f"error: database-url: {reason.strip().splitlines()[0]}", file=sys.stderr)
            return 2

    return run


def read_json_file(file: str) -> Any:
    """Give the decoded JSON of a file named on the command line (``-``: standard input)."""
    from scheduler.domain import ProblemError

    text = sys.stdin.read() if file == "-" else Path(file).read_text("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError([f"file: not JSON ({error})"]) from None


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default="",
        help="SQLAlchemy URL (default: $DATABASE_URL, else a SQLite file under ./data)",
    )


def register(subparsers: Any) -> None:
    """Add the service commands: serve, keys, purge."""
    serve = add_command(subparsers, "serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="service processes on the port (default 1); they share the database",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    _database_option(serve)
    serve.set_defaults(handler=_guarded(_serve))

    keys = add_command(subparsers, "keys")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it once")
    create.add_argument("--role", required=True, choices=["planner", "system", "viewer"])
    create.add_argument(
        "--institution",
        required=True,
        action="append",
        help="institution id the key covers (repeat for more; '*' for all)",
    )
    create.add_argument("--name", help="who or what uses the key")
    _database_option(create)
    create.set_defaults(handler=_guarded(_keys_create))
    listing = actions.add_parser("list", help="list keys (never the secrets)")
    _database_option(listing)
    listing.set_defaults(handler=_guarded(_keys_list))
    revoke = actions.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    _database_option(revoke)
    revoke.set_defaults(handler=_guarded(_keys_revoke))

    purge = add_command(subparsers, "purge")
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    _database_option(purge)
    purge.set_defaults(handler=_guarded(_purge))
