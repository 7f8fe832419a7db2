"""Access-token verification (ES256 JWTs from identity's JWKS) and the role/scope dependencies.

Tokens carry `sub`, `role`, `jti`, `iss`, `aud`, `iat`, `exp` and, for scoped staff, `site_id`
and/or `district`. Routes declare who may call them:

    @router.post("/doses", responses=problem_responses(403))
    async def record_dose(body: DoseCreate, staff: Vaccinator) -> DoseRead: ...

where a service defines `Vaccinator = Annotated[Principal, Depends(require_roles("vaccinator"))]`
and checks object-level scope with `staff.covers_site(body.site_id)`.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.problems import ProblemError
from vaxflow_servicekit.settings import AuthSettings

Role = Literal["citizen", "vaccinator", "site_manager", "district_admin", "mcc_operator", "admin"]
NATIONAL_ROLES: frozenset[Role] = frozenset({"mcc_operator", "admin"})
SITE_ROLES: frozenset[Role] = frozenset({"vaccinator", "site_manager"})
REQUIRED_CLAIMS = ("sub", "role", "exp", "iat", "jti", "iss", "aud")
_MAX_TOKEN_CHARS = 8192

log = get_logger(__name__)


class InvalidToken(Exception):
    """The token is refused; `reason` is for logs only, never for the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The issuer's keys could not be fetched and none are cached."""


class Scope(BaseModel):
    """What a staff member's token covers: a site, a district, or (national roles) everything."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    site_id: str | None = None
    district: str | None = None


class Principal(BaseModel):
    """Who is calling: the verified subject of an access token."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    subject: str = Field(min_length=1)
    role: Role
    scope: Scope = Scope()
    token_id: str = Field(min_length=1)

    @property
    def is_staff(self) -> bool:
        """True for every role but citizen."""
        return self.role != "citizen"

    def is_subject(self, subject: str) -> bool:
        """True when the caller is the citizen (or account) `subject` themselves."""
        return self.subject == subject

    def covers_district(self, district: str) -> bool:
        """True when the caller's scope includes the whole district."""
        if self.role in NATIONAL_ROLES:
            return True
        return self.role == "district_admin" and self.scope.district == district

    def covers_site(self, site_id: str, *, district: str | None = None) -> bool:
        """True when the caller's scope includes the site (pass the site's district if known)."""
        if self.role in NATIONAL_ROLES:
            return True
        if self.role in SITE_ROLES:
            return self.scope.site_id == site_id
        return district is not None and self.covers_district(district)


class _Jwks(BaseModel):
    keys: list[dict[str, Any]]


def _usable_key(jwk: Mapping[str, Any], algorithm: str) -> jwt.PyJWK | None:
    """Keep only P-256 signing keys with a kid; anything else in the set is ignored."""
    if not isinstance(jwk.get("kid"), str) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        return None
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", algorithm) != algorithm:
        return None
    try:
        return jwt.PyJWK(dict(jwk), algorithm=algorithm)
    except jwt.PyJWKError:
        return None


class JwksCache:
    """The issuer's public keys by `kid`, refetched when stale or when an unknown kid appears.

    At most one fetch is attempted per `min_refresh_interval_s`, whatever the traffic, so a flood
    of tokens with made-up kids cannot hammer identity; while identity is unreachable the keys
    already fetched keep working.
    """

    def __init__(
        self,
        url: str,
        *,
        algorithm: str = "ES256",
        cache_seconds: float = 300.0,
        min_refresh_interval_s: float = 10.0,
        timeout_s: float = 3.0,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._algorithm = algorithm
        self._cache_seconds = cache_seconds
        self._min_interval = min_refresh_interval_s
        self._timeout_s = timeout_s
        self._http = http
        self._owns_http = http is None
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> jwt.PyJWK:
        """Return the key for `kid`; raise InvalidToken if the issuer does not publish it."""
        await self._refresh_if(self._is_stale)
        if kid not in self._keys:
            await self._refresh_if(lambda: kid not in self._keys and self._may_attempt())
        if self._fetched_at == -math.inf:
            raise KeysUnavailable(self._url)
        if kid not in self._keys:
            raise InvalidToken("unknown_kid")
        return self._keys[kid]

    async def aclose(self) -> None:
        """Close the HTTP client if this cache created it."""
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    def _may_attempt(self) -> bool:
        return self._clock() - self._attempted_at >= self._min_interval

    def _is_stale(self) -> bool:
        return self._clock() - self._fetched_at >= self._cache_seconds and self._may_attempt()

    async def _refresh_if(self, needed: Callable[[], bool]) -> None:
        # A request arriving while a fetch runs waits for it: right after a (re)start, the
        # first burst would otherwise find no key yet and answer 503 (found by the fault suite).
        if not needed() and not self._lock.locked():
            return
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if needed():
                await self._fetch()

    async def _fetch(self) -> None:
        self._attempted_at = self._clock()
        try:
            response = await self._client().get(self._url)
            response.raise_for_status()
            jwks = _Jwks.model_validate_json(response.content)
        except (httpx.HTTPError, ValidationError) as exc:
            log.warning("jwks_fetch_failed", url=self._url, error=type(exc).__name__)
            return
        usable = {
            jwk["kid"]: key for jwk in jwks.keys if (key := _usable_key(jwk, self._algorithm))
        }
        self._keys = usable
        self._fetched_at = self._clock()
        log.info("jwks_fetched", url=self._url, kids=sorted(usable))

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout_s)
        return self._http


# Exception types of pyjwt, most specific first, and the reason logged for each.
_DECODE_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "audience"),
    (jwt.InvalidIssuerError, "issuer"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidSignatureError, "signature"),
    (jwt.exceptions.InvalidSubjectError, "claims"),
    (jwt.exceptions.InvalidJTIError, "claims"),
)


def _decode_reason(exc: jwt.PyJWTError) -> str:
    return next((reason for kind, reason in _DECODE_REASONS if isinstance(exc, kind)), "invalid")


class TokenVerifier:
    """Verifies access tokens: signature by a published key, algorithm, issuer, audience, times."""

    def __init__(self, settings: AuthSettings, keys: JwksCache) -> None:
        self._settings = settings
        self._keys = keys

    @classmethod
    def from_settings(
        cls, settings: AuthSettings, *, http: httpx.AsyncClient | None = None
    ) -> TokenVerifier:
        """Build a verifier whose key cache follows the settings."""
        keys = JwksCache(
            settings.jwks_url,
            algorithm=settings.algorithm,
            cache_seconds=settings.jwks_cache_seconds,
            http=http,
        )
        return cls(settings, keys)

    async def verify_token(self, token: str) -> Principal:
        """Return the principal of a valid token; raise InvalidToken (or KeysUnavailable)."""
        kid = self._checked_kid(token)
        key = await self._keys.get(kid)
        return _principal(self._decode(token, key))

    async def aclose(self) -> None:
        """Release the key cache's HTTP client."""
        await self._keys.aclose()

    def _checked_kid(self, token: str) -> str:
        if len(token) > _MAX_TOKEN_CHARS:
            raise InvalidToken("too_long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed") from None
        # Pinned before any key is looked up: `none`, HS256 and every other algorithm are refused.
        if header.get("alg") != self._settings.algorithm:
            raise InvalidToken("algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("kid_missing")
        return kid

    def _decode(self, token: str, key: jwt.PyJWK) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[self._settings.algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(_decode_reason(exc)) from None
        return claims


def _principal(claims: Mapping[str, Any]) -> Principal:
    scope = {key: claims[key] for key in ("site_id", "district") if claims.get(key) is not None}
    try:
        return Principal.model_validate(
            {
                "subject": claims["sub"],
                "role": claims["role"],
                "scope": scope,
                "token_id": claims["jti"],
            }
        )
    except ValidationError:
        raise InvalidToken("claims") from None


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AccessToken",
    bearerFormat="JWT",
    description="An ES256 access token from the identity service.",
)


def _unauthorized(detail: str, challenge: str) -> ProblemError:
    return ProblemError(401, detail, slug="unauthorized", headers={"WWW-Authenticate": challenge})


def verifier_of(request: Request) -> TokenVerifier:
    """Return the token verifier installed by `create_app`."""
    verifier = getattr(request.app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app has no token verifier: build it with create_app")
    return verifier


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the verified caller, or 401 problem+json."""
    if credentials is None:
        raise _unauthorized("An access token is required.", "Bearer")
    try:
        return await verifier_of(request).verify_token(credentials.credentials)
    except InvalidToken as exc:
        log.info("token_refused", reason=exc.reason)
        raise _unauthorized("invalid token", 'Bearer error="invalid_token"') from None
    except KeysUnavailable:
        raise ProblemError(
            503,
            "Access tokens cannot be verified right now.",
            slug="authentication-unavailable",
            headers={"Retry-After": "5"},
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """FastAPI dependency factory: the caller, if their role is one of `roles`, else 403."""
    allowed = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise ProblemError(403, "Your role may not do this.", slug="forbidden")
        return principal

    return dependency
