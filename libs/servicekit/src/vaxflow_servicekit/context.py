"""The ids that follow one HTTP request: set by the request-context middleware, read by routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

SCOPE_KEY = "vaxflow.request_context"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The request id (unique per request) and correlation id (per user action, across services)."""

    request_id: str
    correlation_id: str


def context_from_scope(scope: Any) -> RequestContext | None:
    """Return the request context stored in an ASGI scope, if the middleware ran."""
    context = scope.get(SCOPE_KEY) if isinstance(scope, dict) else None
    return context if isinstance(context, RequestContext) else None


def request_context(request: Request) -> RequestContext:
    """FastAPI dependency: the current request's ids."""
    context = context_from_scope(request.scope)
    if context is None:
        raise RuntimeError("request context missing: build the app with create_app")
    return context


def request_id(request: Request) -> str:
    """FastAPI dependency: the current request id."""
    return request_context(request).request_id


def correlation_id(request: Request) -> str:
    """FastAPI dependency: the correlation id to put on the events this request causes."""
    return request_context(request).correlation_id


RequestContextDep = Annotated[RequestContext, Depends(request_context)]
RequestIdDep = Annotated[str, Depends(request_id)]
CorrelationIdDep = Annotated[str, Depends(correlation_id)]
