"""What every route may depend on: the service's parts and the caller's key (``Annotated`` aliases).

A route that needs the caller takes ``caller: Caller``; it then checks the
action and the institutions it touches with ``allow`` (403 outside the key's
role or scope). Without a key, or with an unknown or revoked one, the request
is refused with 401 before the route runs; an address with too many failed
key attempts is refused with 429 and ``Retry-After`` (``api.attempts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.attempts import FailedAttempts
from api.audit import GroupWriter
from api.database import Database
from api.group_commit import GroupCommit
from api.jobs import JobRunner
from api.keys import KnownKeys, Principal, digest, find_principal
from api.published import Parsed, new_parsed
from api.settings import Settings
from api.tables import JobRow, ProblemRow


@dataclass
class Services:
    """The parts of one running service: settings, database, jobs, parsed weeks, failed keys,
    and the writes committed together (bookings, cancellations, refusals' audit entries)."""

    settings: Settings
    database: Database
    runner: JobRunner
    parsed: Parsed = field(default_factory=new_parsed)
    attempts: FailedAttempts = field(default_factory=FailedAttempts)
    writes: GroupCommit = field(init=False)
    audits: GroupWriter = field(init=False)
    known_keys: KnownKeys = field(init=False)

    def __post_init__(self) -> None:
        retries = self.settings.database_retries
        self.known_keys = KnownKeys(self.settings.key_cache_seconds)
        self.writes = GroupCommit(lambda work: self.database.transact(work, retries))
        self.audits = GroupWriter(self.writes)

    @classmethod
    def of(cls, settings: Settings, database: Database, runner: JobRunner) -> Services:
        """Give the parts of a service, its key-attempt limit taken from the settings."""
        attempts = FailedAttempts(settings.key_failures, settings.key_failure_window)
        return cls(settings=settings, database=database, runner=runner, attempts=attempts)


def get_services(request: Request) -> Services:
    """Give the running service's parts."""
    services: Services = request.app.state.services
    return services


async def _services(request: Request) -> Services:
    # A coroutine, so that FastAPI does not hand this lookup to a thread of its own.
    return get_services(request)


ServicesDep = Annotated[Services, Depends(_services)]

_bearer = HTTPBearer(auto_error=False, description="an API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")


def client_address(request: Request) -> str:
    """Give the address a request came from (its failed key attempts are counted by it)."""
    return request.client.host if request.client is not None else "-"


def _refuse_while_waiting(services: Services, address: str) -> None:
    wait = services.attempts.retry_after(address)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed key attempts from this address: try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


def verify_key(services: Services, address: str, secret: str) -> Principal | None:
    """Give who holds the key, None (one failed attempt counted) or 429 while the address waits."""
    _refuse_while_waiting(services, address)
    with services.database.read_one() as session:
        principal = find_principal(session, secret)
    if principal is None:
        services.attempts.failed(address)
    return principal


async def authenticate(
    request: Request,
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Principal:
    """Give who is calling; 401 without a valid, unrevoked key, 429 after too many failures."""
    secret = bearer.credentials if bearer is not None else header
    if not secret:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "no API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    address, stored = client_address(request), digest(secret)
    # A key verified within KEY_CACHE_SECONDS is answered here; only a read of the key table
    # needs a thread. (The pages' sign-in always reads the key table.)
    principal = services.known_keys.get(stored)
    if principal is not None:
        _refuse_while_waiting(services, address)
    else:
        principal = await run_in_threadpool(verify_key, services, address, secret)
        if principal is not None:
            services.known_keys.keep(stored, principal)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def field_path(loc: Iterable[object]) -> str:
    """Give a validation error's location as a field path: ``events[0].father``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def allow(caller: Principal, action: str, institutions: Iterable[str], what: str) -> None:
    """Refuse with 403 unless the key's role allows the action on every institution of ``what``."""
    if not caller.may(action):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"a {caller.role} key may not {action} ({what})",
        )
    touched = sorted(set(institutions))
    if not caller.covers(touched):
        outside = [item for item in touched if not caller.covers([item])]
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{what} belongs to {', '.join(outside)}, outside this key's institutions",
        )


def allowed_problem(
    session: Session, caller: Principal, problem_id: str, action: str
) -> ProblemRow:
    """Give the stored week the caller may ``action``: 404 if there is none, else 403 outside."""
    row: ProblemRow | None = session.get(ProblemRow, problem_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"problem '{problem_id}' does not exist")
    allow(caller, action, row.institutions, f"problem '{problem_id}'")
    return row


def allowed_job(
    session: Session, caller: Principal, job_id: str, kind: str, what: str, action: str
) -> JobRow:
    """Give the job of ``kind`` the caller may ``action``: 404 naming ``what`` if none, else 403."""
    row: JobRow | None = session.get(JobRow, job_id)
    if row is None or row.kind != kind:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{what} does not exist")
    allow(caller, action, row.institutions, what)
    return row
