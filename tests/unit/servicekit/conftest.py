"""A small sample service built with the kit's app factory, and a client to call it in memory."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
import pytest
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field

from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.auth import CurrentPrincipal, Principal, require_roles
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.context import RequestContextDep
from vaxflow_servicekit.logging import configure_logging
from vaxflow_servicekit.models import IsoDate, StrictModel, examples
from vaxflow_servicekit.problems import ProblemError, problem_responses
from vaxflow_servicekit.settings import ServiceSettings

SERVICE = "kit-under-test"
MAX_BODY_BYTES = 2048
INTERNAL_SECRET = "mongodb://vaxflow:s3cr3t@db.internal:27017"


class CitizenCreate(StrictModel):
    model_config = examples(
        {"full_name": "Nguyễn Văn An", "phone": "+84912345678", "date_of_birth": "1990-04-30"}
    )

    full_name: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+84\d{9}$")
    date_of_birth: IsoDate
    dose_count: int = 0


class CitizenRead(BaseModel):
    model_config = examples({"citizen_id": "c-0001", "request_id": "4f6c1c0e9b8d4c0f8a47c3e1"})

    citizen_id: str
    request_id: str


SiteStaff = Annotated[Principal, Depends(require_roles("vaccinator", "site_manager"))]
citizens = APIRouter()


@citizens.post("", status_code=201, responses=problem_responses(409))
async def register(body: CitizenCreate, context: RequestContextDep) -> CitizenRead:
    if body.full_name == "Already Registered":
        raise ProblemError(409, "This citizen is already registered.", slug="citizen-exists")
    return CitizenRead(citizen_id="c-0001", request_id=context.request_id)


@citizens.get("/{citizen_id}")
async def read_citizen(citizen_id: str, context: RequestContextDep) -> CitizenRead:
    return CitizenRead(citizen_id=citizen_id, request_id=context.request_id)


misc = APIRouter()


@misc.get("/boom")
async def boom() -> None:
    raise RuntimeError(INTERNAL_SECRET)


@misc.post("/uploads")
async def upload(request: Request) -> dict[str, int]:
    return {"received": len(await request.body())}


@misc.get("/me")
async def me(principal: CurrentPrincipal) -> dict[str, str]:
    return {"subject": principal.subject, "role": principal.role}


@misc.get("/sites/{site_id}/queue", responses=problem_responses(403))
async def site_queue(site_id: str, staff: SiteStaff) -> dict[str, str]:
    if not staff.covers_site(site_id):
        raise ProblemError(403, "This site is outside your scope.", slug="out-of-scope")
    return {"site_id": site_id}


# Nested inclusion with prefixes, as services will do: metrics must still see full templates.
router = APIRouter(prefix="/api")
router.include_router(citizens, prefix="/v1/citizens")
router.include_router(misc, prefix="/v1")


@pytest.fixture
def settings() -> ServiceSettings:
    return ServiceSettings(service_name=SERVICE, environment="test", max_body_bytes=MAX_BODY_BYTES)


@pytest.fixture
def issuer(settings: ServiceSettings) -> LocalTokenIssuer:
    return LocalTokenIssuer(settings.auth)


@pytest.fixture
def app(settings: ServiceSettings, issuer: LocalTokenIssuer) -> FastAPI:
    return create_app(
        settings, title="Kit test", version="0.0.1", routers=[router], verifier=issuer.verifier()
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
        yield client


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Route the kit's JSON logs into a buffer for the test, then restore logging as it was."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging(SERVICE, "info", stream=stream)
    yield stream
    root.handlers, root.level = handlers, level
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
