"""Who runs a job: the service process that owns it, and whether that process still lives.

With several service processes on one database (``gezinsrooster serve
--workers N``, or several machines), a job belongs to the process that
created it and runs it. The owner writes a heartbeat on its live jobs every
``HEARTBEAT_SECONDS``; a live job counts as abandoned only when its owner
is gone: its heartbeat is older than ``STALE_SECONDS``, or its owner was a
process on this machine that no longer exists. Only abandoned jobs are
marked interrupted, so a process that starts never ends another's live job.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.tables import JobRow

HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 15.0


def new_owner() -> str:
    """Give the owner name of this process: its machine, its pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_gone(owner: str | None, heartbeat: datetime | None, now: datetime, me: str) -> bool:
    """Tell whether the owner of a live job is gone (a job without an owner has none left)."""
    if owner == me:
        return False
    if owner is None:
        return True
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit() and not _process_exists(int(pid)):
        return True
    return heartbeat is None or heartbeat < now - timedelta(seconds=STALE_SECONDS)


def abandoned(
    session: Session, states: tuple[str, ...], me: str, now: datetime, *, unowned: bool
) -> list[str]:
    """Give the ids of live jobs whose owner is gone (and of jobs without one, if ``unowned``)."""
    query = select(JobRow.id, JobRow.owner, JobRow.heartbeat_at).where(JobRow.state.in_(states))
    if not unowned:
        query = query.where(JobRow.owner.is_not(None))
    return [
        job_id
        for job_id, owner, heartbeat in session.execute(query)
        if is_gone(owner, heartbeat, now, me)
    ]
