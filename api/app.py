"""The roster service: ``create_app(settings)`` gives the FastAPI application under ``/v1``.

The app upgrades its database on start-up, marks jobs an earlier process left
running as interrupted, and ends its job processes on shutdown. Routers live
in ``api/routers``; each takes the caller through ``api.deps.Caller``.
"""

from __future__ import annotations

import gc
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, limits
from api.database import Database
from api.deps import Services
from api.horizon import HORIZON_JOB, HORIZON_TARGET, store_weeks
from api.http_guard import AccessLog, SecurityHeaders
from api.jobs import JobRunner
from api.outbox import DeliveryWorker
from api.repairs import auto_publish
from api.rosters import ROSTER_JOB, ROSTER_TARGET
from api.routers import (
    allocations,
    audit,
    events,
    health,
    horizons,
    outcomes,
    problems,
    publications,
    repairs,
    rosters,
    webhooks,
    whatif,
)
from api.settings import Settings
from api.web.routes import router as web_router

API_VERSION = "v1"
DESCRIPTION = """\
The weekly roster service of the family approach (*gezinsbenadering*).

Every request except `/v1/health` and `/v1/version` carries an API key, as
`Authorization: Bearer <key>` or `X-API-Key: <key>` (create one with
`gezinsrooster keys create`). A key has a role (planner, system, viewer) and
a scope of institutions: 401 without a valid key, 403 outside role or scope.
Every refusal (4xx) has one body, `ErrorBody`: `{"detail": "<text>", "errors":
["<field>: <what is wrong>", ...]}`; a refused allocation (409) adds its
`reasons` and `alternatives` (`Refusal`). Bad input is answered 422 with one
line per fault, naming the field and the culprit.
"""

TAGS = [
    {"name": "problems", "description": "Weeks of facts (Problem of the data contract)."},
    {"name": "rosters", "description": "Solve jobs, their best roster so far, exports, explain."},
    {"name": "publications", "description": "Published rosters per institution and week."},
    {"name": "allocations", "description": "Single slots for other systems (docs/design.md s. 6)."},
    {"name": "events", "description": "Events of a running week (docs/design.md s. 9)."},
    {"name": "outcomes", "description": "What became of published occurrences (design.md s. 10)."},
    {"name": "repairs", "description": "Repairs of a published week, read as a difference."},
    {"name": "webhooks", "description": "Notices to other systems: subscriptions, deliveries."},
    {"name": "audit", "description": "Who read or changed father data, and when."},
    {"name": "service", "description": "Health and version."},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Give the service's application for these settings (from the environment if None)."""
    settings = settings or Settings()
    database = Database(settings.url())
    runner = JobRunner(
        database,
        settings.max_jobs,
        max_queued=settings.max_queued_jobs,
        max_per_key=settings.max_jobs_per_key,
        retry_after=max(1, math.ceil(settings.solve_time_limit)),
    )

    def after_roster(job_id: str) -> None:
        if settings.auto_publish_repairs:
            auto_publish(database, services.parsed, job_id)

    runner.register(ROSTER_JOB, ROSTER_TARGET, after_roster)
    runner.register(whatif.WHATIF_JOB, whatif.WHATIF_TARGET)
    runner.register(HORIZON_JOB, HORIZON_TARGET, lambda job_id: store_weeks(database, job_id))
    services = Services.of(settings, database, runner)
    worker = DeliveryWorker(
        database,
        poll_seconds=settings.webhook_poll_seconds,
        backoff_seconds=settings.webhook_backoff_seconds,
        max_attempts=settings.webhook_max_attempts,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database.upgrade()
        runner.recover()
        worker.start()
        yield
        worker.stop()
        runner.shutdown()
        database.dispose()

    from api import __version__

    app = FastAPI(
        title="gezinsrooster",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        separate_input_output_schemas=False,
    )
    app.state.services = services
    errors.install(app)
    limits.install(app, settings.max_body_bytes)
    app.add_middleware(AccessLog)
    app.add_middleware(SecurityHeaders, exempt=[p for p in (app.docs_url, app.redoc_url) if p])
    routers = (health, problems, rosters, publications, allocations, events, repairs, webhooks)
    for module in (*routers, outcomes, horizons, audit, whatif):
        app.include_router(module.router, prefix=f"/{API_VERSION}")
    app.include_router(web_router)
    return app


# A service process holds the booked copies of its weeks: some million small objects that
# live as long as the process. With the collector's default thresholds their generation is
# walked every few thousand allocations, a pause that holds up every request in flight.
SERVED_GC_THRESHOLDS = (100_000, 50, 1_000)


def served_app(settings: Settings | None = None) -> FastAPI:
    """Give the application as ``gezinsrooster serve`` runs it: the collector run less often."""
    gc.set_threshold(*SERVED_GC_THRESHOLDS)
    return create_app(settings)
