"""A token issuer for tests: its own P-256 key, a JWKS served in memory, tokens on demand.

In a service's tests:

    issuer = LocalTokenIssuer()
    app = create_app(settings, ..., verifier=issuer.verifier())
    headers = issuer.bearer(role="vaccinator", site_id="site-0001")
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from vaxflow_servicekit.auth import JwksCache, Role, TokenVerifier
from vaxflow_servicekit.settings import AuthSettings


class LocalTokenIssuer:
    """Signs access tokens the way identity does and serves the matching JWKS."""

    def __init__(self, settings: AuthSettings | None = None, *, kid: str = "test-key-1") -> None:
        self.settings = settings or AuthSettings()
        self.kid = kid
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.jwks_requests = 0
        self.jwks_available = True

    def jwks(self) -> dict[str, Any]:
        """The published key set: the current public key under its kid."""
        jwk = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}]}

    def rotate(self, kid: str) -> None:
        """Sign with a new key under a new kid (the JWKS then publishes only the new one)."""
        self.kid = kid
        self.private_key = ec.generate_private_key(ec.SECP256R1())

    def claims(
        self,
        *,
        subject: str = "citizen-0001",
        role: Role = "citizen",
        site_id: str | None = None,
        district: str | None = None,
        ttl_s: int = 300,
    ) -> dict[str, Any]:
        """A valid claim set, to be adjusted by a test before `sign`."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": subject,
            "role": role,
            "iat": now,
            "exp": now + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        scope = {"site_id": site_id, "district": district}
        return claims | {key: value for key, value in scope.items() if value is not None}

    def sign(self, claims: Mapping[str, Any], *, kid: str | None = None) -> str:
        """Sign claims with the issuer's key (ES256)."""
        return jwt.encode(
            dict(claims), self.private_key, algorithm="ES256", headers={"kid": kid or self.kid}
        )

    def token(self, **claims: Any) -> str:
        """A valid token; keyword arguments as for `claims`."""
        return self.sign(self.claims(**claims))

    def bearer(self, **claims: Any) -> dict[str, str]:
        """An Authorization header carrying a valid token."""
        return {"Authorization": f"Bearer {self.token(**claims)}"}

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering the JWKS URL (503 while `jwks_available` is false)."""

        def handle(request: httpx.Request) -> httpx.Response:
            self.jwks_requests += 1
            if not self.jwks_available:
                return httpx.Response(503)
            return httpx.Response(200, json=self.jwks())

        return httpx.MockTransport(handle)

    def verifier(self, *, min_refresh_interval_s: float = 10.0) -> TokenVerifier:
        """A verifier that fetches this issuer's JWKS in memory."""
        keys = JwksCache(
            self.settings.jwks_url,
            cache_seconds=self.settings.jwks_cache_seconds,
            min_refresh_interval_s=min_refresh_interval_s,
            http=httpx.AsyncClient(transport=self.transport()),
        )
        return TokenVerifier(self.settings, keys)
