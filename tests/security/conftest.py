"""The security tests share one gateway client and one scenario (built once per run)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import STACK, gateway_client
from tests.security.principals import Principals, log_everyone_in
from tests.security.scenario import World, build_world

_BROKEN: list[BaseException] = []


# The gateway's own answers (not a service's) for a request it did not deliver: nothing changed.
_NOT_DELIVERED = {
    502: b"did not answer",  # the shared stack restarts services while others work
    503: b"did not answer",
    429: b"from this client; retry later",  # the gateway's per-address rate limit
}
# The suite's own source address: its bursts spend its own rate-limit budget at the gateway,
# not that of the tests that follow from 127.0.0.1.
SOURCE_ADDRESS = "127.0.0.9"


class RetryingTransport(httpx.AsyncHTTPTransport):
    """Sends again while the gateway answers for a request it did not deliver (502/503 while a
    service restarts, 429 from its per-client rate limit, with Retry-After 1)."""

    def __init__(self) -> None:
        super().__init__(local_address=SOURCE_ADDRESS)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(60):
            response = await super().handle_async_request(request)
            marker = _NOT_DELIVERED.get(response.status_code)
            if marker is None or marker not in await response.aread():
                return response
            await asyncio.sleep(1)
        return response


@pytest_asyncio.fixture(scope="session")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway's /api/v1, once the services answer behind it."""
    async with gateway_client("registration", "scheduling", "injection", "certificate"):
        pass  # waits until they answer
    async with httpx.AsyncClient(
        base_url=f"{STACK.gateway_url}/api/v1", timeout=30, transport=RetryingTransport()
    ) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def principals(gateway: httpx.AsyncClient) -> Principals:
    """A real token for every principal of the matrix."""
    return await log_everyone_in(gateway)


@pytest_asyncio.fixture(scope="session")
async def world(gateway: httpx.AsyncClient, principals: Principals) -> World:
    """The principals and objects of the matrix; a failed build fails every test at once."""
    if _BROKEN:
        pytest.fail(f"the scenario could not be built: {_BROKEN[0]!r}")
    try:
        return await build_world(gateway, principals)
    except BaseException as error:
        _BROKEN.append(error)
        raise
