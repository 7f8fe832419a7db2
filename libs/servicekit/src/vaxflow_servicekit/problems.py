"""RFC 9457 problem details: the one error shape every VaxFlow API answers with.

Domain and handler code raises `ProblemError(409, "The session is full.", slug="session-full")`;
the handlers installed by `create_app` turn it, validation errors, HTTP errors and unexpected
exceptions into `application/problem+json`. Problem types live under `PROBLEM_BASE_URI`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import Scope

from vaxflow_servicekit.context import context_from_scope
from vaxflow_servicekit.logging import get_logger

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE_URI = "https://vaxflow.example/problems/"
_SCHEMA_REF = "#/components/schemas/Problem"
_SLUGS = {413: "content-too-large", 422: "validation-error", 500: "internal-error"}
_TITLES = {413: "Content Too Large", 422: "Request is not valid"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

log = get_logger(__name__)


def problem_type(slug: str) -> str:
    """Return the problem type URI for a slug such as `validation-error`."""
    return PROBLEM_BASE_URI + slug


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def default_title(status: int) -> str:
    """Return the short title used for a status when the raiser gives none."""
    return _TITLES.get(status) or _phrase(status)


def default_slug(status: int) -> str:
    """Return the problem slug used for a status when the raiser gives none."""
    return _SLUGS.get(status) or _phrase(status).lower().replace(" ", "-").replace("'", "")


class FieldError(BaseModel):
    """One invalid input: where it is, which rule it broke, and a message for a human."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "field": "body.phone",
                    "rule": "string_pattern_mismatch",
                    "message": "String should match pattern '^\\+84\\d{9}$'",
                }
            ]
        },
    )

    field: str = Field(description="Dotted path: body.phone, query.page, body.doses.0.lot_id.")
    rule: str = Field(description="Machine-readable rule, e.g. missing, extra_forbidden.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem details object; extension members are allowed."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://vaxflow.example/problems/validation-error",
                    "title": "Request is not valid",
                    "status": 422,
                    "detail": "1 field is not valid.",
                    "instance": "/api/v1/citizens",
                    "request_id": "4f6c1c0e9b8d4c0f8a47c3e1d2b5a690",
                    "errors": [
                        {
                            "field": "body.phone",
                            "rule": "string_pattern_mismatch",
                            "message": "String should match pattern '^\\+84\\d{9}$'",
                        }
                    ],
                }
            ]
        },
    )

    type: str = Field(description="URI naming the kind of problem.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """An error that becomes a problem+json response; raise it from routes or handlers."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        slug: str | None = None,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title or default_title(status))
        self.status = status
        self.detail = detail
        self.title = title or default_title(status)
        self.slug = slug or default_slug(status)
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def to_problem(self, *, instance: str | None = None) -> Problem:
        """Build the problem details for this error."""
        return Problem(
            type=problem_type(self.slug),
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors or None,
            **self.extensions,
        )


def problem_response(
    problem: Problem, *, request_id: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """Render a problem as an `application/problem+json` response."""
    body = problem.model_dump(mode="json", exclude_none=True)
    if request_id is not None:
        body.setdefault("request_id", request_id)
    return JSONResponse(
        body, status_code=problem.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def internal_error() -> ProblemError:
    """The problem answered for an unexpected exception: it says nothing about the internals."""
    return ProblemError(
        500, "An unexpected error occurred; quote the request id when reporting it."
    )


def respond_to(scope: Scope, error: ProblemError) -> JSONResponse:
    """The problem response to the request in `scope`, naming its path and request id."""
    context = context_from_scope(scope)
    path = scope.get("path")
    return problem_response(
        error.to_problem(instance=path if isinstance(path, str) else None),
        request_id=context.request_id if context else None,
        headers=error.headers,
    )


def _respond(request: Request, error: ProblemError) -> JSONResponse:
    return respond_to(request.scope, error)


def _field_error(error: Mapping[str, Any]) -> FieldError:
    rule = str(error.get("type", "invalid"))
    if rule == "json_invalid":
        return FieldError(field="body", rule=rule, message="Body is not valid JSON")
    field = ".".join(str(part) for part in error.get("loc", ())) or "request"
    message = str(error.get("msg", "Invalid value")).removeprefix("Value error, ")
    return FieldError(field=field, rule=rule, message=message)


def field_errors(errors: Iterable[Any]) -> list[FieldError]:
    """Translate pydantic/FastAPI error dicts into field errors; input values are never echoed."""
    return [_field_error(error) for error in errors if isinstance(error, Mapping)]


def validation_problem(errors: Sequence[FieldError]) -> ProblemError:
    """The 422 problem for a list of invalid fields."""
    count = len(errors)
    detail = f"{count} field is not valid." if count == 1 else f"{count} fields are not valid."
    return ProblemError(422, detail, errors=errors)


async def _on_problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return _respond(request, exc)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _respond(request, validation_problem(field_errors(exc.errors())))


# FastAPI's 400 for a body it cannot even decode (bytes that are not UTF-8).
_UNDECODABLE_BODY = "There was an error parsing the body"


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _UNDECODABLE_BODY:
        # The same 422 as a body that is not JSON, as every operation with a body documents.
        invalid = FieldError(field="body", rule="json_invalid", message="Body is not valid JSON")
        return _respond(request, validation_problem([invalid]))
    phrase = _phrase(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    error = ProblemError(exc.status_code, detail, headers=exc.headers)
    return _respond(request, error)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Reached only if an exception escapes the request-context middleware, which normally
    # answers the 500 itself so the response still carries the request id.
    log.error("unhandled_error", exc_info=exc, path=request.url.path)
    return _respond(request, internal_error())


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of the app as problem+json."""
    app.add_exception_handler(ProblemError, _on_problem_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)


def _problem_doc(status: int) -> dict[str, Any]:
    return {
        "description": default_title(status),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _SCHEMA_REF}}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries documenting these error statuses as problem+json."""
    return {status: _problem_doc(status) for status in statuses}


def _implied_statuses(operation: Mapping[str, Any]) -> list[int]:
    statuses = [500, 503]  # 503: a dependency is down (see vaxflow_servicekit.unavailable)
    if "requestBody" in operation:
        statuses += [413, 422]
    if operation.get("security"):
        statuses.append(401)
    return statuses


def _document_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "422" in responses:
        # FastAPI documents its own validation error shape; ours is a Problem.
        responses["422"] = _problem_doc(422)
    for status in _implied_statuses(operation):
        responses.setdefault(str(status), _problem_doc(status))


def _drop_unreferenced(openapi: dict[str, Any], names: Sequence[str]) -> None:
    schemas: dict[str, Any] = openapi["components"]["schemas"]
    for name in names:
        if f'"#/components/schemas/{name}"' not in json.dumps(openapi):
            schemas.pop(name, None)


def document_problems(openapi: dict[str, Any]) -> dict[str, Any]:
    """Make an OpenAPI document describe every operation's errors as problem+json."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["Problem"] = schema
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                _document_operation(operation)
    _drop_unreferenced(openapi, _FASTAPI_VALIDATION_SCHEMAS)
    return openapi
