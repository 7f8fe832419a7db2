"""Access tokens carry exactly what servicekit's TokenVerifier requires, and verify with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from vaxflow_identity.domain.keys import SigningKey
from vaxflow_identity.domain.staff import Staff, StaffScope
from vaxflow_identity.domain.tokens import (
    Audience,
    Subject,
    access_claims,
    new_refresh_token,
    refresh_token_for,
    refresh_token_hash,
    sign,
)

from vaxflow_servicekit.auth import InvalidToken, JwksCache, Principal, TokenVerifier
from vaxflow_servicekit.settings import AuthSettings

SITE_A = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
SITE_B = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02"

SETTINGS = AuthSettings(leeway_seconds=0)
AUDIENCE = Audience(SETTINGS.issuer, SETTINGS.audience)
NOW = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)


def vaccinator() -> Staff:
    return Staff(
        staff_id="stf_1",
        username="vaccinator.hcm0001",
        role="vaccinator",
        scope=StaffScope(site_id=SITE_A),
        password_hash="$argon2id$...",
        created_at=NOW,
        created_by="test",
    )


def verifier_for(*keys: SigningKey) -> TokenVerifier:
    def jwks(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"keys": [key.jwk for key in keys]})

    http = httpx.AsyncClient(transport=httpx.MockTransport(jwks))
    return TokenVerifier(SETTINGS, JwksCache(SETTINGS.jwks_url, http=http))


def fresh_claims(subject: Subject) -> dict[str, Any]:
    return access_claims(subject, AUDIENCE, now=datetime.now(UTC), ttl_s=900)


def test_citizen_claims_name_the_phone_account_and_nothing_more() -> None:
    claims = access_claims(Subject.citizen("acc_1"), AUDIENCE, now=NOW, ttl_s=900)

    assert claims["sub"] == "acc_1"
    assert claims["role"] == "citizen"
    assert claims["iss"] == SETTINGS.issuer
    assert claims["aud"] == SETTINGS.audience
    assert claims["exp"] - claims["iat"] == 900
    assert "site_id" not in claims
    assert "district" not in claims


def test_every_token_has_its_own_id() -> None:
    subject = Subject.citizen("acc_1")
    first = access_claims(subject, AUDIENCE, now=NOW, ttl_s=900)
    second = access_claims(subject, AUDIENCE, now=NOW, ttl_s=900)

    assert first["jti"] != second["jti"]


async def test_a_staff_token_verifies_with_role_and_site_scope() -> None:
    key = SigningKey.generate(NOW)
    token = sign(fresh_claims(Subject.of_staff(vaccinator())), key.private_key, key.kid)

    principal = await verifier_for(key).verify_token(token)

    assert principal == Principal(
        subject="stf_1",
        role="vaccinator",
        scope={"site_id": SITE_A},  # type: ignore[arg-type]
        token_id=principal.token_id,
    )
    assert principal.covers_site(SITE_A)
    assert not principal.covers_site(SITE_B)


async def test_the_header_names_es256_and_the_key() -> None:
    key = SigningKey.generate(NOW)
    token = sign(fresh_claims(Subject.citizen("acc_1")), key.private_key, key.kid)

    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": key.kid, "typ": "JWT"}


async def test_an_expired_token_is_refused() -> None:
    key = SigningKey.generate(NOW)
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = access_claims(Subject.citizen("acc_1"), AUDIENCE, now=past, ttl_s=900)

    with pytest.raises(InvalidToken):
        await verifier_for(key).verify_token(sign(claims, key.private_key, key.kid))


async def test_a_token_for_another_audience_is_refused() -> None:
    key = SigningKey.generate(NOW)
    other = Audience(SETTINGS.issuer, "another-system")
    claims = access_claims(Subject.citizen("acc_1"), other, now=datetime.now(UTC), ttl_s=900)

    with pytest.raises(InvalidToken):
        await verifier_for(key).verify_token(sign(claims, key.private_key, key.kid))


def test_a_refresh_token_is_stored_only_as_its_hash() -> None:
    token = new_refresh_token()
    record = refresh_token_for(token, Subject.citizen("acc_1"), family_id="f", now=NOW, ttl_s=60)

    assert record.token_hash == refresh_token_hash(token)
    assert token not in repr(record)
    assert record.is_usable(NOW)
    assert not record.is_usable(NOW + timedelta(seconds=60))
