"""Composition root and process entry: `python -m vaxflow_monitoring.main --role all`.

One process (or one per role) holds both parts of monitoring: the core (AEFI cases, lot
signals and suspensions) and the live picture (`vaxflow_monitoring.live`), built once per app.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from vaxflow_monitoring import __version__, api
from vaxflow_monitoring.consumers import Topics, core_consumer, relays, signal_consumer
from vaxflow_monitoring.domain.errors import NotFound, Refused
from vaxflow_monitoring.handlers.components import Components
from vaxflow_monitoring.live import LivePicture, build_live
from vaxflow_monitoring.presenters import problem_of
from vaxflow_monitoring.settings import MonitoringSettings
from vaxflow_monitoring.store import INDEXES
from vaxflow_monitoring.workers import GaugeRefresher
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

DESCRIPTION = """Adverse events following immunization (AEFI), lot signals and suspensions, and
the response centre's live picture.

Citizens report adverse events after their own doses, staff after doses in their scope;
serious reactions seen at the site (ObservationCompleted) open cases too. MCC operators move
cases through investigation, WHO causality classification and closure. Serious cases are
checked per lot against signal rules held as data; a crossing raises LotSignalRaised. MCC
operators suspend and release lots (LotSuspended, LotReleased), which scheduling and injection
obey. Every write and its events are one document write, delivered by the outbox. Errors are
RFC 9457 problem+json naming each rule broken; collections are paginated with `cursor` and
`limit`."""


def _components_hook(
    settings: MonitoringSettings, topics: Topics, wakeup: Wakeup
) -> Callable[[FastAPI], Any]:
    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        infra: Infrastructure = app.state.infra
        app.state.components = Components.on(
            infra.db,
            settings,
            aefi_topic=topics.aefi,
            lot_topic=topics.lot,
            events_written=wakeup.notify,
        )
        yield

    return hook


def _worker_factory(
    settings: MonitoringSettings, topics: Topics, wakeup: Wakeup, live: LivePicture
) -> Callable[[Infrastructure], Sequence[Worker]]:
    def factory(infra: Infrastructure) -> Sequence[Worker]:
        running = relays(infra)
        for relay in running:
            wakeup.connect(relay.notify)
        c = Components.on(infra.db, settings, aefi_topic=topics.aefi, lot_topic=topics.lot)
        return [
            *running,
            core_consumer(c, infra, topics),
            signal_consumer(c, infra, topics),
            GaugeRefresher(c),
            *live.workers(infra),
        ]

    return factory


async def _on_refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return respond_to(request.scope, problem_of(exc))


async def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    what = exc.what if isinstance(exc, NotFound) else "AEFI case"
    detail = "No such lot is known to monitoring." if what == "lot" else f"No such {what} for you."
    return respond_to(request.scope, ProblemError(404, detail, slug="not-found"))


def build_app(
    settings: MonitoringSettings,
    role: Role = "all",
    *,
    topics: Topics | None = None,
    verifier: TokenVerifier | None = None,
    live: LivePicture | None = None,
) -> FastAPI:
    """The monitoring service for a role: its API, its workers, or both.

    `live` replaces the live picture (tests of the core pass an empty `LivePicture`).
    """
    topics = topics or Topics()
    wakeup = Wakeup()
    live = live or build_live(settings)
    app = create_app(
        settings,
        title="VaxFlow monitoring",
        version=__version__,
        description=DESCRIPTION,
        routers=for_role(role, api=[api.router, *live.routers], worker=[]),
        lifespan=[
            # Redis too: the live picture may fan its stream out through it (infra.redis).
            infrastructure(settings, Needs(mongo=True, kafka=True, redis=True, indexes=INDEXES)),
            _components_hook(settings, topics, wakeup),
            *for_role(
                role,
                api=list(live.lifespans),
                worker=[workers(_worker_factory(settings, topics, wakeup, live))],
            ),
        ],
        verifier=verifier,
    )
    app.add_exception_handler(Refused, _on_refused)
    app.add_exception_handler(NotFound, _on_not_found)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service with settings from the environment."""
    settings = MonitoringSettings()
    run_service(settings, lambda _, role: build_app(settings, role), argv)


if __name__ == "__main__":
    main()
