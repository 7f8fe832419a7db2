"""What the end-to-end tests share: the gateway client, the seeded staff, the SMS outbox."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from vaxflow.seed import SeedContext, run_steps
from vaxflow.stack.config import StackSettings
from vaxflow_servicekit.sms import SmsSettings
from vaxflow_servicekit.testing import poll_until

STACK = StackSettings()


@contextlib.asynccontextmanager
async def gateway_client(
    *services: str, request_timeout_s: float = 15
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway's `/api/v1`, once identity and these services answer behind it."""
    paths = ("/auth/jwks.json", *(f"/{service}/openapi.json" for service in services))
    async with httpx.AsyncClient(
        base_url=f"{STACK.gateway_url}/api/v1", timeout=request_timeout_s
    ) as client:

        async def statuses() -> tuple[int, ...]:
            try:
                return tuple([(await client.get(path)).status_code for path in paths])
            except httpx.TransportError:
                return (0,)

        await poll_until(
            statuses,
            accept=lambda found: found == (200,) * len(paths),
            timeout_s=60,
            what=f"identity and {', '.join(services)} behind the gateway (run `make up`)",
        )
        yield client


async def seeded_staff() -> list[dict[str, str]]:
    """Run the seed (demo staff and campaign; quick when already done) and read the logins."""
    context = SeedContext(STACK)
    await run_steps(context)
    entries: list[dict[str, str]] = json.loads(context.credentials_path.read_text())
    return entries


def outbox_path() -> Path:
    """Where the local SMS sender writes every message."""
    path = SmsSettings().outbox_path
    return path if path.is_absolute() else STACK.root / path
