"""The one error body of the service: ``{"detail": "<text>", "errors": ["<line>", ...]}``.

Every 4xx answer has this shape: the service's own refusals, FastAPI's
request validation, unknown routes and methods. ``install`` puts the handlers
on an app and makes its OpenAPI document say so for every operation and every
4xx it can answer, so that a client generated from the document reads them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from scheduler.domain import ProblemError, field_name


class ErrorBody(BaseModel):
    """A refusal: what is wrong in words, and one line per fault (``field: what is wrong``)."""

    detail: str = Field(description="what is wrong, in one text (the lines joined by '; ')")
    errors: list[str] = Field(description="one line per fault, naming the field and the culprit")


class Refusal(ErrorBody):
    """A refused allocation (409): every reason that applies and alternatives that fit now."""

    reasons: list[str] = Field(description="machine reasons, e.g. capacity:family_room")
    alternatives: list[dict[str, Any]] = Field(
        description="up to three assignments that pass every check at this moment"
    )


ERROR_REF = "#/components/schemas/ErrorBody"
REFUSAL_REF = "#/components/schemas/Refusal"
SECURED = {
    401: "no valid API key",
    403: "outside the key's role or institutions",
    429: "too many failed key attempts from this address: wait Retry-After seconds",
}
INVALID = "bad input: each line names the field and the culprit"
NOT_FOUND = "no such object"
UNREADABLE = "the body cannot be read as JSON"
SPARE_SCHEMAS = ("HTTPValidationError", "ValidationError")


def body(detail: str, errors: list[str] | None = None) -> dict[str, Any]:
    """Give the error body of a refusal (its lines, or the detail as its one line)."""
    lines = errors if errors is not None else [detail]
    return ErrorBody(detail=detail, errors=lines).model_dump()


def _lines(errors: list[str]) -> dict[str, Any]:
    return body("; ".join(errors), errors)


def request_errors(error: RequestValidationError) -> list[str]:
    """Give one ``field: what is wrong`` line per fault of a request (``path.problem_id: ...``)."""
    return [
        f"{field_name(tuple(item['loc']))}: {str(item['msg']).removeprefix('Value error, ')}"
        for item in error.errors()
    ]


async def _request_invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content=_lines(request_errors(error))
    )


async def _problem_invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content=_lines(error.messages)
    )


async def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code < status.HTTP_400_BAD_REQUEST:
        return await http_exception_handler(request, error)
    return JSONResponse(
        status_code=error.status_code, content=body(str(error.detail)), headers=error.headers
    )


def _error_content(ref: str, example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"$ref": ref}}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def _document(operation: dict[str, Any], secured: bool) -> None:
    """Give every refusal of one operation the error body, adding those it can always answer."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    codes: dict[int, str] = dict(SECURED) if secured else {}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes[422] = INVALID
    if "requestBody" in operation:
        codes[400] = UNREADABLE
    if any(p.get("in") == "path" for p in parameters):
        codes[404] = NOT_FOUND
    for code, description in codes.items():
        responses.setdefault(str(code), {"description": description})
    for status_code, response in responses.items():
        if not status_code.isdigit() or int(status_code) < 400:
            continue
        content = response.get("content", {}).get("application/json", {})
        ref = content.get("schema", {}).get("$ref")
        response["content"] = _error_content(
            REFUSAL_REF if ref == REFUSAL_REF else ERROR_REF, content.get("example")
        )
        if response.get("description") == "Validation Error":
            response["description"] = INVALID


def document(app: FastAPI) -> dict[str, Any]:
    """Give the app's OpenAPI document, every 4xx and 5xx answer in it given the one error body."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in SPARE_SCHEMAS:
        components.pop(name, None)
    for model in (ErrorBody, Refusal):
        components[model.__name__] = model.model_json_schema()
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            _document(operation, secured=bool(operation.get("security")))
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    """Make every 4xx of the app answer the one error body, and its OpenAPI document say so."""
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(ProblemError, _problem_invalid)
    app.add_exception_handler(HTTPException, _refused)
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
