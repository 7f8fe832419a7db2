"""Composition root and process entry: `python -m vaxflow_registration.main --role all`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import FastAPI

from vaxflow_registration import __version__, api
from vaxflow_registration.consumers import (
    Topics,
    audit_consumer,
    citizen_relay,
    health_book_consumer,
    reminder_consumer,
)
from vaxflow_registration.handlers.components import Components
from vaxflow_registration.handlers.imports import ImportRunner
from vaxflow_registration.settings import RegistrationSettings
from vaxflow_registration.store import INDEXES
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

DESCRIPTION = """Citizens, organisation bulk imports and the citizen's health book.

Citizens register with a phone account token (role `citizen`, `sub` = the phone account);
staff look citizens up within their scope, every read audited; district admins and admins
import CSV files. National IDs are stored as a blind index and a ciphertext, shown masked
except to the citizen's own phone account, and never published. Errors are RFC 9457
problem+json; collections are paginated with `cursor` and `limit`."""


def _components_hook(
    settings: RegistrationSettings, topics: Topics, wakeup: Wakeup
) -> Callable[[FastAPI], Any]:
    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        infra: Infrastructure = app.state.infra
        c = Components.on(
            infra.db, settings, citizen_topic=topics.citizen, events_written=wakeup.notify
        )
        runner = ImportRunner(c)
        app.state.components, app.state.import_runner = c, runner
        try:
            yield
        finally:
            await runner.aclose()

    return hook


def _worker_factory(
    settings: RegistrationSettings, topics: Topics, wakeup: Wakeup
) -> Callable[[Infrastructure], Sequence[Worker]]:
    def factory(infra: Infrastructure) -> Sequence[Worker]:
        relay = citizen_relay(infra)
        wakeup.connect(relay.notify)
        c = Components.on(infra.db, settings, citizen_topic=topics.citizen)
        return [
            relay,
            health_book_consumer(c, infra, topics),
            audit_consumer(c, infra, topics),
            reminder_consumer(c, infra, topics),
        ]

    return factory


def build_app(
    settings: RegistrationSettings,
    role: Role = "all",
    *,
    topics: Topics | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """The registration service for a role: its API, its workers, or both."""
    topics = topics or Topics()
    wakeup = Wakeup()
    return create_app(
        settings,
        title="VaxFlow registration",
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


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service with settings from the environment."""
    settings = RegistrationSettings()
    run_service(settings, lambda _, role: build_app(settings, role), argv)


if __name__ == "__main__":
    main()
