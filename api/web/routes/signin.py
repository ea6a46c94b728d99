"""Sign-in and session: the sign-in form, signing out, the language, the static files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.deps import ServicesDep, client_address, verify_key
from api.web.routes.pages import (
    LANGUAGE_COOKIE,
    SIGNIN,
    STATIC,
    Csrf,
    PageRoute,
    User,
    labels_of,
    local_url,
    render,
    see_other,
    signed_in,
)
from api.web.session import (
    SIGNIN_COOKIE,
    check_csrf,
    check_signin_csrf,
    clear_cookie,
    clear_signin_cookie,
    set_cookie,
    set_signin_cookie,
    signin_token,
    store_of,
)
from exports.words import LANGUAGES

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """Give a stylesheet or script of the page."""
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no file '{name}'")
    return FileResponse(path, headers={"Cache-Control": "max-age=3600"})


@router.get("/language/{language}")
def language(language: str, next: str = "/") -> RedirectResponse:
    """Give a redirect back to the page, now in the chosen language."""
    response = see_other(local_url(next))
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax"
        )
    return response


@router.get(SIGNIN)
def signin_page(
    request: Request, services: ServicesDep, expired: int = 0, next: str = "/"
) -> Response:
    """Give the sign-in form with its CSRF token (or the overview when already signed in)."""
    if signed_in(request, services) is not None:
        return see_other(local_url(next))
    t = labels_of(request)
    messages = [t("signin_expired")] if expired else []
    return _signin_form(request, status.HTTP_200_OK, messages, next_url=local_url(next))


def _signin_form(
    request: Request,
    status_code: int,
    messages: list[str],
    headers: Mapping[str, str] | None = None,
    next_url: str = "/",
) -> Response:
    token = signin_token(request.cookies.get(SIGNIN_COOKIE))
    response = render(
        request, "signin.html", None, status_code, messages=messages, csrf=token, next=next_url
    )
    if token != request.cookies.get(SIGNIN_COOKIE):
        set_signin_cookie(response, token)
    response.headers.update(headers or {})
    return response


@router.post(SIGNIN)
def signin(
    request: Request,
    services: ServicesDep,
    key: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Give the page asked for before (or the overview) with a session cookie, or the form again.

    A wrong key gives the form again (401), too many wrong keys 429.
    """
    check_signin_csrf(request.cookies.get(SIGNIN_COOKIE), csrf)
    t = labels_of(request)
    secret = key.strip()
    principal = None
    if secret:
        try:
            principal = verify_key(services, client_address(request), secret)
        except HTTPException as error:
            if error.status_code != status.HTTP_429_TOO_MANY_REQUESTS:
                raise
            wait = (error.headers or {}).get("Retry-After", "")
            return _signin_form(
                request,
                error.status_code,
                [t("signin_wait", seconds=wait)],
                error.headers,
                local_url(next),
            )
    if principal is None:
        return _signin_form(
            request, status.HTTP_401_UNAUTHORIZED, [t("signin_wrong")], next_url=local_url(next)
        )
    session = store_of(request.app).open(secret)
    response = see_other(local_url(next))
    set_cookie(response, session)
    clear_signin_cookie(response)
    return response


@router.post("/signout")
def signout(request: Request, user: User, csrf: Csrf = "") -> Response:
    """Give the sign-in page; the session is over and its cookie gone."""
    check_csrf(user.session, csrf)
    store_of(request.app).close(user.session.token)
    response = see_other(SIGNIN)
    clear_cookie(response)
    return response
