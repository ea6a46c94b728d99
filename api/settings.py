"""The service's settings from the environment: prefix ``GEZINSROOSTER_``, and ``DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the service keeps its data and how it runs jobs and holds."""

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
    max_jobs: int = Field(default=1, ge=1, description="jobs running side by side; more wait")
    retention_days: int = Field(default=730, ge=1, description="default retention for purge")
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
