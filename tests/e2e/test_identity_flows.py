"""Identity end to end: through the gateway, against the service the stack runs.

A citizen logs in with the code the local SMS gateway wrote; staff log in with the seeded demo
credentials; every token is checked by servicekit's TokenVerifier against the live JWKS, as the
other services do, and forged tokens are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from vaxflow_identity.domain.keys import KeySealer, SigningKey
from vaxflow_identity.settings import IdentitySettings
from vaxflow_identity.store.keys import MongoKeyStore

from tests.e2e.gateway import outbox_path
from vaxflow.seed import DEMO_SITE, SeedContext, run_steps
from vaxflow.stack.config import StackSettings
from vaxflow_servicekit.auth import InvalidToken, TokenVerifier
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.settings import AuthSettings
from vaxflow_servicekit.sms import read_outbox
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

STACK = StackSettings()
AUTH = f"{STACK.gateway_url}/api/v1/auth"
CODE = re.compile(r"\b(\d{6})\b")


def gateway_auth_settings(**overrides: Any) -> AuthSettings:
    """What a service behind the gateway is configured with, reading the JWKS via the gateway."""
    return AuthSettings(jwks_url=f"{AUTH}/jwks.json", **overrides)


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, once identity answers behind it (the stack starts it)."""
    async with httpx.AsyncClient(base_url=AUTH, timeout=10) as client:

        async def jwks_status() -> int:
            try:
                return (await client.get("/jwks.json")).status_code
            except httpx.TransportError:
                return 0

        await poll_until(
            jwks_status,
            accept=lambda status: status == 200,
            timeout_s=60,
            what="identity answering behind the gateway (run `make up`)",
        )
        yield client


@pytest_asyncio.fixture(scope="module")
async def verifier() -> AsyncIterator[TokenVerifier]:
    verifier = TokenVerifier.from_settings(gateway_auth_settings())
    yield verifier
    await verifier.aclose()


@pytest_asyncio.fixture(scope="module")
async def demo_credentials() -> list[dict[str, str]]:
    """The seeded demo staff (seeding again is harmless: nobody is created twice)."""
    context = SeedContext(STACK)
    await run_steps(context)
    credentials: list[dict[str, str]] = json.loads(context.credentials_path.read_text())
    return credentials


def random_phone() -> str:
    return "09" + f"{uuid.uuid4().int % 10**8:08d}"


async def code_sent_to(phone: str, after: float) -> str:
    """Wait for the SMS to this normalised phone sent after `after` (epoch seconds)."""

    async def newest() -> str | None:
        messages = [
            m
            for m in read_outbox(outbox_path())
            if m.to == phone and m.sent_at.timestamp() >= after
        ]
        return CODE.findall(messages[-1].text)[0] if messages else None

    code = await poll_until(newest, timeout_s=10, what=f"an SMS to {phone}")
    assert code is not None
    return code


async def citizen_login(gateway: httpx.AsyncClient, phone: str) -> dict[str, Any]:
    started = time.time() - 1
    requested = await gateway.post("/otp/request", json={"phone": phone})
    assert requested.status_code == 202, requested.text
    code = await code_sent_to("+84" + phone[1:], started)
    verified = await gateway.post("/otp/verify", json={"phone": phone, "code": code})
    assert verified.status_code == 200, verified.text
    tokens: dict[str, Any] = verified.json()
    return tokens


async def staff_tokens(gateway: httpx.AsyncClient, entry: dict[str, str]) -> dict[str, Any]:
    body = {"username": entry["username"], "password": entry["password"]}
    response = await gateway.post("/staff/login", json=body)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def test_a_citizen_logs_in_with_the_code_from_the_sms_outbox(
    gateway: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    tokens = await citizen_login(gateway, random_phone())

    principal = await verifier.verify_token(tokens["access_token"])
    assert principal.role == "citizen"
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900


async def test_a_wrong_code_is_refused_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    phone = random_phone()
    started = time.time() - 1
    await gateway.post("/otp/request", json={"phone": phone})
    code = await code_sent_to("+84" + phone[1:], started)

    wrong = await gateway.post(
        "/otp/verify", json={"phone": phone, "code": f"{(int(code) + 1) % 10**6:06d}"}
    )

    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["attempts_left"] == 4


async def test_every_seeded_staff_member_logs_in_with_role_and_scope(
    gateway: httpx.AsyncClient, verifier: TokenVerifier, demo_credentials: list[dict[str, str]]
) -> None:
    roles = {entry["role"] for entry in demo_credentials}
    assert roles >= {"vaccinator", "site_manager", "district_admin", "mcc_operator", "admin"}
    assert [e.get("site_id") for e in demo_credentials[:2]] == [DEMO_SITE.site_id] * 2

    for entry in demo_credentials:
        principal = await verifier.verify_token(
            (await staff_tokens(gateway, entry))["access_token"]
        )
        assert principal.role == entry["role"]
        assert principal.scope.site_id == entry.get("site_id")
        assert principal.scope.district == entry.get("district")


async def test_a_refresh_rotates_and_the_used_token_is_refused(
    gateway: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    login = await citizen_login(gateway, random_phone())

    rotated = await gateway.post("/refresh", json={"refresh_token": login["refresh_token"]})
    replayed = await gateway.post("/refresh", json={"refresh_token": login["refresh_token"]})

    assert rotated.status_code == 200
    assert replayed.status_code == 401
    principal = await verifier.verify_token(rotated.json()["access_token"])
    assert principal.role == "citizen"


async def test_an_admin_creates_staff_who_can_then_log_in(
    gateway: httpx.AsyncClient, demo_credentials: list[dict[str, str]]
) -> None:
    admin = next(entry for entry in demo_credentials if entry["role"] == "admin")
    headers = {"Authorization": f"Bearer {(await staff_tokens(gateway, admin))['access_token']}"}
    new = {
        "username": f"e2e.{uuid.uuid4().hex[:10]}",
        "password": "an-e2e-passphrase-2026",
        "role": "vaccinator",
        "site_id": DEMO_SITE.site_id,
    }

    created = await gateway.post("/staff", json=new, headers=headers)
    listed = await gateway.get("/staff", params={"page_size": 200}, headers=headers)

    assert created.status_code == 201, created.text
    assert new["username"] in {item["username"] for item in listed.json()["items"]}
    await staff_tokens(gateway, new)


async def test_the_openapi_document_is_reachable_through_the_gateway() -> None:
    async with httpx.AsyncClient(base_url=STACK.gateway_url) as client:
        response = await client.get("/api/v1/identity/openapi.json")

    assert response.status_code == 200
    assert "/api/v1/auth/otp/verify" in response.json()["paths"]


async def identity_signing_key() -> SigningKey:
    """The key identity signs with now, read from its database (to forge precise test tokens)."""
    settings = IdentitySettings()
    client = create_mongo_client(settings.mongo)
    try:
        sealer = KeySealer(settings.key_encryption_key.get_secret_value())
        ring = await MongoKeyStore(client[settings.database_name], sealer).load()
    finally:
        await client.close()
    assert ring is not None
    return ring.current


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": AuthSettings().issuer,
        "aud": AuthSettings().audience,
        "sub": "acc_e2e",
        "role": "citizen",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 300,
    }
    return base | overrides


async def test_a_token_signed_with_identitys_key_verifies(verifier: TokenVerifier) -> None:
    key = await identity_signing_key()  # the control for the refusals below
    token = jwt.encode(claims(), key.private_key, algorithm="ES256", headers={"kid": key.kid})

    assert (await verifier.verify_token(token)).subject == "acc_e2e"


async def test_forged_and_stale_tokens_are_refused(
    gateway: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    key = await identity_signing_key()
    jwks_text = (await gateway.get("/jwks.json")).text
    now = int(time.time())
    forged = {
        "alg none": jwt.encode(claims(), None, algorithm="none", headers={"kid": key.kid}),
        "HS256 keyed with the public JWKS": hs256(claims(), jwks_text.encode(), kid=key.kid),
        "wrong audience": jwt.encode(
            claims(aud="another-system"),
            key.private_key,
            algorithm="ES256",
            headers={"kid": key.kid},
        ),
        "expired": jwt.encode(
            claims(iat=now - 3600, exp=now - 1800),
            key.private_key,
            algorithm="ES256",
            headers={"kid": key.kid},
        ),
        "unknown key": LocalTokenIssuer(kid="not-identitys-key").token(),
    }

    accepted = [what for what, token in forged.items() if not await refused(verifier, token)]

    assert accepted == []


async def refused(verifier: TokenVerifier, token: str) -> bool:
    try:
        await verifier.verify_token(token)
    except InvalidToken:
        return True
    return False


def hs256(payload: dict[str, Any], secret: bytes, *, kid: str) -> str:
    """An HS256 token made by hand: pyjwt refuses to use a public key as an HMAC secret."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{part(json.dumps(header).encode())}.{part(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"
