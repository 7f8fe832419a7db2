"""What the end-to-end tests share: the gateway client, the seeded staff, the SMS outbox, and a
walk-in vaccinated at a demo site."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.integration.injection.conftest import COMIRNATY, NO_TO_EVERYTHING, NORMAL_VITALS
from vaxflow.seed import DEMO_SITE, SeedContext, run_steps
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


async def _created(
    client: httpx.AsyncClient,
    staff: dict[str, str],
    path: str,
    body: dict[str, object],
    *,
    timeout_s: float,
    what: str,
) -> httpx.Response:
    """POST until 201: the services may not yet have read what the call needs from the streams."""
    response = await poll_until(
        lambda: client.post(path, json=body, headers=staff),
        accept=lambda r: r.status_code == 201,
        timeout_s=timeout_s,
        what=what,
    )
    assert response.status_code == 201, response.text
    return response


async def vaccinate_walk_in(
    client: httpx.AsyncClient,
    vaccinator: dict[str, str],
    citizen_id: str,
    *,
    site_id: str = DEMO_SITE.site_id,
    lot_number: str = "FF2587",
    timeout_s: float = 60,
) -> httpx.Response:
    """Check a registered citizen in as a walk-in, then `screen_and_vaccinate`; the dose's 201."""
    await _created(
        client,
        vaccinator,
        "/check-ins",
        {"site_id": site_id, "citizen_id": citizen_id},
        timeout_s=timeout_s,
        what="the check-in, once scheduling knows the citizen",
    )
    return await screen_and_vaccinate(
        client, vaccinator, citizen_id, lot_number=lot_number, timeout_s=timeout_s
    )


async def screen_and_vaccinate(
    client: httpx.AsyncClient,
    vaccinator: dict[str, str],
    citizen_id: str,
    *,
    lot_number: str = "FF2587",
    timeout_s: float = 60,
) -> httpx.Response:
    """Screen a checked-in citizen eligible for Comirnaty and record the dose of the lot (the
    seed stocks lot FF2587 at every demo site); the dose's 201 response."""
    await _created(
        client,
        vaccinator,
        "/screenings",
        {
            "citizen_id": citizen_id,
            "product_code": COMIRNATY,
            "answers": NO_TO_EVERYTHING,
            "vitals": NORMAL_VITALS,
        },
        timeout_s=timeout_s,
        what="the screening, once injection knows the check-in",
    )
    dose: dict[str, object] = {
        "citizen_id": citizen_id,
        "product_code": COMIRNATY,
        "lot_number": lot_number,
        "body_site": "left_deltoid",
    }
    return await _created(
        client,
        vaccinator,
        "/doses",
        dose,
        timeout_s=timeout_s,
        what="the dose, once injection knows the check-in and the lot",
    )
