"""API keys: created once, stored as a SHA-256 digest, each with a role and an institution scope.

Roles (what a key may do, within its institutions):

- ``planner``: everything: upload weeks, solve, publish, allocate, read, audit;
- ``system``: slot allocations and reads (visit booking, case management);
- ``viewer``: reads only.

A key's scope is a list of institution ids; ``*`` covers every institution.
An object that spans several institutions (a region's week) is within scope
only when the key covers every one of them.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api.tables import ApiKey, utcnow

ROLES: tuple[str, ...] = ("planner", "system", "viewer")
READ = "read"
ALLOCATE = "allocate"
PLAN = "plan"
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "planner": frozenset({READ, ALLOCATE, PLAN}),
    "system": frozenset({READ, ALLOCATE}),
    "viewer": frozenset({READ}),
}
EVERY_INSTITUTION = "*"
KEY_PREFIX = "gzr_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id and name, its role and the institutions it covers."""

    key_id: int
    name: str
    role: str
    institutions: frozenset[str]

    def may(self, action: str) -> bool:
        """Tell whether the key's role allows an action (``read``, ``allocate``, ``plan``)."""
        return action in ROLE_ACTIONS.get(self.role, frozenset())

    def covers(self, institutions: Iterable[str]) -> bool:
        """Tell whether the key's scope holds every one of the institutions."""
        if EVERY_INSTITUTION in self.institutions:
            return True
        return set(institutions) <= self.institutions


def digest(secret: str) -> str:
    """Give the stored form of a key: the hex SHA-256 of the whole key."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(
    session: Session, role: str, institutions: list[str], name: str = ""
) -> tuple[ApiKey, str]:
    """Give a new key's row and its secret (shown once; only the digest is stored)."""
    if role not in ROLES:
        raise ValueError(f"role: '{role}' is not one of {', '.join(ROLES)}")
    if not institutions:
        raise ValueError("institution: give at least one institution (or '*' for all)")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name or f"{role} key",
        prefix=secret[:12],
        digest=digest(secret),
        role=role,
        institutions=sorted(set(institutions)),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, secret


def list_keys(session: Session) -> list[ApiKey]:
    """Give every key, oldest first (revoked ones too, marked by ``revoked_at``)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int, at: datetime | None = None) -> ApiKey | None:
    """Give the revoked key (revoking twice keeps the first moment), or None if there is none."""
    row = session.get(ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = at or utcnow()
    return row


def find_principal(session: Session, secret: str) -> Principal | None:
    """Give who holds this secret, or None for an unknown or revoked key."""
    row = session.execute(_PRINCIPAL, {"digest": digest(secret)}).first()
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, row.name, row.role, frozenset(row.institutions))


# Every request reads its key: the columns alone, in a statement built once.
_PRINCIPAL = select(
    ApiKey.id, ApiKey.name, ApiKey.role, ApiKey.institutions, ApiKey.revoked_at
).where(ApiKey.digest == bindparam("digest"))


KNOWN_KEYS_KEPT = 10_000
"""How many verified keys a process keeps before it forgets them all and reads them again."""


class KnownKeys:
    """The keys this process verified in the last ``seconds``, by digest (thread-safe).

    A request whose key was verified less than ``seconds`` ago is not read
    from the key table again, so a key revoked elsewhere is refused within
    that time (docs/service.md); with 0 every request reads its key. Only
    valid keys are kept: an unknown or revoked key is read (and counted as a
    failed attempt) every time.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._known: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, stored: str) -> Principal | None:
        """Give who holds the key stored as this digest if verified recently, else None."""
        if self.seconds <= 0:
            return None
        with self._lock:
            found = self._known.get(stored)
        if found is None or found[0] <= self.clock():
            return None
        return found[1]

    def keep(self, stored: str, principal: Principal) -> None:
        """Remember a key just read from the key table as valid."""
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._known) >= KNOWN_KEYS_KEPT:
                self._known.clear()
            self._known[stored] = (self.clock() + self.seconds, principal)
