"""Composition root and process entry: `python -m vaxflow_certificate.main --role all`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from vaxflow_certificate import __version__, api
from vaxflow_certificate.consumers import (
    Topics,
    certificate_relay,
    dose_consumer,
    holder_consumer,
    staff_read_relay,
)
from vaxflow_certificate.handlers.components import Components
from vaxflow_certificate.settings import CertificateSettings
from vaxflow_certificate.store import INDEXES, FileKeyStore, KeyRing, RedisDownloadCounter
from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.auth import TokenVerifier
from vaxflow_servicekit.logging import get_logger
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

log = get_logger(__name__)

DESCRIPTION = """EU DCC-format vaccination certificates, issued from the dose stream.

Each dose has exactly one current certificate (a correction revokes and reissues it). Citizens
read their own (`sub` = their phone account); staff read those of doses in their scope. The
QR code and a bilingual PDF are rendered on request. Anyone may verify a certificate and read
the trust list and the revocation list. Errors are RFC 9457 problem+json; collections are
paginated with `cursor` and `limit`."""


class KeysMissing(RuntimeError):
    """The service has no document signer to sign with."""


def load_keys(settings: CertificateSettings, now: datetime | None = None) -> KeyRing:
    """Read the signing keys; in development, create a chain when the directory has none."""
    passphrase = settings.key_passphrase
    store = FileKeyStore(
        settings.key_dir, passphrase.get_secret_value().encode() if passphrase else None
    )
    if store.is_empty() and settings.creates_development_keys:
        store.create_development_chain(now or datetime.now(UTC), settings.issuer_country)
        log.info("development_signing_chain_created", directory=str(settings.key_dir))
    keys = store.load()
    if not keys.signers:
        raise KeysMissing(f"no document signer with its key in {settings.key_dir}")
    return keys


def _components_hook(
    settings: CertificateSettings, keys: KeyRing, topics: Topics
) -> Callable[[FastAPI], Any]:
    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        infra: Infrastructure = app.state.infra
        downloads = RedisDownloadCounter(infra.redis) if infra.redis is not None else None
        app.state.components = Components.on(
            infra.db, settings, keys, downloads=downloads, staff_read_topic=topics.staff_read
        )
        yield

    return hook


def _worker_factory(
    settings: CertificateSettings, keys: KeyRing, topics: Topics
) -> Callable[[Infrastructure], Sequence[Worker]]:
    def factory(infra: Infrastructure) -> Sequence[Worker]:
        relay, reads_relay = certificate_relay(infra), staff_read_relay(infra)
        wakeup = Wakeup()
        wakeup.connect(relay.notify)
        wakeup.connect(reads_relay.notify)
        c = Components.on(
            infra.db,
            settings,
            keys,
            certificate_topic=topics.certificate,
            staff_read_topic=topics.staff_read,
            events_written=wakeup.notify,
        )
        return [
            relay,
            reads_relay,
            dose_consumer(c, infra, topics),
            holder_consumer(c, infra, topics),
        ]

    return factory


def build_app(
    settings: CertificateSettings,
    role: Role = "all",
    *,
    topics: Topics | None = None,
    verifier: TokenVerifier | None = None,
    keys: KeyRing | None = None,
) -> FastAPI:
    """The certificate service for a role: its API, its workers, or both."""
    topics = topics or Topics()
    keys = keys or load_keys(settings)
    return create_app(
        settings,
        title="VaxFlow certificate",
        version=__version__,
        description=DESCRIPTION,
        routers=for_role(role, api=[api.router], worker=[]),
        lifespan=[
            infrastructure(settings, Needs(mongo=True, kafka=True, redis=True, indexes=INDEXES)),
            _components_hook(settings, keys, topics),
            *for_role(role, api=[], worker=[workers(_worker_factory(settings, keys, topics))]),
        ],
        verifier=verifier,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service with settings from the environment."""
    settings = CertificateSettings()
    run_service(settings, lambda _, role: build_app(settings, role), argv)


if __name__ == "__main__":
    main()
