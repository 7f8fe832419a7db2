"""Pure ASGI middleware (no BaseHTTPMiddleware: it buffers and costs a task per request).

`RequestContextMiddleware` is the outermost layer: it gives each request its ids, binds them to
the logs, echoes them on the response, counts the request by route template, and answers a
500 problem itself when an exception escapes, so even that response carries the request id
(a 503 naming the dependency when the error says the database, Redis or Kafka is down).
`BodyLimitMiddleware` refuses bodies over the limit with a 413 problem.
"""

from __future__ import annotations

import re
import time
import uuid

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vaxflow_servicekit.context import SCOPE_KEY, RequestContext
from vaxflow_servicekit.logging import get_logger, log_context
from vaxflow_servicekit.metrics import HTTP_LATENCY, HTTP_REQUESTS
from vaxflow_servicekit.problems import ProblemError, internal_error, respond_to
from vaxflow_servicekit.unavailable import unavailable_problem

REQUEST_ID_HEADER = "x-request-id"
CORRELATION_ID_HEADER = "x-correlation-id"
UNMATCHED_ROUTE = "unmatched"
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# Methods outside this set are counted as OTHER so a client cannot grow the label set.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

log = get_logger(__name__)


def _id_or_none(value: str | None) -> str | None:
    return value if value is not None and _WELL_FORMED_ID.fullmatch(value) else None


def context_from_headers(headers: Headers) -> RequestContext:
    """Take well-formed incoming ids, else generate; correlation defaults to the request id."""
    request_id = _id_or_none(headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
    correlation_id = _id_or_none(headers.get(CORRELATION_ID_HEADER)) or request_id
    return RequestContext(request_id=request_id, correlation_id=correlation_id)


class RouteTemplates:
    """Finds the full path template (never the raw path) of the route that answered a request.

    FastAPI puts the matched route in the scope, but a route from an included router keeps the
    path it was declared with, without the prefixes it was included under; plain routes such as
    /openapi.json leave only their endpoint. So the templates are read once from the app's
    route contexts, keyed by route object and endpoint.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, str] = {}

    def template(self, scope: Scope) -> str:
        """The template of the route that answered, or `unmatched`."""
        target = scope.get("route") or scope.get("endpoint")
        if target is None:
            return UNMATCHED_ROUTE
        if id(target) not in self._by_id:
            self._index(scope.get("app"))
            # Remember misses too (e.g. routes of a mounted app), so they are not re-indexed.
            self._by_id.setdefault(id(target), getattr(target, "path_format", UNMATCHED_ROUTE))
        return self._by_id[id(target)]

    def _index(self, app: object) -> None:
        for context in iter_route_contexts(getattr(app, "routes", [])):
            if context.path_format is None:
                continue
            route = context.original_route
            self._by_id.setdefault(id(route), context.path_format)
            if not isinstance(route, APIRoute) and hasattr(route, "endpoint"):
                self._by_id.setdefault(id(route.endpoint), context.path_format)


def _method_label(scope: Scope) -> str:
    method = str(scope.get("method", "")).upper()
    return method if method in _KNOWN_METHODS else "OTHER"


class _Exchange:
    """Wraps `send`: remembers the status and stamps the ids on the response headers."""

    def __init__(self, send: Send, context: RequestContext) -> None:
        self._send = send
        self._context = context
        self.status = 500
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = int(message["status"])
            headers = MutableHeaders(raw=list(message.get("headers", [])))
            headers[REQUEST_ID_HEADER] = self._context.request_id
            headers[CORRELATION_ID_HEADER] = self._context.correlation_id
            message["headers"] = headers.raw
        await self._send(message)


class RequestContextMiddleware:
    """Request ids, log context, HTTP metrics by route template, and the last-resort 500."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self.routes = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = context_from_headers(Headers(scope=scope))
        scope[SCOPE_KEY] = context
        exchange = _Exchange(send, context)
        started = time.perf_counter()
        with log_context(request_id=context.request_id, correlation_id=context.correlation_id):
            try:
                await self.app(scope, receive, exchange.send)
            except Exception as exc:
                error = _problem_for(exc, scope)
                if exchange.started:
                    raise  # too late for a problem response; the server drops the connection
                await respond_to(scope, error)(scope, receive, exchange.send)
            finally:
                self._observe(scope, exchange.status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, elapsed_s: float) -> None:
        route, method = self.routes.template(scope), _method_label(scope)
        HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
        HTTP_LATENCY.labels(self.service, method, route).observe(elapsed_s)
        if route not in _QUIET_ROUTES:
            log.info(
                "http_request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(elapsed_s * 1000, 2),
            )


def _problem_for(exc: Exception, scope: Scope) -> ProblemError:
    """A 503 naming the dependency that is down (logged without a trace), else the 500."""
    unavailable = unavailable_problem(exc)
    if unavailable is not None:
        dependency = unavailable.extensions["dependency"]
        log.warning("dependency_unavailable", dependency=dependency, error=type(exc).__name__)
        return unavailable
    log.error("unhandled_error", path=scope.get("path"), exc_info=exc)
    return internal_error()


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit; FastAPI re-raises it as is."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than {max_bytes} bytes.")


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _limited(receive: Receive, max_bytes: int) -> Receive:
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise BodyTooLarge(max_bytes)
        return message

    return receive_within_limit


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes`: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _limited(receive, self.max_bytes), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = ProblemError(413, BodyTooLarge(self.max_bytes).detail)
        await respond_to(scope, error)(scope, receive, send)
