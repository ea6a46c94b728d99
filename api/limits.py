"""What the service answers when a request is too big or the service is too busy.

- A request body of more than ``max_body_bytes`` is refused with 413 before
  any route reads it (by its ``Content-Length``, or by counting as it streams).
- A job refused because the queue is full (``QueueFull``) is 429 with
  ``Retry-After``.
- A write that kept meeting deadlocks or a locked database (``DatabaseBusy``,
  or a retriable error outside ``Database.transact``) is 503 with
  ``Retry-After``: the transaction was rolled back whole, nothing was written.
  So is a request that waited in vain for a pooled database connection.

Every answer has the service's error shape: ``{"detail": ..., "errors": [...]}``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.database import RETRY_AFTER_SECONDS, DatabaseBusy, is_retriable
from api.jobs import QueueFull


def _refusal(code: int, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(status_code=code, content=errors.body(message), headers=headers)


class _BodyTooLarge(Exception):
    """The body streamed past the limit."""


class BodyLimit:
    """ASGI middleware: refuse (413) a request whose body is larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"body: the request body is larger than the limit of {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refusal(status.HTTP_413_CONTENT_TOO_LARGE, self._message())(scope, receive, send)
            return
        seen = 0
        started = too_large = refused = False

        async def refuse() -> None:
            nonlocal refused
            if not refused:
                refused = True
                response = _refusal(status.HTTP_413_CONTENT_TOO_LARGE, self._message())
                await response(scope, receive, send)

        async def counted() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            # A route may turn the failed read into an answer of its own (a 400):
            # the 413 is sent in its place.
            nonlocal started
            if too_large and not started:
                await refuse()
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _BodyTooLarge:
            if started:
                raise
            await refuse()


async def _queue_full(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, QueueFull)
    return _refusal(status.HTTP_429_TOO_MANY_REQUESTS, str(error), error.retry_after)


async def _database_busy(_request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, DatabaseBusy):
        return _refusal(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), error.retry_after)
    if isinstance(error, PoolTimeout) or is_retriable(error):
        return _refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the database is busy ({type(error).__name__}); try again shortly",
            RETRY_AFTER_SECONDS,
        )
    raise error


def install(app: FastAPI, max_body_bytes: int) -> None:
    """Add the body limit and the answers to a full queue and a busy database to the app."""
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_exception_handler(QueueFull, _queue_full)
    app.add_exception_handler(DatabaseBusy, _database_busy)
    app.add_exception_handler(DBAPIError, _database_busy)
    app.add_exception_handler(PoolTimeout, _database_busy)
