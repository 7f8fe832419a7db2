"""Issue 12, unrestricted resource consumption and sensitive business flows, through the gateway:
limits per phone, per username and per account hold, one abuser does not hurt others, and the
gateway's body limit is 1 MiB everywhere but the CSV upload path.

Elsewhere: booking bots (per account and per address) in `test_booking_limits.py`; the per-address
limits on codes and logins in `tests/integration/identity/test_otp_login.py` (identity in process,
with its own limits; the shared stack sets them high for the simulator). The gateway's general
per-address request rate is set high on the shared development stack, where every test comes from
loopback addresses, and is not tested here; certificate downloads per identity belong to the
certificate service's own tests.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.security.principals import Principals
from tests.security.scenario import resident
from vaxflow.seed import DEMO_SITE

pytestmark = pytest.mark.stack


def new_phone() -> str:
    return "09" + f"{uuid.uuid4().int % 10**8:08d}"


async def test_codes_per_phone_are_limited_and_other_phones_are_not_hurt(
    gateway: httpx.AsyncClient,
) -> None:
    phone = new_phone()
    answers = [
        (await gateway.post("/auth/otp/request", json={"phone": phone})).status_code
        for _ in range(4)
    ]
    other = await gateway.post("/auth/otp/request", json={"phone": new_phone()})

    assert answers == [202, 202, 202, 429]
    assert other.status_code == 202


async def test_repeated_wrong_passwords_lock_the_account_and_only_it(
    gateway: httpx.AsyncClient, principals: Principals
) -> None:
    victim = {"username": f"sec.lock.{uuid.uuid4().hex[:8]}", "password": uuid.uuid4().hex}
    created = await gateway.post(
        "/auth/staff",
        json=victim | {"role": "vaccinator", "site_id": DEMO_SITE.site_id},
        headers=principals["admin"],
    )
    assert created.status_code == 201, created.text
    bystander = {"username": f"sec.ok.{uuid.uuid4().hex[:8]}", "password": uuid.uuid4().hex}
    await gateway.post(
        "/auth/staff",
        json=bystander | {"role": "vaccinator", "site_id": DEMO_SITE.site_id},
        headers=principals["admin"],
    )

    wrong = [
        (await gateway.post("/auth/staff/login", json=victim | {"password": "wrong"})).status_code
        for _ in range(6)
    ]
    right_but_locked = await gateway.post("/auth/staff/login", json=victim)
    unaffected = await gateway.post("/auth/staff/login", json=bystander)

    assert set(wrong[:5]) == {401}
    assert wrong[5] in (401, 429)
    assert right_but_locked.status_code in (401, 429)
    assert unaffected.status_code == 200


async def test_a_phone_account_registers_at_most_six_people(
    gateway: httpx.AsyncClient, principals: Principals
) -> None:
    bot = principals[principals.new_phone_account()]
    answers = [
        (await gateway.post("/citizens", json=resident(), headers=bot)).status_code
        for _ in range(7)
    ]
    someone_else = await gateway.post(
        "/citizens", json=resident(), headers=principals[principals.new_phone_account()]
    )

    assert answers == [201] * 6 + [409]
    assert someone_else.status_code == 201


async def test_wrong_claims_are_limited_per_account(
    gateway: httpx.AsyncClient, principals: Principals
) -> None:
    guesser = principals[principals.new_phone_account()]

    def guess() -> dict[str, object]:
        who = resident()
        return {
            "relationship": "family_member",
            "id_type": "cccd",
            "national_id": who["national_id"],
            "date_of_birth": who["date_of_birth"],
            "consent": True,
        }

    answers = [
        (await gateway.post("/citizens/claims", json=guess(), headers=guesser)).status_code
        for _ in range(7)
    ]

    assert answers[:5] == [404] * 5
    assert answers[-1] == 429


@pytest.mark.parametrize(
    "path",
    ["/sites", "/campaigns", "/citizens/me/people", "/revocations", "/auth/staff"],
)
async def test_pages_are_bounded(
    path: str, gateway: httpx.AsyncClient, principals: Principals
) -> None:
    caller = principals["citizen" if "citizens" in path else "admin"]
    size = "page_size" if path == "/auth/staff" else "limit"

    response = await gateway.get(path, params={size: 100_000}, headers=caller)

    assert response.status_code == 422, response.text


async def test_an_oversized_json_body_is_refused_before_the_service(
    gateway: httpx.AsyncClient, principals: Principals
) -> None:
    body = resident() | {"full_name": "x" * (2 * 1024 * 1024)}

    response = await gateway.post("/citizens", json=body, headers=principals["citizen"])

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_only_the_csv_upload_path_takes_bodies_over_one_mib(
    gateway: httpx.AsyncClient, principals: Principals
) -> None:
    two_mib = b"x" * (2 * 1024 * 1024)
    headers = principals["district_admin_a"] | {"content-type": "application/octet-stream"}

    upload = await gateway.post("/registration/imports", content=two_mib, headers=headers)
    elsewhere = await gateway.post("/registration/imports-other", content=two_mib, headers=headers)

    # Past the gateway: the service itself refuses the content type, and imports nothing.
    assert upload.status_code == 415, upload.text
    assert elsewhere.status_code == 413
