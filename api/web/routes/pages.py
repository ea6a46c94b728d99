"""What every page shares: the signed-in user, rendering, refusals as pages, redirects.

A page renders a template in the browser's chosen words, shows a refusal as a
page rather than JSON, and calls the service's actions with the signed-in key.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from api.database import DatabaseBusy
from api.deps import ServicesDep, get_services
from api.errors import request_errors
from api.jobs import LIVE_STATES, QueueFull
from api.keys import PLAN, Principal, find_principal
from api.web.labels import Labels
from api.web.session import COOKIE, WebSession, store_of
from exports.words import DEFAULT_LANGUAGE, LANGUAGES
from scheduler.domain import ProblemError, validation_messages

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
LANGUAGE_COOKIE = "gzr_lang"
SIGNIN = "/signin"


def labels_of(request: Request) -> Labels:
    """Give the words of the language the browser chose (Dutch unless it chose English)."""
    language = request.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return Labels(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@dataclass
class WebUser:
    """Who is signed in on this browser: the key's principal and the page session."""

    principal: Principal
    session: WebSession

    def may(self, action: str) -> bool:
        """Tell whether the key's role allows an action (the page disables the button if not)."""
        return self.principal.may(action)


def signed_in(request: Request, services: ServicesDep) -> WebUser | None:
    token = request.cookies.get(COOKIE)
    store = store_of(request.app)
    session = store.find(token) if token else None
    if session is None:
        return None
    with services.database.read() as db:
        principal = find_principal(db, session.secret)
    if principal is None:
        store.close(session.token)
        return None
    return WebUser(principal, session)


def web_user(request: Request, services: ServicesDep) -> WebUser:
    """Give the signed-in user, or send the browser to the sign-in page (303)."""
    user = signed_in(request, services)
    if user is None:
        query = {"expired": "1"} if request.cookies.get(COOKIE) else {}
        if request.method == "GET" and request.url.path != "/":
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            query["next"] = here
        target = SIGNIN + (f"?{urlencode(query)}" if query else "")
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": target})
    return user


User = Annotated[WebUser, Depends(web_user)]
Csrf = Annotated[str, Form()]
"""The form's CSRF token; a post without it is refused with 403 like one with a wrong token."""


def render(
    request: Request,
    name: str,
    user: WebUser | None,
    status_code: int = status.HTTP_200_OK,
    **context: Any,
) -> Response:
    """Give a page from a template, with the words, the user and the messages kept for it."""
    t = labels_of(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    other = LANGUAGES[1 - LANGUAGES.index(t.language)]
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "user": user,
            "csrf": user.session.csrf if user else "",
            "flashes": user.session.take_flashes() if user else [],
            "here": path,
            "other_language": other,
            "can_plan": user is not None and user.may(PLAN),
            **context,
        },
        status_code=status_code,
    )


def _error_page(request: Request, user: WebUser | None, error: HTTPException) -> Response:
    t = labels_of(request)
    detail = str(error.detail)
    if error.status_code == status.HTTP_403_FORBIDDEN and detail == "csrf":
        detail = t("csrf")
    title = {
        status.HTTP_404_NOT_FOUND: t("not_found"),
        status.HTTP_403_FORBIDDEN: t("forbidden"),
    }.get(error.status_code, t("error"))
    return render(request, "error.html", user, error.status_code, title=title, messages=[detail])


class PageRoute(APIRoute):
    """A route of the page: a refusal (403, 404, 409, 422) shows as a page in words, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as error:
                if error.status_code < status.HTTP_400_BAD_REQUEST:
                    raise
                refusal = error
            except ProblemError as error:
                refusal = HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(error.messages)
                )
            except RequestValidationError as error:
                refusal = HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(request_errors(error))
                )
            user = signed_in(request, get_services(request))
            return _error_page(request, user, refusal)

        return handle


def job_progress(found: dict[str, Any]) -> JSONResponse:
    """Give a job's state, whether it still runs, its progress and its error, for a tab's poll."""
    return JSONResponse(
        {
            "state": found["state"],
            "live": found["state"] in LIVE_STATES,
            "progress": found["progress"],
            "error": found["error"],
        }
    )


def see_other(url: str) -> RedirectResponse:
    """Give a redirect (303) to the URL, as a form's answer."""
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def local_url(url: str, default: str = "/") -> str:
    """Give the URL if it stays on this site (a path), else the default."""
    return url if url.startswith("/") and not url.startswith("//") else default


def week_url(problem_id: str, tab: str = "", **query: str | None) -> str:
    """Give the URL of a week's tab with the query's non-empty values."""
    kept = {k: v for k, v in query.items() if v}
    return f"/weeks/{quote(problem_id, safe='')}{'/' + tab if tab else ''}" + (
        f"?{urlencode(kept)}" if kept else ""
    )


def act(user: WebUser, action: Any, **arguments: Any) -> Any:
    """Give what the service's route gave, or None after keeping its refusal as a message."""
    try:
        return action(caller=user.principal, **arguments)
    except HTTPException as error:
        user.session.flash("error", str(error.detail))
    except ProblemError as error:
        for message in error.messages:
            user.session.flash("error", message)
    except (QueueFull, DatabaseBusy) as error:
        user.session.flash("error", str(error))
    return None


Model = TypeVar("Model", bound=BaseModel)


def form_request(user: WebUser, model: type[Model], time_limit: str, **fields: Any) -> Model | None:
    """Give the service's request with the form's time limit, or None after saying what is wrong."""
    if time_limit.strip():
        try:
            fields["time_limit"] = float(time_limit.replace(",", "."))
        except ValueError:
            user.session.flash("error", f"time_limit: '{time_limit}' is not a number of seconds")
            return None
    try:
        return model(**fields)
    except ValidationError as error:
        for message in validation_messages(error):
            user.session.flash("error", message)
        return None
