"""Identity's composition root and process entry: `python -m vaxflow_identity.main --role all`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from vaxflow_identity import __version__, api
from vaxflow_identity.domain.keys import KeySealer
from vaxflow_identity.domain.limits import LimitExceeded
from vaxflow_identity.handlers.context import Identity, utc_now
from vaxflow_identity.handlers.keyring import KeyRingCache
from vaxflow_identity.settings import IdentitySettings
from vaxflow_identity.store import (
    INDEXES,
    MongoAccountStore,
    MongoAuditLog,
    MongoKeyStore,
    MongoSessionStore,
    MongoStaffStore,
    RedisGuard,
)
from vaxflow_identity.workers import KeyRotationWorker
from vaxflow_servicekit.app import LifespanHook, create_app
from vaxflow_servicekit.auth import JwksCache, TokenVerifier
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
from vaxflow_servicekit.settings import ServiceSettings
from vaxflow_servicekit.sms import sms_sender

NEEDS = Needs(mongo=True, kafka=False, redis=True, indexes=INDEXES)


def key_ring(infra: Infrastructure, settings: IdentitySettings) -> KeyRingCache:
    """The key ring cache over the service's database."""
    sealer = KeySealer(settings.key_encryption_key.get_secret_value())
    return KeyRingCache(MongoKeyStore(infra.db, sealer), settings, utc_now)


def compose(infra: Infrastructure, settings: IdentitySettings, *, redis_prefix: str) -> Identity:
    """Wire the stores and adapters handlers use."""
    assert infra.redis is not None
    return Identity(
        settings=settings,
        accounts=MongoAccountStore(infra.db),
        staff=MongoStaffStore(infra.db),
        sessions=MongoSessionStore(infra.db),
        audit=MongoAuditLog(infra.db),
        guard=RedisGuard(infra.redis, prefix=redis_prefix),
        keys=key_ring(infra, settings),
        sms=sms_sender(settings.sms),
    )


class LocalJwks:
    """Answers the JWKS URL inside the process: identity verifies its own tokens from its ring."""

    def __init__(self) -> None:
        self.keys: KeyRingCache | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        """The JWKS, or 503 before the ring is loaded."""
        if self.keys is None:
            return httpx.Response(503)
        return httpx.Response(200, json={"keys": await self.keys.published()})


def local_verifier(settings: IdentitySettings, jwks: LocalJwks) -> TokenVerifier:
    """A verifier of identity's own tokens that never goes over the network."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(jwks))
    keys = JwksCache(
        settings.auth.jwks_url,
        cache_seconds=settings.key_cache_s,
        min_refresh_interval_s=0.0,
        http=http,
    )
    return TokenVerifier(settings.auth, keys)


def composition(settings: IdentitySettings, jwks: LocalJwks, *, redis_prefix: str) -> LifespanHook:
    """A lifespan hook that wires the handlers' composition and loads (or makes) the key ring."""

    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        identity = compose(app.state.infra, settings, redis_prefix=redis_prefix)
        await identity.keys.maintain()
        app.state.identity = identity
        jwks.keys = identity.keys
        yield

    return hook


def key_rotation(settings: IdentitySettings) -> Callable[[Infrastructure], Sequence[Worker]]:
    """The worker factory: one key rotation loop."""

    def factory(infra: Infrastructure) -> Sequence[Worker]:
        keys = key_ring(infra, settings)
        return [KeyRotationWorker(keys, interval_s=settings.key_check_interval_s)]

    return factory


async def _too_many(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LimitExceeded)
    error = ProblemError(
        429,
        "Too many attempts; try again later.",
        slug="rate-limited" if exc.what != "login-locked" else "login-locked",
        headers={"Retry-After": str(exc.retry_after_s)},
        extensions={"retry_after": exc.retry_after_s},
    )
    return respond_to(request.scope, error)


def build_app(
    settings: ServiceSettings, role: Role = "all", *, redis_prefix: str = "identity"
) -> FastAPI:
    """The identity app for a role; tests pass their own settings and Redis prefix."""
    if not isinstance(settings, IdentitySettings):
        raise TypeError("identity needs IdentitySettings")
    jwks = LocalJwks()
    api_hooks = [composition(settings, jwks, redis_prefix=redis_prefix)]
    app = create_app(
        settings,
        title="VaxFlow identity",
        version=__version__,
        description="Citizen login by SMS code, staff login, access and refresh tokens, JWKS.",
        routers=for_role(role, api=[api.router], worker=[]),
        lifespan=[
            infrastructure(settings, NEEDS),
            *for_role(role, api=api_hooks, worker=[workers(key_rotation(settings))]),
        ],
        verifier=local_verifier(settings, jwks),
    )
    app.add_exception_handler(LimitExceeded, _too_many)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service (`--role api|worker|all`)."""
    run_service(IdentitySettings(), build_app, argv)


if __name__ == "__main__":
    main()
