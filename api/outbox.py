"""Notices to other systems (docs/design.md section 9): the outbox and its delivery worker.

A change that other systems must hear of (a publication, a flagged, moved or
cancelled assignment, a confirmed or cancelled allocation) writes one outbox
row per subscription of the institution, in the same transaction as the
change: a crash loses no notice, and a change that rolls back sends none.
The row's id is the delivery id; a receiver that sees one twice drops the
repeat. The worker posts each due row, signed with HMAC-SHA256 of the body
under the subscription's secret, and retries a failed receiver with an
exponential backoff; after ``webhook_max_attempts`` the row is failed, and
the planner sees it under ``/v1/webhooks/deliveries``. With several service
processes each worker first takes a row (``DeliveryWorker._claim``), so no
notice is posted twice at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from api.database import Database
from api.tables import OutboxEntry, WebhookSubscription, utcnow

NOTICE_TYPES: tuple[str, ...] = (
    "roster.published",
    "assignment.flagged",
    "assignment.moved",
    "assignment.cancelled",
    "assignment.created",
    "allocation.confirmed",
    "allocation.cancelled",
)
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"
SIGNATURE_HEADER = "X-Gezinsrooster-Signature"
DELIVERY_HEADER = "X-Gezinsrooster-Delivery"
TYPE_HEADER = "X-Gezinsrooster-Event"
MAX_BACKOFF_SECONDS = 600.0
# A worker holds a row it is posting for this long (times its timeout, plus a margin).
LEASE_FACTOR = 3
LEASE_MARGIN_SECONDS = 5.0

log = logging.getLogger(__name__)


def sign(secret: str, body: bytes) -> str:
    """Give the signature header's value of a body: ``sha256=`` and the hex HMAC-SHA256."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def fathers_in(value: Any) -> set[str]:
    """Give every father a notice's data names (its ``father`` and ``fathers`` fields, nested)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "father" and isinstance(item, str):
                found.add(item)
            elif key == "fathers" and isinstance(item, list):
                found |= {father for father in item if isinstance(father, str)}
            else:
                found |= fathers_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= fathers_in(item)
    return found


# Built once: building the statement costs more than running it.
_LIVE_SUBSCRIPTIONS = (
    select(WebhookSubscription)
    .where(
        WebhookSubscription.institution.in_(bindparam("wanted", expanding=True)),
        WebhookSubscription.revoked_at.is_(None),
    )
    .order_by(WebhookSubscription.id)
)


def notify(
    session: Session,
    institutions: Iterable[str],
    notice_type: str,
    data: dict[str, Any],
    now: datetime | None = None,
) -> int:
    """Give how many outbox rows were added: one per live subscription wanting the notice."""
    now = now or utcnow()
    wanted = sorted(set(institutions))
    if not wanted:
        return 0
    added = 0
    for subscription in session.scalars(_LIVE_SUBSCRIPTIONS, {"wanted": wanted}):
        if subscription.events and notice_type not in subscription.events:
            continue
        delivery = str(uuid.uuid4())
        payload = {
            "id": delivery,
            "type": notice_type,
            "institution": subscription.institution,
            "created_at": now.isoformat(),
            "data": data,
        }
        session.add(
            OutboxEntry(
                id=delivery,
                subscription_id=subscription.id,
                institution=subscription.institution,
                type=notice_type,
                payload=payload,
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        added += 1
    return added


def backoff(attempts: int, base: float) -> float:
    """Give the seconds to wait after ``attempts`` failed attempts (doubling, capped)."""
    return float(min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


class DeliveryWorker:
    """Posts due outbox rows to their subscriptions, in a thread of the service process."""

    def __init__(
        self,
        database: Database,
        *,
        poll_seconds: float = 0.5,
        backoff_seconds: float = 2.0,
        max_attempts: int = 8,
        timeout_seconds: float = 5.0,
    ) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self.backoff_seconds = backoff_seconds
        self.max_attempts = max_attempts
        self.timeout_seconds = timeout_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start delivering in the background."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the delivery under way."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.timeout_seconds + 2)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_seconds) as client:
            while not self._stop.is_set():
                try:
                    self.deliver_due(client)
                except Exception:  # the worker must outlive a bad row or a lost database
                    log.exception("webhook delivery round failed")
                self._stop.wait(self.poll_seconds)

    def deliver_due(self, client: httpx.Client, limit: int = 50) -> int:
        """Give how many due rows were attempted (delivered or not) in this round."""
        now = utcnow()
        with self.database.read() as session:
            rows = session.execute(
                select(OutboxEntry, WebhookSubscription.url, WebhookSubscription.secret)
                .join(WebhookSubscription, WebhookSubscription.id == OutboxEntry.subscription_id)
                .where(OutboxEntry.state == PENDING, OutboxEntry.next_attempt_at <= now)
                .order_by(OutboxEntry.created_at, OutboxEntry.id)
                .limit(limit)
            ).all()
            due = [
                (entry.id, entry.type, entry.payload, entry.attempts, url, secret)
                for entry, url, secret in rows
            ]
        tried = 0
        for delivery, notice_type, payload, attempts, url, secret in due:
            if self._stop.is_set():
                break
            if self._claim(delivery):
                self._attempt(client, delivery, notice_type, payload, attempts, url, secret)
                tried += 1
        return tried

    def _claim(self, delivery: str) -> bool:
        """Give whether this worker took the row: it is due, and no other worker took it first.

        Taking a row moves its next attempt past the time an attempt can last,
        in one conditional update, so a row is posted by one worker of one
        service process at a time; should that worker die mid-attempt, the
        row is due again after the lease (same delivery id: the receiver
        drops the repeat).
        """
        now = utcnow()
        lease = timedelta(seconds=LEASE_FACTOR * self.timeout_seconds + LEASE_MARGIN_SECONDS)
        with self.database.write() as session:
            result = session.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.id == delivery,
                    OutboxEntry.state == PENDING,
                    OutboxEntry.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + lease)
            )
            return bool(getattr(result, "rowcount", 0))

    def _attempt(
        self,
        client: httpx.Client,
        delivery: str,
        notice_type: str,
        payload: dict[str, Any],
        attempts: int,
        url: str,
        secret: str,
    ) -> None:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body),
            DELIVERY_HEADER: delivery,
            TYPE_HEADER: notice_type,
        }
        status: int | None = None
        error: str | None = None
        try:
            answer = client.post(url, content=body, headers=headers)
            status = answer.status_code
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        now = utcnow()
        tried = attempts + 1
        values: dict[str, Any] = {"attempts": tried, "last_status": status, "last_error": error}
        if error is None:
            values |= {"state": DELIVERED, "delivered_at": now}
        elif tried >= self.max_attempts:
            values |= {"state": FAILED}
        else:
            values |= {
                "next_attempt_at": now + timedelta(seconds=backoff(tried, self.backoff_seconds))
            }
        with self.database.write() as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id == delivery, OutboxEntry.state == PENDING)
                .values(**values)
            )
