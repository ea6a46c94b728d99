"""The service's settings from the environment: prefix ``GEZINSROOSTER_``, and ``DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the service keeps its data, how it runs jobs and holds, and how it meets guessers."""

    model_config = SettingsConfigDict(
        env_prefix="GEZINSROOSTER_", populate_by_name=True, extra="ignore"
    )

    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "GEZINSROOSTER_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; empty means a SQLite file under data_dir",
    )
    data_dir: Path = Field(default=Path("data"), description="folder of the default SQLite file")
    hold_minutes: float = Field(default=5.0, gt=0, description="how long an allocation hold lasts")
    solve_time_limit: float = Field(default=30.0, gt=0, description="default solve time limit (s)")
    solve_workers: int = Field(default=1, ge=1, description="CP-SAT workers per solve job")
    max_jobs: int = Field(
        default=1, ge=1, description="jobs running side by side, over every service process"
    )
    max_queued_jobs: int = Field(
        default=16, ge=0, description="jobs waiting for a free place; more are refused (429)"
    )
    max_jobs_per_key: int = Field(
        default=4, ge=1, description="queued and running jobs of one API key; more: 429"
    )
    max_fathers: int = Field(
        default=8000, ge=1, description="fathers in one uploaded week; more: 422 naming fathers"
    )
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="bytes of one request body; more: 413"
    )
    database_retries: int = Field(
        default=4, ge=0, description="retries of a write hit by a deadlock or a busy database"
    )
    retention_days: int = Field(default=730, ge=1, description="default retention for purge")
    key_failures: int = Field(
        default=10, ge=1, description="failed key attempts of one address before 429"
    )
    key_failure_window: float = Field(
        default=60.0, gt=0, description="seconds in which key_failures are counted"
    )
    key_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        description="seconds a verified key is believed without reading it again (0: never)",
    )
    auto_publish_repairs: bool = Field(
        default=False, description="publish a repair proposal on its own when it drops nothing"
    )
    webhook_poll_seconds: float = Field(default=0.5, gt=0, description="outbox polling interval")
    webhook_backoff_seconds: float = Field(
        default=2.0, gt=0, description="first retry delay of a failed delivery (doubles)"
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, description="attempts before a delivery is marked failed"
    )

    def url(self) -> str:
        """Give the database URL to connect to (the SQLite default when none is set)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gezinsrooster.db').as_posix()}"
