"""Composition root and process entry: `python -m vaxflow_scheduling.main --role all`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import FastAPI

from vaxflow_scheduling import __version__, api
from vaxflow_scheduling.consumers import ReadTopics, reactions_consumers, relays
from vaxflow_scheduling.handlers.components import Components, Topics
from vaxflow_scheduling.handlers.invitations import fill_from_waitlist
from vaxflow_scheduling.settings import SchedulingSettings
from vaxflow_scheduling.store import INDEXES
from vaxflow_scheduling.workers import (
    AvailabilityRefresher,
    queue_metrics_exporter,
    reminder_announcer,
    stock_entry_sweeper,
)
from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.auth import TokenVerifier
from vaxflow_servicekit.outbox import Wakeup
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

DESCRIPTION = """Sites, sessions and capacity, appointments, check-in and queues, availability,
and the vaccine stock ledger.

Citizens book for the people of their own phone account (role `citizen`); site staff act at
their site, district admins within their district, admins everywhere. A slot is never booked
beyond its capacity. Errors are RFC 9457 problem+json; collections are paginated with `cursor`
and `limit`. The CoWIN-compatible public availability lives under `/api/v2`."""


def _components(
    infra: Infrastructure, settings: SchedulingSettings, topics: Topics, wakeup: Wakeup
) -> Components:
    return Components.on(
        infra.db,
        infra.redis,
        settings,
        topics=topics,
        events_written=wakeup.notify,
        place_freed=fill_from_waitlist,
    )


def _components_hook(
    settings: SchedulingSettings, topics: Topics, wakeup: Wakeup
) -> Callable[[FastAPI], Any]:
    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        app.state.components = _components(app.state.infra, settings, topics, wakeup)
        yield

    return hook


def _worker_factory(
    settings: SchedulingSettings, topics: Topics, reads: ReadTopics, wakeup: Wakeup
) -> Callable[[Infrastructure], Sequence[Worker]]:
    def factory(infra: Infrastructure) -> Sequence[Worker]:
        outbox = relays(infra)
        for relay in outbox:
            wakeup.connect(relay.notify)
        c = _components(infra, settings, topics, wakeup)
        return [
            *outbox,
            *reactions_consumers(c, infra, reads),
            AvailabilityRefresher(c),
            stock_entry_sweeper(c),
            queue_metrics_exporter(c),
            reminder_announcer(c),
        ]

    return factory


def build_app(
    settings: SchedulingSettings,
    role: Role = "all",
    *,
    topics: Topics | None = None,
    reads: ReadTopics | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """The scheduling service for a role: its API, its workers, or both."""
    topics, reads, wakeup = topics or Topics(), reads or ReadTopics(), Wakeup()
    return create_app(
        settings,
        title="VaxFlow scheduling",
        version=__version__,
        description=DESCRIPTION,
        routers=for_role(role, api=api.ROUTERS, worker=[]),
        lifespan=[
            infrastructure(settings, Needs(mongo=True, kafka=True, redis=True, indexes=INDEXES)),
            _components_hook(settings, topics, wakeup),
            *for_role(
                role, api=[], worker=[workers(_worker_factory(settings, topics, reads, wakeup))]
            ),
        ],
        verifier=verifier,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service with settings from the environment."""
    settings = SchedulingSettings()
    run_service(settings, lambda _, role: build_app(settings, role), argv)


if __name__ == "__main__":
    main()
