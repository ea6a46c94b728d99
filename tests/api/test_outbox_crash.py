"""A kill -9 of the real server between a change and its delivery loses no notice.

The publication and its outbox row commit together; the receiver is down, so
the notice waits. The server is killed with SIGKILL; once the receiver is up
and the server restarted on the same database, the notice arrives, signed,
with the delivery id the outbox gave it.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.keys import create_key
from api.settings import Settings
from api.tables import OutboxEntry
from tests.kit.receiver import SECRET, receiving
from tests.kit.server import free_port, serving
from tests.kit.service import baseline_roster, roomy_tiny_data, seed_roster

pytestmark = pytest.mark.slow

QUICK = {"webhook_backoff_seconds": "0.2", "webhook_max_attempts": "100"}


def _prepare(url: str) -> tuple[str, str]:
    """Give a planner key and the id of the tiny week's roster stored in the database."""
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        secret = create_key(session, "planner", ["PI-VH"], "crash test")[1]
    data = roomy_tiny_data()
    services = Services(Settings(database_url=url), database, JobRunner(database))
    roster_id = seed_roster(services, data, baseline_roster(data))
    database.dispose()
    return secret, roster_id


def _outbox(url: str) -> list[tuple[str, str, str]]:
    database = Database(url)
    with database.read() as session:
        rows = session.scalars(select(OutboxEntry).order_by(OutboxEntry.created_at))
        found = [(row.id, row.type, row.state) for row in rows]
    database.dispose()
    return found


def test_a_kill_between_change_and_delivery_loses_no_notice(tmp_path: Path) -> None:
    """Published while the receiver is down, killed with SIGKILL, restarted: the notice arrives."""
    url = f"sqlite:///{tmp_path}/crash.db"
    key, roster_id = _prepare(url)
    headers = {"X-API-Key": key}
    hook_port = free_port()
    port = free_port()
    with serving(url, port, **QUICK) as server:
        base = server.base
        subscribed = httpx.post(
            f"{base}/v1/webhooks",
            json={
                "institution": "PI-VH",
                "url": f"http://127.0.0.1:{hook_port}/hook",
                "secret": SECRET,
            },
            headers=headers,
        )
        assert subscribed.status_code == 201, subscribed.text
        published = httpx.post(f"{base}/v1/rosters/{roster_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
        server.kill()
    waiting = _outbox(url)
    assert [(kind, state) for _, kind, state in waiting] == [("roster.published", "pending")]
    with receiving(port=hook_port) as receiver, serving(url, port, **QUICK):
        got = receiver.wait_for(1, timeout=30)
    assert list(got) == [waiting[0][0]]
    notice = got[waiting[0][0]]
    assert notice.signed and notice.notice == "roster.published"
    assert notice.body["data"]["version"] == 1 and notice.body["data"]["roster"] == roster_id
    assert [(kind, state) for _, kind, state in _outbox(url)] == [("roster.published", "delivered")]
