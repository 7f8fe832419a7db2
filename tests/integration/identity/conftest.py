"""The identity app on the real Redis and FerretDB, with a database and Redis prefix of its own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from redis.asyncio import Redis
from vaxflow_identity.domain.staff import StaffRole
from vaxflow_identity.handlers.context import Identity
from vaxflow_identity.handlers.staff import NewStaff, create_staff
from vaxflow_identity.main import build_app
from vaxflow_identity.settings import IdentitySettings

from vaxflow_servicekit.auth import JwksCache, TokenVerifier
from vaxflow_servicekit.sms import SmsSettings, read_outbox
from vaxflow_servicekit.testing import unique_name

BASE_URL = "http://identity.test"
PASSWORD = "a-long-passphrase-2026"
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class IdentityUnderTest:
    """The running app, its composition and helpers to drive it as a user would."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: IdentitySettings
    redis_prefix: str

    @property
    def identity(self) -> Identity:
        identity: Identity = self.app.state.identity
        return identity

    def codes_sent_to(self, phone: str) -> list[str]:
        """The codes in the SMS outbox for a normalised phone, oldest first."""
        messages = read_outbox(self.settings.sms.outbox_path)
        return [_CODE.findall(m.text)[0] for m in messages if m.to == phone]

    async def request_code(self, phone: str, *, address: str = "198.51.100.1") -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/otp/request", json={"phone": phone}, headers={"X-Real-IP": address}
        )

    async def verify(
        self, phone: str, code: str, *, address: str = "198.51.100.1"
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/otp/verify",
            json={"phone": phone, "code": code},
            headers={"X-Real-IP": address},
        )

    async def citizen_login(self, phone: str) -> dict[str, Any]:
        """Request a code, read it from the outbox, verify it: the tokens."""
        assert (await self.request_code(phone)).status_code == 202
        response = await self.verify(phone, self.codes_sent_to(normalised(phone))[-1])
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    async def add_staff(
        self,
        username: str,
        role: StaffRole,
        *,
        site_id: str | None = None,
        district: str | None = None,
    ) -> str:
        """Create an account directly (as the admin command does); its staff id."""
        new = NewStaff(username, PASSWORD, role, site_id, district)
        return (await create_staff(self.identity, new, created_by="test")).staff_id

    async def staff_login(
        self, username: str, password: str = PASSWORD, *, address: str = "198.51.100.1"
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/staff/login",
            json={"username": username, "password": password},
            headers={"X-Real-IP": address},
        )

    async def bearer(self, username: str) -> dict[str, str]:
        response = await self.staff_login(username)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def verifier(self) -> TokenVerifier:
        """A verifier as another service has it, reading this app's JWKS over HTTP."""
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE_URL)
        keys = JwksCache(f"{BASE_URL}/api/v1/auth/jwks.json", min_refresh_interval_s=0.0, http=http)
        return TokenVerifier(self.settings.auth, keys)


def normalised(phone: str) -> str:
    return "+84" + phone.replace(" ", "")[-9:]


def settings_for(tmp_path: Path, **overrides: Any) -> IdentitySettings:
    """Settings of a test: its own database and outbox; no key caching, to see changes at once."""
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_database": unique_name("test_identity"),
        "sms": SmsSettings(outbox_path=tmp_path / "sms" / "outbox.jsonl"),
        "key_cache_s": 0.0,
    }
    return IdentitySettings(**(values | overrides))


async def _forget(redis: Redis, prefix: str) -> None:
    keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
    if keys:
        await redis.delete(*keys)


@asynccontextmanager
async def running(settings: IdentitySettings) -> AsyncIterator[IdentityUnderTest]:
    """Start the app's lifespan; afterwards drop its database and its Redis keys."""
    prefix = unique_name("test:identity")
    app = build_app(settings, "api", redis_prefix=prefix)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            try:
                yield IdentityUnderTest(app, client, settings, prefix)
            finally:
                infra = app.state.infra
                await infra.mongo.drop_database(settings.database_name)
                await _forget(infra.redis, prefix)


@pytest_asyncio.fixture
async def service(tmp_path: Path) -> AsyncIterator[IdentityUnderTest]:
    """Identity with the development limits."""
    async with running(settings_for(tmp_path)) as under_test:
        yield under_test


@pytest.fixture
def random_phone() -> str:
    """A mobile number no other test uses."""
    return "09" + unique_name("x")[-8:].translate(str.maketrans("abcdef", "123456"))
