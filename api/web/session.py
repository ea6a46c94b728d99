"""Sign-in for the planner's page: an opaque server-side session, named by an HttpOnly cookie.

The browser holds only a random token (cookie ``gzr_session``: HttpOnly,
Secure, SameSite=Strict); the API key stays on the server and is checked
against the service's key store (``api.keys.find_principal``) on every
request, so revoking a key ends its page sessions at once. Every form that
changes something carries the session's CSRF token; the sign-in form, before
any session, carries the token of its own cookie (``gzr_signin``, HttpOnly,
Secure, SameSite=Strict), and a post whose token is not the cookie's is
refused. Sessions live in the service process and end after a quiet spell or
on sign-out; a restart signs everyone out, which costs a planner one sign-in.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from fastapi import FastAPI, HTTPException, Response, status

COOKIE = "gzr_session"
SIGNIN_COOKIE = "gzr_signin"
TOKEN_MAX = 64
IDLE_SECONDS = 8 * 3600
_STORE_LOCK = threading.Lock()


@dataclass
class WebSession:
    """One signed-in browser: its token, the key it signed in with, its CSRF token, messages."""

    token: str
    secret: str
    csrf: str
    last_seen: float
    flashes: list[tuple[str, str]] = field(default_factory=list)

    def flash(self, level: str, text: str) -> None:
        """Keep a message (``ok`` or ``error``) for the next page shown."""
        self.flashes.append((level, text))

    def take_flashes(self) -> list[tuple[str, str]]:
        """Give the kept messages and forget them."""
        found, self.flashes = self.flashes, []
        return found


class SessionStore:
    """The signed-in browsers of one service process, by token."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._items: dict[str, WebSession] = {}
        self._lock = threading.Lock()

    def open(self, secret: str) -> WebSession:
        """Give a new session for a verified key."""
        session = WebSession(
            token=secrets.token_urlsafe(32),
            secret=secret,
            csrf=secrets.token_urlsafe(24),
            last_seen=time.monotonic(),
        )
        with self._lock:
            self._items[session.token] = session
        return session

    def find(self, token: str) -> WebSession | None:
        """Give the live session of a token, or None (unknown, or quiet for too long)."""
        now = time.monotonic()
        with self._lock:
            for stale in [
                k for k, s in self._items.items() if now - s.last_seen > self.idle_seconds
            ]:
                del self._items[stale]
            session = self._items.get(token)
            if session is not None:
                session.last_seen = now
            return session

    def close(self, token: str) -> None:
        """End a session (closing twice is no error)."""
        with self._lock:
            self._items.pop(token, None)


def store_of(app: FastAPI) -> SessionStore:
    """Give the app's session store, made on first use."""
    with _STORE_LOCK:
        store: SessionStore | None = getattr(app.state, "web_sessions", None)
        if store is None:
            store = SessionStore()
            app.state.web_sessions = store
        return store


def set_cookie(response: Response, session: WebSession) -> None:
    """Put the session's token in the browser: HttpOnly, Secure, SameSite=Strict."""
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=IDLE_SECONDS,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


def check_csrf(session: WebSession, token: str) -> None:
    """Refuse with 403 a form that does not carry the session's CSRF token."""
    if not same_token(session.csrf, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "csrf")


def same_token(expected: str | None, given: str | None) -> bool:
    """Tell, in constant time, whether a form's token is the expected one (any text compares)."""
    if not expected or not given:
        return False
    return secrets.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def signin_token(cookie: str | None) -> str:
    """Give the sign-in form's CSRF token: the browser's own cookie, or a new one."""
    if cookie and len(cookie) <= TOKEN_MAX and cookie.isascii():
        return cookie
    return secrets.token_urlsafe(24)


def set_signin_cookie(response: Response, token: str) -> None:
    """Put the sign-in form's token in the browser: HttpOnly, Secure, SameSite=Strict."""
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=IDLE_SECONDS,
        path="/signin",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_signin_cookie(response: Response) -> None:
    """Remove the sign-in form's token from the browser (it is signed in now)."""
    response.delete_cookie(
        SIGNIN_COOKIE, path="/signin", secure=True, httponly=True, samesite="strict"
    )


def check_signin_csrf(cookie: str | None, token: str) -> None:
    """Refuse with 403 a sign-in whose form token is missing or not its cookie's."""
    if not same_token(cookie, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "csrf")
