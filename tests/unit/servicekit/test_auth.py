"""Access tokens: only ES256 tokens from identity's published keys, for us, in date, get in."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vaxflow_servicekit.auth import (
    REQUIRED_CLAIMS,
    InvalidToken,
    JwksCache,
    KeysUnavailable,
    Principal,
    Scope,
    TokenVerifier,
)
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.problems import PROBLEM_BASE_URI, PROBLEM_MEDIA_TYPE


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(signature)


def hs256_with_public_key(issuer: LocalTokenIssuer) -> str:
    """The classic confusion: HMAC-sign with the issuer's public key as the shared secret."""
    secret = issuer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.kid}
    signing_input = unsigned(header, issuer.claims()).rsplit(".", 1)[0]
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def verifier(issuer: LocalTokenIssuer) -> TokenVerifier:
    return issuer.verifier()


async def refused_reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify_token(token)
    return refused.value.reason


async def test_valid_token_gives_the_principal(
    verifier: TokenVerifier, issuer: LocalTokenIssuer
) -> None:
    claims = issuer.claims(subject="staff-7", role="site_manager", site_id="site-0001")

    principal = await verifier.verify_token(issuer.sign(claims))

    assert principal == Principal(
        subject="staff-7",
        role="site_manager",
        scope=Scope(site_id="site-0001"),
        token_id=claims["jti"],
    )


# Times are offsets from when the test runs (not from collection, which may be long before).
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"exp": -60}, "expired"),
        ({"nbf": 600}, "not_yet_valid"),
        ({"iat": 600}, "not_yet_valid"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"aud": "another-system"}, "audience"),
        ({"role": "superuser"}, "claims"),
        ({"sub": 42}, "claims"),
    ],
)
async def test_claims_out_of_bounds_are_refused(
    verifier: TokenVerifier, issuer: LocalTokenIssuer, change: dict[str, Any], reason: str
) -> None:
    now = int(time.time())
    timed = {k: now + v for k, v in change.items() if k in ("exp", "nbf", "iat")}
    token = issuer.sign(issuer.claims() | change | timed)

    assert await refused_reason(verifier, token) == reason


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
async def test_each_required_claim_must_be_present(
    verifier: TokenVerifier, issuer: LocalTokenIssuer, claim: str
) -> None:
    claims = issuer.claims()
    del claims[claim]

    assert await refused_reason(verifier, issuer.sign(claims)) in {"missing_claim", "claims"}


async def test_alg_none_is_refused(verifier: TokenVerifier, issuer: LocalTokenIssuer) -> None:
    token = unsigned({"alg": "none", "kid": issuer.kid}, issuer.claims())

    assert await refused_reason(verifier, token) == "algorithm"


async def test_absent_alg_is_refused(verifier: TokenVerifier, issuer: LocalTokenIssuer) -> None:
    token = unsigned({"kid": issuer.kid}, issuer.claims(), b"sig")

    assert await refused_reason(verifier, token) == "algorithm"


async def test_hs256_signed_with_the_public_key_is_refused(
    verifier: TokenVerifier, issuer: LocalTokenIssuer
) -> None:
    assert await refused_reason(verifier, hs256_with_public_key(issuer)) == "algorithm"


async def test_es384_is_refused(verifier: TokenVerifier, issuer: LocalTokenIssuer) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    token = jwt.encode(issuer.claims(), key, algorithm="ES384", headers={"kid": issuer.kid})

    assert await refused_reason(verifier, token) == "algorithm"


async def test_signature_by_another_key_under_a_known_kid_is_refused(
    verifier: TokenVerifier, issuer: LocalTokenIssuer
) -> None:
    forger = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(issuer.claims(), forger, algorithm="ES256", headers={"kid": issuer.kid})

    assert await refused_reason(verifier, token) == "signature"


async def test_unknown_kid_is_refused(verifier: TokenVerifier, issuer: LocalTokenIssuer) -> None:
    token = issuer.sign(issuer.claims(), kid="never-published")

    assert await refused_reason(verifier, token) == "unknown_kid"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 9000])
async def test_malformed_tokens_are_refused(verifier: TokenVerifier, token: str) -> None:
    assert await refused_reason(verifier, token) in {"malformed", "too_long"}


def cache_for(issuer: LocalTokenIssuer, clock: FakeClock) -> JwksCache:
    return JwksCache(
        issuer.settings.jwks_url,
        cache_seconds=300,
        min_refresh_interval_s=10,
        http=httpx.AsyncClient(transport=issuer.transport()),
        clock=clock,
    )


async def test_keys_are_fetched_once_and_reused(issuer: LocalTokenIssuer) -> None:
    verifier = TokenVerifier(issuer.settings, cache_for(issuer, FakeClock()))

    for _ in range(5):
        await verifier.verify_token(issuer.token())

    assert issuer.jwks_requests == 1


async def test_stale_keys_are_refetched(issuer: LocalTokenIssuer) -> None:
    clock = FakeClock()
    verifier = TokenVerifier(issuer.settings, cache_for(issuer, clock))
    await verifier.verify_token(issuer.token())

    clock.now += 301
    await verifier.verify_token(issuer.token())

    assert issuer.jwks_requests == 2


async def test_rotated_key_is_picked_up_on_its_first_token(issuer: LocalTokenIssuer) -> None:
    clock = FakeClock()
    verifier = TokenVerifier(issuer.settings, cache_for(issuer, clock))
    await verifier.verify_token(issuer.token())
    issuer.rotate("test-key-2")
    clock.now += 10

    principal = await verifier.verify_token(issuer.token(subject="after-rotation"))

    assert principal.subject == "after-rotation"
    assert issuer.jwks_requests == 2


async def test_flood_of_unknown_kids_fetches_at_most_once_per_interval(
    issuer: LocalTokenIssuer,
) -> None:
    clock = FakeClock()
    verifier = TokenVerifier(issuer.settings, cache_for(issuer, clock))
    await verifier.verify_token(issuer.token())
    clock.now += 10
    forged = [issuer.sign(issuer.claims(), kid=f"made-up-{n}") for n in range(50)]

    results = await asyncio.gather(
        *(verifier.verify_token(token) for token in forged), return_exceptions=True
    )

    assert all(isinstance(result, InvalidToken) for result in results)
    assert issuer.jwks_requests == 2
    clock.now += 10
    await refused_reason(verifier, forged[0])
    assert issuer.jwks_requests == 3


async def test_known_keys_keep_working_while_identity_is_down(issuer: LocalTokenIssuer) -> None:
    clock = FakeClock()
    verifier = TokenVerifier(issuer.settings, cache_for(issuer, clock))
    await verifier.verify_token(issuer.token())
    issuer.jwks_available = False
    clock.now += 301

    principal = await verifier.verify_token(issuer.token(subject="still-in"))

    assert principal.subject == "still-in"


async def test_no_keys_at_all_is_unavailable_not_invalid(issuer: LocalTokenIssuer) -> None:
    issuer.jwks_available = False
    verifier = TokenVerifier(issuer.settings, cache_for(issuer, FakeClock()))

    with pytest.raises(KeysUnavailable):
        await verifier.verify_token(issuer.token())


async def test_missing_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == PROBLEM_BASE_URI + "unauthorized"


@pytest.mark.parametrize("kind", ["expired", "wrong-audience", "hs256", "not-bearer"])
async def test_invalid_token_is_401_without_saying_why(
    client: httpx.AsyncClient, issuer: LocalTokenIssuer, kind: str
) -> None:
    tokens = {
        "expired": "Bearer " + issuer.sign(issuer.claims() | {"exp": int(time.time()) - 60}),
        "wrong-audience": "Bearer " + issuer.sign(issuer.claims() | {"aud": "other"}),
        "hs256": "Bearer " + hs256_with_public_key(issuer),
        "not-bearer": "Basic dXNlcjpwYXNz",
    }

    response = await client.get("/api/v1/me", headers={"Authorization": tokens[kind]})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    if kind != "not-bearer":
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert response.json()["detail"] == "invalid token"
    for leak in ("expired", "audience", "algorithm", "HS256", "signature"):
        assert leak not in response.text


async def test_valid_token_reaches_the_route(
    client: httpx.AsyncClient, issuer: LocalTokenIssuer
) -> None:
    response = await client.get("/api/v1/me", headers=issuer.bearer(subject="citizen-0007"))

    assert response.status_code == 200
    assert response.json() == {"subject": "citizen-0007", "role": "citizen"}


async def test_role_outside_the_allowed_set_is_403(
    client: httpx.AsyncClient, issuer: LocalTokenIssuer
) -> None:
    response = await client.get(
        "/api/v1/sites/site-0001/queue", headers=issuer.bearer(role="citizen")
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == PROBLEM_BASE_URI + "forbidden"


async def test_allowed_role_is_limited_to_its_scope(
    client: httpx.AsyncClient, issuer: LocalTokenIssuer
) -> None:
    headers = issuer.bearer(role="vaccinator", site_id="site-0001")

    own = await client.get("/api/v1/sites/site-0001/queue", headers=headers)
    other = await client.get("/api/v1/sites/site-0002/queue", headers=headers)

    assert own.status_code == 200
    assert other.status_code == 403
    assert other.json()["type"] == PROBLEM_BASE_URI + "out-of-scope"


async def test_identity_unreachable_is_503_not_401(
    client: httpx.AsyncClient, issuer: LocalTokenIssuer
) -> None:
    issuer.jwks_available = False

    response = await client.get("/api/v1/me", headers=issuer.bearer())

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


def principal(role: str, **scope: str) -> Principal:
    return Principal.model_validate(
        {"subject": "s-1", "role": role, "scope": scope, "token_id": "t-1"}
    )


@pytest.mark.parametrize(
    ("who", "site", "district", "covered"),
    [
        (principal("vaccinator", site_id="site-1"), "site-1", "Q1", True),
        (principal("vaccinator", site_id="site-1"), "site-2", "Q1", False),
        (principal("site_manager", site_id="site-1", district="Q1"), "site-2", "Q1", False),
        (principal("district_admin", district="Q1"), "site-2", "Q1", True),
        (principal("district_admin", district="Q1"), "site-3", "Q7", False),
        (principal("district_admin", district="Q1"), "site-3", None, False),
        (principal("mcc_operator"), "site-9", None, True),
        (principal("admin"), "site-9", None, True),
        (principal("citizen"), "site-1", "Q1", False),
    ],
)
def test_site_scope(who: Principal, site: str, district: str | None, covered: bool) -> None:
    assert who.covers_site(site, district=district) is covered


@pytest.mark.parametrize(
    ("who", "covered"),
    [
        (principal("district_admin", district="Q1"), True),
        (principal("district_admin", district="Q7"), False),
        (principal("site_manager", site_id="site-1", district="Q1"), False),
        (principal("mcc_operator"), True),
        (principal("citizen"), False),
    ],
)
def test_district_scope(who: Principal, covered: bool) -> None:
    assert who.covers_district("Q1") is covered


async def test_requests_arriving_while_the_first_fetch_runs_wait_for_it(
    issuer: LocalTokenIssuer,
) -> None:
    """Issue 11: after a restart the first burst of requests answered 503 (no key yet)."""

    async def slow_jwks(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(200, json=issuer.jwks())

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow_jwks))
    verifier = TokenVerifier(issuer.settings, JwksCache(issuer.settings.jwks_url, http=http))
    token = issuer.token()

    principals = await asyncio.gather(*(verifier.verify_token(token) for _ in range(5)))

    assert len({p.subject for p in principals}) == 1
    await http.aclose()
