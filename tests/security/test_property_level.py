"""Issue 12, object-property level: what a response may carry and what a request may set.

- No answer to anyone carries a full national ID except to the person's own phone account, and no
  answer to one phone account carries another person's national ID, phone or name; no answer
  carries a secret at all (password or OTP hashes, the national ID's blind index or ciphertext).
- Every JSON body refuses fields its caller may not set (role, status, scope, dose number, the
  account, ...) with 422 problem+json naming the field, for every operation that takes a body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.gateway import STACK
from tests.security.matrix import Row, load_matrix
from tests.security.principals import PRINCIPALS, UNAUTHENTICATED
from tests.security.recipes import RECIPES
from tests.security.scenario import World
from tests.security.test_authorization_matrix import documents, send

pytestmark = pytest.mark.stack

ROWS = load_matrix()
READS = [row for row in ROWS if row.method == "GET" and not row.stream]
#: Fields no caller may set through a body unless its schema documents them.
FORBIDDEN_FIELDS = (
    "role",
    "status",
    "scope",
    "dose_number",
    "account_id",
    "created_by",
    "verified",
    "national_id_hash",
)
#: JSON keys that would mean a secret left the service.
SECRET_KEYS = {
    "password",
    "password_hash",
    "code_hash",
    "national_id_hmac",
    "national_id_ciphertext",
    "blind_index",
    "ciphertext",
    "private_key",
    "d",  # the private part of a JWK
}


def keys_of(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def phone_forms(phone: str) -> tuple[str, str]:
    return phone, "+84" + phone[1:]


async def test_answers_carry_no_one_elses_personal_data(
    gateway: httpx.AsyncClient, world: World
) -> None:
    a, b = world.people[world.citizen_a], world.people[world.citizen_b]
    owner_of = {a["national_id"]: "citizen", b["national_id"]: "other_citizen"}
    private_to = {  # what a phone account must never see of the other account's person
        "citizen": (b["national_id"], b["full_name"], *phone_forms(b["phone"])),
        "other_citizen": (a["national_id"], a["full_name"], *phone_forms(a["phone"])),
    }
    signed_in = [p for p in PRINCIPALS if p not in UNAUTHENTICATED]

    async def leaks_of(row: Row, who: str) -> list[str]:
        request = await RECIPES[row.operation](world, "shared")
        response = await send(gateway, request, row, who, world)
        text = response.text
        found = [
            f"{row.operation} to {who}: the full national ID of {owner}"
            for national_id, owner in owner_of.items()
            if national_id in text and who != owner
        ]
        found += [
            f"{row.operation} to {who}: another person's {what!r}"
            for what in private_to.get(who, ())
            if what in text
        ]
        is_json = "json" in response.headers.get("content-type", "") and response.content
        if is_json and (secrets := SECRET_KEYS & set(keys_of(response.json()))):
            found.append(f"{row.operation} to {who}: secret keys {sorted(secrets)}")
        return found

    leaks: list[str] = []
    for row in READS:
        await RECIPES[row.operation](world, "shared")  # makes the row's shared objects once
        for found in await asyncio.gather(*(leaks_of(row, who) for who in signed_in)):
            leaks += found

    assert leaks == []


async def test_staff_see_the_national_id_masked_and_the_owner_sees_it_whole(
    gateway: httpx.AsyncClient, world: World
) -> None:
    b = world.people[world.citizen_b]
    staff_view = await gateway.get(
        f"/citizens/{world.citizen_b}", params={"reason": "desk"}, headers=world.headers("admin")
    )
    own_view = await gateway.get(
        "/citizens/me",
        params={"citizen_id": world.citizen_b},
        headers=world.headers("other_citizen"),
    )

    assert staff_view.status_code == own_view.status_code == 200
    assert staff_view.json()["national_id"]["number"] is None
    assert b["national_id"] not in staff_view.text
    assert b["national_id"] in own_view.text


def body_rows() -> list[Row]:
    return [row for row in ROWS if row.method in ("POST", "PATCH", "PUT")]


def body_schema(document: dict[str, Any], row: Row) -> dict[str, Any] | None:
    operation = document["paths"][row.path][row.method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    schema: dict[str, Any] = content["application/json"]["schema"]
    # An optional body is `anyOf: [{$ref}, {type: null}]`.
    schema = next((s for s in schema.get("anyOf", []) if "$ref" in s), schema)
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


BODY_ROWS = body_rows()


@pytest.mark.parametrize("row", BODY_ROWS, ids=[f"{r.service}:{r.operation}" for r in BODY_ROWS])
async def test_bodies_refuse_fields_the_caller_may_not_set(
    row: Row, gateway: httpx.AsyncClient, world: World
) -> None:
    served = await documents()
    schema = body_schema(served[row.service], row)
    if schema is None:
        pytest.skip("no JSON body (a CSV upload)")
    documented = set(schema.get("properties", {}))
    caller = next(p for p in PRINCIPALS if p in row.allow)
    accepted: list[str] = []
    for name in (f for f in FORBIDDEN_FIELDS if f not in documented):
        request = await RECIPES[row.operation](world, "shared")
        request.json = dict(request.json) | {name: _value_for(name)}
        response = await send(gateway, request, row, caller, world)
        problem = response.json() if response.status_code == 422 else {}
        if response.status_code != 422 or name not in json.dumps(problem):
            accepted.append(f"{name}: {response.status_code} {response.text[:200]}")

    assert schema.get("additionalProperties") is False
    assert accepted == []


def _value_for(name: str) -> Any:
    return {
        "role": "admin",
        "status": "completed",
        "scope": {"district": "760"},
        "dose_number": 3,
        "account_id": "acc_someone_else",
        "created_by": "admin",
        "verified": True,
        "national_id_hash": "00",
    }[name]


__all__ = ["STACK"]
