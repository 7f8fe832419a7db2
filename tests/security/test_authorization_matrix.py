"""Issue 12: every endpoint against every principal, through the gateway, with real tokens.

The matrix (authorization_matrix.toml) says who may call each operation and on what; this test
makes the objects (scenario.py), calls every operation as every principal (recipes.py) and checks:

- every operation of every service's OpenAPI document has a row (a new endpoint without one fails);
- allowed callers succeed;
- without a valid token (none, expired, signed by a foreign key) the answer is 401, except for
  public operations, which ignore tokens;
- every other caller is refused with 403 or 404, and for personal objects (`secret`) with exactly
  the answer it gets for an id that does not exist: same status, same problem type and fields.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.e2e.gateway import STACK
from tests.security.matrix import SERVICES, Row, load_matrix, operations
from tests.security.principals import PRINCIPALS, UNAUTHENTICATED
from tests.security.recipes import RECIPES, Request
from tests.security.scenario import World

pytestmark = pytest.mark.stack

ROWS = load_matrix()
REFUSED = {401, 403, 404}


async def documents() -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document as the gateway serves it (absent services left out)."""
    found = {}
    async with httpx.AsyncClient(base_url=STACK.gateway_url, timeout=15) as client:
        for service in SERVICES:
            response = await client.get(f"/api/v1/{service}/openapi.json")
            if response.status_code == 200:
                found[service] = response.json()
    return found


def test_every_row_names_a_recipe_and_known_principals() -> None:
    missing = [row.operation for row in ROWS if row.operation not in RECIPES]
    duplicates = {r.operation for r in ROWS if [x.operation for x in ROWS].count(r.operation) > 1}

    assert missing == []
    assert duplicates == set()


async def test_every_operation_of_every_openapi_document_has_a_row() -> None:
    served = await documents()
    rows = {(row.service, row.operation) for row in ROWS}

    without_row = sorted(
        f"{service}: {operation}"
        for service, document in served.items()
        for operation in operations(document)
        if (service, operation) not in rows
    )
    stale = sorted(
        f"{service}: {operation}"
        for service, operation in rows
        if service in served and operation not in operations(served[service])
    )

    assert without_row == [], (
        "operations without a row in tests/security/authorization_matrix.toml (add one, with a "
        f"recipe in tests/security/recipes.py): {without_row}"
    )
    assert stale == [], f"rows for operations the services no longer serve: {stale}"
    assert {"identity", "registration", "scheduling", "injection", "certificate"} <= set(served)


async def send(
    gateway: httpx.AsyncClient, request: Request, row: Row, who: str, w: World
) -> httpx.Response:
    """The request as `who`, with the row's method, through the gateway."""
    headers = request.headers | w.headers(who)
    url = f"{STACK.gateway_url}{request.path}"
    if row.stream:  # server-sent events: the status and headers, the body only of a refusal
        async with gateway.stream(row.method, url, headers=headers) as streamed:
            if streamed.status_code != 200:
                await streamed.aread()
            return streamed
    response = await gateway.request(
        row.method,
        url,
        params=request.params or None,
        json=request.json,
        content=request.content,
        headers=headers,
    )
    for _ in range(30):  # one import at a time: an allowed upload waits for the previous one
        if response.status_code != 503 or "imports-busy" not in response.text:
            break
        await asyncio.sleep(1)
        response = await gateway.request(row.method, url, content=request.content, headers=headers)
    return response


def shape(response: httpx.Response) -> tuple[Any, ...]:
    """What a caller learns from a refusal: status, media type, problem type and field names."""
    media = response.headers.get("content-type", "").split(";")[0]
    body: Any = None
    if media.endswith("json"):
        data = response.json()
        body = (data.get("type"), data.get("title"), data.get("detail"), tuple(sorted(data)))
    return (response.status_code, media, body)


async def refusal_problems(row: Row, who: str, gateway: httpx.AsyncClient, w: World) -> list[str]:
    """What is wrong with how `who`, not allowed, is refused (nothing when all is right)."""
    recipe = RECIPES[row.operation]
    w.caller = who
    response = await send(gateway, await recipe(w, "shared"), row, who, w)
    if row.batch and response.status_code == 200 and who not in UNAUTHENTICATED:
        statuses = [item["status"] for item in response.json()["results"]]
        return [] if statuses == ["refused"] else [f"{who}: batch record {statuses}, not refused"]
    expected = {401} if who in UNAUTHENTICATED else set(row.refused_with)
    if response.status_code not in expected:
        return [f"{who}: {response.status_code} {response.text[:200]}, expected {expected}"]
    if row.secret and who not in row.may_know:
        other = await send(gateway, await recipe(w, "unknown"), row, who, w)
        if shape(response) != shape(other):
            return [f"{who}: tells the object exists: {shape(response)}, unknown: {shape(other)}"]
    return []


async def success_problems(row: Row, who: str, gateway: httpx.AsyncClient, w: World) -> list[str]:
    """What is wrong with the answer to `who`, who is allowed (nothing when all is right)."""
    w.caller = who
    request = await RECIPES[row.operation](w, "fresh" if row.writes else "shared")
    response = await send(gateway, request, row, who, w)
    if response.status_code not in row.ok:
        return [f"{who}: {response.status_code} {response.text[:300]}, expected {set(row.ok)}"]
    if row.batch:
        statuses = [item["status"] for item in response.json()["results"]]
        return [] if statuses == ["recorded"] else [f"{who}: batch record {statuses}"]
    return []


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.service}:{r.operation}" for r in ROWS])
async def test_the_matrix_holds(row: Row, gateway: httpx.AsyncClient, world: World) -> None:
    # Public operations ignore tokens: they are tried without one and with bad ones.
    callers = [p for p in PRINCIPALS if not row.public or p in UNAUTHENTICATED]
    refused = [p for p in callers if p not in row.allow]
    allowed = [p for p in callers if p in row.allow]
    wrong: list[str] = []
    if refused:  # first, while the shared object is as made; refusals change nothing: at once
        wrong += await refusal_problems(row, refused[0], gateway, world)  # makes shared objects
        for found in await asyncio.gather(
            *(refusal_problems(row, who, gateway, world) for who in refused[1:])
        ):
            wrong += found
    if row.writes:  # one after another: each write gets a fresh object of its own
        for who in allowed:
            wrong += await success_problems(row, who, gateway, world)
    else:
        for found in await asyncio.gather(
            *(success_problems(row, who, gateway, world) for who in allowed)
        ):
            wrong += found

    assert wrong == [], f"{row.operation} ({row.object or 'no object'}):\n" + "\n".join(wrong)
