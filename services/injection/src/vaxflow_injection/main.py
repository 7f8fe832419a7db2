"""Composition root and process entry: `python -m vaxflow_injection.main --role all`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from vaxflow_injection import __version__, api
from vaxflow_injection.consumers import Topics, read_model_consumer, relays
from vaxflow_injection.domain.errors import NotFound, Refused
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.presenters import problem_of
from vaxflow_injection.settings import InjectionSettings
from vaxflow_injection.store import INDEXES
from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.auth import TokenVerifier
from vaxflow_servicekit.outbox import Wakeup
from vaxflow_servicekit.problems import ProblemError, respond_to
from vaxflow_servicekit.runtime import (
    Infrastructure,
    Needs,
    Role,
    Worker,
    for_role,
    infrastructure,
    run_service,
    workers,
)

DESCRIPTION = """Screenings, dose records, post-vaccination observations and corrections.

Site staff (vaccinator, site manager) screen citizens and record doses at their own site, at
the moment of the injection or by uploading offline captures; site managers and district
admins correct and void records with a reason. Every write and its event (ScreeningRecorded,
DoseAdministered, ObservationCompleted, DoseCorrected, DoseVoided on `injection.dose.v1`) are
one document write, delivered by the outbox. Errors are RFC 9457 problem+json naming each rule
broken; collections are paginated with `cursor` and `limit`."""


def _components_hook(
    settings: InjectionSettings, topics: Topics, wakeup: Wakeup
) -> Callable[[FastAPI], Any]:
    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        infra: Infrastructure = app.state.infra
        app.state.components = Components.on(
            infra.db, settings, dose_topic=topics.dose, events_written=wakeup.notify
        )
        yield

    return hook


def _worker_factory(
    settings: InjectionSettings, topics: Topics, wakeup: Wakeup
) -> Callable[[Infrastructure], Sequence[Worker]]:
    def factory(infra: Infrastructure) -> Sequence[Worker]:
        running = relays(infra)
        for relay in running:
            wakeup.connect(relay.notify)
        c = Components.on(infra.db, settings, dose_topic=topics.dose)
        return [*running, read_model_consumer(c, infra, topics)]

    return factory


async def _on_refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return respond_to(request.scope, problem_of(exc))


async def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    error = ProblemError(404, "No such dose or citizen for you.", slug="not-found")
    return respond_to(request.scope, error)


def build_app(
    settings: InjectionSettings,
    role: Role = "all",
    *,
    topics: Topics | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """The injection service for a role: its API, its workers, or both."""
    topics = topics or Topics()
    wakeup = Wakeup()
    app = create_app(
        settings,
        title="VaxFlow injection",
        version=__version__,
        description=DESCRIPTION,
        routers=for_role(role, api=[api.router], worker=[]),
        lifespan=[
            infrastructure(settings, Needs(mongo=True, kafka=True, indexes=INDEXES)),
            _components_hook(settings, topics, wakeup),
            *for_role(role, api=[], worker=[workers(_worker_factory(settings, topics, wakeup))]),
        ],
        verifier=verifier,
    )
    app.add_exception_handler(Refused, _on_refused)
    app.add_exception_handler(NotFound, _on_not_found)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service with settings from the environment."""
    settings = InjectionSettings()
    run_service(settings, lambda _, role: build_app(settings, role), argv)


if __name__ == "__main__":
    main()
