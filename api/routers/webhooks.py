"""``/v1/webhooks``: subscriptions of an institution's notices, and their deliveries."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from api import audit
from api.deps import Caller, ServicesDep, allow
from api.keys import PLAN
from api.outbox import CANCELLED, NOTICE_TYPES, PENDING, fathers_in
from api.tables import OutboxEntry, WebhookSubscription, utcnow
from scheduler.ids import Id

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "not a planner key, or outside its institutions"},
    404: {"description": "no such subscription or delivery"},
}


class SubscriptionRequest(BaseModel):
    """Where an institution's notices go, the secret that signs them, and which are wanted."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "institution": "PI-VH",
                    "url": "https://booking.example/hooks/gezinsrooster",
                    "secret": "a-long-shared-secret",
                    "events": ["allocation.cancelled", "assignment.cancelled"],
                }
            ]
        },
    )

    institution: Id
    url: str = Field(min_length=8, max_length=2000, description="http(s) URL that receives POSTs")
    secret: str = Field(min_length=16, max_length=200, description="HMAC-SHA256 key (16+ chars)")
    events: list[str] = Field(default_factory=list, description="notice types (empty: all)")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"'{value}' is not an http(s) URL")
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        unknown = [item for item in value if item not in NOTICE_TYPES]
        if unknown:
            raise ValueError(
                f"unknown notice type '{unknown[0]}' (known: {', '.join(NOTICE_TYPES)})"
            )
        return sorted(set(value))


def _subscription(row: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": row.id,
        "institution": row.institution,
        "url": row.url,
        "events": row.events,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
    }


def _delivery(row: OutboxEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "subscription": row.subscription_id,
        "institution": row.institution,
        "type": row.type,
        "state": row.state,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "delivered_at": row.delivered_at,
        "payload": row.payload,
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a URL to an institution's notices (signed with the secret)",
    responses={**ERRORS, 422: {"description": "a bad URL, a short secret, an unknown type"}},
)
def subscribe(
    caller: Caller, services: ServicesDep, request: SubscriptionRequest
) -> dict[str, Any]:
    """Give the subscription (its secret is never shown again)."""
    allow(caller, PLAN, [request.institution], f"webhooks of {request.institution}")
    with services.database.write() as session:
        row = WebhookSubscription(
            id=str(uuid.uuid4()),
            institution=request.institution,
            url=request.url,
            secret=request.secret,
            events=request.events,
            key_id=caller.key_id,
            created_at=utcnow(),
        )
        session.add(row)
        audit.record(
            session, caller, "webhook.subscribe", "webhook", row.id, [row.institution], row.url
        )
        session.flush()
        return _subscription(row)


@router.get("", summary="Subscriptions of the key's institutions", responses=ERRORS)
def list_subscriptions(caller: Caller, services: ServicesDep) -> list[dict[str, Any]]:
    """Give each subscription, without its secret."""
    allow(caller, PLAN, [], "listing webhooks")
    with services.database.read() as session:
        rows = session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.created_at))
        return [_subscription(row) for row in rows if caller.covers([row.institution])]


@router.delete(
    "/{subscription_id}",
    summary="End a subscription: no new notices; its pending ones are not sent",
    responses=ERRORS,
)
def unsubscribe(caller: Caller, services: ServicesDep, subscription_id: Id) -> dict[str, Any]:
    """Give the ended subscription."""
    with services.database.write() as session:
        row = session.get(WebhookSubscription, subscription_id)
        if row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"webhook '{subscription_id}' does not exist"
            )
        allow(caller, PLAN, [row.institution], f"webhook '{subscription_id}'")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            for entry in session.scalars(
                select(OutboxEntry).where(
                    OutboxEntry.subscription_id == row.id, OutboxEntry.state == PENDING
                )
            ):
                entry.state = CANCELLED
            audit.record(
                session, caller, "webhook.unsubscribe", "webhook", row.id, [row.institution]
            )
        return _subscription(row)


@router.get(
    "/deliveries",
    summary="Deliveries of notices (failed ones for the planner to see)",
    responses=ERRORS,
)
def deliveries(
    caller: Caller,
    services: ServicesDep,
    state: Annotated[
        Literal["pending", "delivered", "failed", "cancelled"] | None,
        Query(description="only deliveries in this state"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Give the newest deliveries of the key's institutions, with attempts and last error."""
    allow(caller, PLAN, [], "listing deliveries")
    query = select(OutboxEntry).order_by(OutboxEntry.created_at.desc(), OutboxEntry.id)
    if state is not None:
        query = query.where(OutboxEntry.state == state)
    with services.database.write() as session:
        rows = [row for row in session.scalars(query) if caller.covers([row.institution])]
        shown = rows[:limit]
        read: dict[str, set[str]] = {}
        for row in shown:
            read.setdefault(row.institution, set()).update(fathers_in(row.payload))
        if read:
            audit.record_read(session, caller, "webhook.deliveries", "delivery", state or "*", read)
        return [_delivery(row) for row in shown]


@router.post(
    "/deliveries/{delivery_id}/retry",
    summary="Send a failed delivery again (same delivery id)",
    responses=ERRORS,
)
def retry(caller: Caller, services: ServicesDep, delivery_id: Id) -> dict[str, Any]:
    """Give the delivery, pending again with its attempts reset."""
    with services.database.write() as session:
        row = session.get(OutboxEntry, delivery_id)
        if row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"delivery '{delivery_id}' does not exist"
            )
        allow(caller, PLAN, [row.institution], f"delivery '{delivery_id}'")
        row.state = PENDING
        row.attempts = 0
        row.next_attempt_at = utcnow()
        audit.record(session, caller, "webhook.retry", "delivery", row.id, [row.institution])
        return _delivery(row)
