"""What every HTTP answer of the service carries, and what its access log may say.

``SecurityHeaders`` puts on every answer: a Content-Security-Policy that lets
no other site frame a page (``frame-ancestors 'none'``) and loads nothing
from elsewhere, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
no-referrer``, and ``Cache-Control: no-store`` unless the route chose its own
(the page's stylesheets), so that no father data is kept in a cache.

``AccessLog`` writes one line per request to the ``gezinsrooster.access``
logger: the client address, the method, the route's template
(``/v1/rosters/{roster_id}/explain``), the status and the time taken. Never
the path itself nor its query string, which can hold father ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "gezinsrooster.access"
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The pages' policy; inline ``style`` attributes draw the meters, no inline script runs."""
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
NO_STORE = (b"cache-control", b"no-store")
POLICY_HEADER = (b"content-security-policy", PAGE_POLICY.encode())
UNMATCHED = "(no route)"


class SecurityHeaders:
    """ASGI middleware: every answer gets the security headers (``docs`` paths keep their own)."""

    def __init__(self, app: ASGIApp, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policed = scope["path"] not in self.exempt

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [item for item in HEADERS if item[0] not in present]
                if b"cache-control" not in present:
                    headers.append(NO_STORE)
                if policed and b"content-security-policy" not in present:
                    headers.append(POLICY_HEADER)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


class AccessLog:
    """ASGI middleware: one access-log line per request, by route template, without the query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answered = {"status": 500}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            # The line's parts (the route's template above all) cost more than the
            # rest of this middleware: they are made only where the line is written.
            if self.logger.isEnabledFor(logging.INFO):
                self._write(scope, answered["status"], started)

    def _write(self, scope: Scope, status: int, started: float) -> None:
        """Write the request's line: client, method, route template, status, time taken."""
        self.logger.info(
            '%s - "%s %s" %d %.0fms',
            _client(scope),
            scope["method"],
            route_template(scope),
            status,
            (time.perf_counter() - started) * 1000,
        )


def route_template(scope: Scope) -> str:
    """Give the template of the route that answered (``/weeks/{problem_id}``), never the path."""
    route: Any = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED
    # An included router's route may hold its own part only; each of its parameters is
    # one segment, so the segments before it are the routers' literal prefixes.
    real = scope["path"].split("/")[1:]
    own = template.split("/")[1:]
    prefix = real[: max(0, len(real) - len(own))]
    return "/" + "/".join(prefix + own)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


def log_config(level: str) -> dict[str, Any]:
    """Give uvicorn's logging setup with the service's access log in place of uvicorn's own."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "loggers": {
            **LOGGING_CONFIG["loggers"],
            ACCESS_LOGGER: {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
    }
    return config
