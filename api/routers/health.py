"""``/v1/health`` and ``/v1/version``: open to anyone, no father data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import text

from api.deps import ServicesDep

router = APIRouter(tags=["service"])
CONTRACT_VERSION = 1


@router.get(
    "/health",
    summary="Is the service up and its database reachable?",
    responses={
        200: {"content": {"application/json": {"example": {"status": "ok", "database": "ok"}}}},
        503: {"description": "the database cannot be reached"},
    },
)
def health(services: ServicesDep) -> dict[str, str]:
    """Give ``ok`` when the database answers, else 503."""
    try:
        with services.database.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means unhealthy
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"database unreachable: {type(error).__name__}"
        ) from None
    return {"status": "ok", "database": "ok"}


@router.get(
    "/version",
    summary="Versions of the service, the API and the data contract",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "service": "0.1.0",
                        "api": "v1",
                        "contract": 1,
                        "database": "sqlite",
                    }
                }
            }
        }
    },
)
def version(services: ServicesDep) -> dict[str, Any]:
    """Give the service version, the API version, the contract version and the database kind."""
    from api import __version__

    backend = "sqlite" if services.database.is_sqlite else "postgresql"
    return {"service": __version__, "api": "v1", "contract": CONTRACT_VERSION, "database": backend}
