"""The service's tables (SQLAlchemy 2): what it stores and the constraints that keep it sound.

Only pseudonyms are stored, as the data contract holds them. The table shapes
are created and changed by the Alembic migrations in ``api/migrations``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC, read back aware on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Give the current moment, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of the service's tables."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UtcDateTime}


class ApiKey(Base):
    """An API key: only its SHA-256 digest is kept, with a role and an institution scope."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    institutions: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ProblemRow(Base):
    """An uploaded week (Problem of the data contract); ``revision`` counts re-uploads."""

    __tablename__ = "problems"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    week: Mapped[str] = mapped_column(String(10))
    week_start: Mapped[date] = mapped_column(Date, index=True)
    institutions: Mapped[list[Any]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JobRow(Base):
    """A long job run in its own process: a roster solve (``kind`` roster) or another kind."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    problem_id: Mapped[str | None] = mapped_column(
        String(200), ForeignKey("problems.id", ondelete="CASCADE"), nullable=True, index=True
    )
    institutions: Mapped[list[Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The service process that runs (or will run) the job, and when it last said it lives.
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Publication(Base):
    """The published roster of one institution and week; its row is the allocation lock."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("institution", "week", name="uq_publication"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    institution: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    roster_id: Mapped[str] = mapped_column(String(36), ForeignKey("jobs.id", ondelete="CASCADE"))
    problem_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PublicationVersion(Base):
    """Every roster ever published for an institution and week, by version number."""

    __tablename__ = "publication_versions"
    __table_args__ = (
        UniqueConstraint("institution", "week", "version", name="uq_publication_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    institution: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    roster_id: Mapped[str] = mapped_column(String(36), ForeignKey("jobs.id", ondelete="CASCADE"))
    problem_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Allocation(Base):
    """One occurrence placed for another system: held, confirmed or cancelled."""

    __tablename__ = "allocations"
    __table_args__ = (
        Index("ix_allocations_scope", "problem_id", "state"),
        Index("ix_allocations_week_version", "problem_id", "week_version"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    institution: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(10))
    problem_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("problems.id", ondelete="CASCADE")
    )
    father: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    assignment: Mapped[dict[str, Any]] = mapped_column(JSON)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The version of the week (``WeekVersion``) at which this allocation last changed.
    week_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class WeekVersion(Base):
    """How often the bookings of a stored week changed (``version``) and were replaced (``epoch``).

    Every allocation, confirmation and cancellation raises ``version`` in its
    own transaction and stamps the allocation with it; a publication or a new
    revision of the week raises ``epoch``. A service process that keeps the
    week's occupancy in memory compares both with its copy before it books.
    """

    __tablename__ = "week_versions"

    problem_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    epoch: Mapped[int] = mapped_column(Integer)


class Claim(Base):
    """One grid cell of one resource taken by a live allocation.

    The unique constraint makes two live allocations on the same father,
    volunteer, officer or room seat in the same cell impossible in the
    database itself, whatever the locking above it does.
    """

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("problem_id", "resource", "cell", name="uq_claim"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    allocation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("allocations.id", ondelete="CASCADE"), index=True
    )
    problem_id: Mapped[str] = mapped_column(String(200))
    resource: Mapped[str] = mapped_column(String(300))
    cell: Mapped[int] = mapped_column(Integer)


# The claims as rows of their table: the booking path writes, reads and deletes them without
# ORM objects.
CLAIM_TABLE = Claim.metadata.tables[Claim.__tablename__]


class IdempotentAnswer(Base):
    """The first successful answer to a request with an ``Idempotency-Key``, for replays."""

    __tablename__ = "idempotent_answers"
    __table_args__ = (UniqueConstraint("key_id", "idempotency_key", name="uq_idempotency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    allocation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("allocations.id", ondelete="CASCADE")
    )
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who read or changed which father data, and when."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    key_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(300))
    institutions: Mapped[list[Any]] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")


class EventRow(Base):
    """An event of a running week (docs/design.md section 9), as recorded, and where it applied."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    subject: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    institutions: Mapped[list[Any]] = mapped_column(JSON)
    problems: Mapped[list[Any]] = mapped_column(JSON)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookSubscription(Base):
    """Where an institution's notices go: a URL, the secret that signs them, the types wanted."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    institution: Mapped[str] = mapped_column(String(100), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[Any]] = mapped_column(JSON)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OutboxEntry(Base):
    """One notice for one subscription, written with the change it tells of; its id is the
    delivery id. ``state`` is pending until delivered, or failed after the last attempt."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    institution: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OutcomeRow(Base):
    """What became of one father's occurrence in a published week (docs/design.md section 10).

    One outcome per father and assignment of an institution's week: took
    place, no show (the family did not come) or cancelled by the institution.
    """

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("institution", "week", "assignment", "father", name="uq_outcome"),
        Index("ix_outcomes_week", "institution", "week"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    institution: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(10))
    assignment: Mapped[str] = mapped_column(String(200))
    father: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
