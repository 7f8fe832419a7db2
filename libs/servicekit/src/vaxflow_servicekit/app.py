"""The app factory: every service's HTTP defaults in one call.

A service's composition root reads:

    def build_app(settings: InjectionSettings) -> FastAPI:
        return create_app(
            settings,
            title="VaxFlow injection",
            version=__version__,
            routers=[api.router],
            lifespan=[resources(settings)],  # opens clients, registers readiness probes
        )

and gets /healthz, /readyz, /metrics, /openapi.json, request ids, problem+json errors, the body
limit, HTTP metrics by route template and token verification. Call `configure_logging` once in
the process entry point, before building the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from vaxflow_servicekit.auth import TokenVerifier
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.middleware import BodyLimitMiddleware, RequestContextMiddleware
from vaxflow_servicekit.problems import ProblemError, document_problems, install_problem_handlers
from vaxflow_servicekit.readiness import Readiness, ReadinessCheck, readiness_of
from vaxflow_servicekit.settings import ServiceSettings

LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]
"""An async context manager factory run at start-up (entered in order, exited in reverse)."""

log = get_logger(__name__)

ops_router = APIRouter(include_in_schema=False)


@ops_router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive and serving HTTP."""
    return {"status": "ok"}


@ops_router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Every registered probe answered: 200 with each check, else 503 naming the failing ones."""
    report = await readiness_of(request.app).run()
    if not report.ready:
        raise ProblemError(
            503,
            "Not ready: " + ", ".join(report.failing) + ".",
            title="Service not ready",
            slug="not-ready",
            extensions={"failing": report.failing, "checks": report.checks_json()},
        )
    return JSONResponse({"status": "ready", "checks": report.checks_json()})


@ops_router.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition of the process's default registry."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class ServiceApp(FastAPI):
    """A FastAPI app whose OpenAPI document describes every error as problem+json."""

    def openapi(self) -> dict[str, Any]:
        """Build (once) the OpenAPI document, errors included."""
        if not self.openapi_schema:
            self.openapi_schema = document_problems(super().openapi())
        return self.openapi_schema


def _lifespan(hooks: Sequence[LifespanHook]) -> LifespanHook:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(app.state.token_verifier.aclose)
            for hook in hooks:
                await stack.enter_async_context(hook(app))
            log.info("service_started", title=app.title, version=app.version)
            yield
            log.info("service_stopping")

    return lifespan


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    version: str,
    routers: Sequence[APIRouter] = (),
    lifespan: Sequence[LifespanHook] = (),
    checks: Sequence[ReadinessCheck] = (),
    verifier: TokenVerifier | None = None,
    description: str = "",
) -> FastAPI:
    """Build a service's FastAPI app with the shared defaults; see the module docstring."""
    app = ServiceApp(
        title=title,
        version=version,
        description=description,
        lifespan=_lifespan(lifespan),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.readiness = Readiness({check.name: check for check in checks})
    app.state.token_verifier = verifier or TokenVerifier.from_settings(settings.auth)
    install_problem_handlers(app)
    app.include_router(ops_router)
    for router in routers:
        app.include_router(router)
    # Added last, so outermost: the request-context layer sees every response, 413s included.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    return app
