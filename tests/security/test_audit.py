"""The staff-read audit log end to end, through the gateway, with real tokens (issue 12).

A staff member's read of a citizen's record, doses or certificate shows up in the district
admin's listing of that district, not in another district's, and not for anyone else; the log
has no write operation in any service.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.security.scenario import World
from tests.security.test_authorization_matrix import documents
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def _listing(
    gateway: httpx.AsyncClient, w: World, who: str, citizen_id: str
) -> httpx.Response:
    return await gateway.get(
        "/audit/reads", params={"citizen_id": citizen_id, "limit": 100}, headers=w.headers(who)
    )


async def _reads_with(
    gateway: httpx.AsyncClient, w: World, who: str, citizen_id: str, reason: str
) -> list[dict[str, Any]]:
    response = await _listing(gateway, w, who, citizen_id)
    assert response.status_code == 200, response.text
    return [i for i in response.json()["items"] if i["reason"] == reason]


async def test_a_staff_lookup_is_listed_for_its_district_admin_only(
    gateway: httpx.AsyncClient, world: World
) -> None:
    reason = f"audit check {uuid.uuid4().hex[:8]}"
    looked_up = await gateway.get(
        f"/citizens/{world.citizen_b}",
        params={"reason": reason},
        headers=world.headers("vaccinator_a"),
    )
    assert looked_up.status_code == 200, looked_up.text

    [entry] = await _reads_with(gateway, world, "district_admin_a", world.citizen_b, reason)
    assert (entry["service"], entry["resource_kind"], entry["outcome"]) == (
        "registration",
        "citizen_record",
        "shown",
    )
    assert entry["reader"]["role"] == "vaccinator"
    assert "760" in entry["districts"]
    assert await _reads_with(gateway, world, "district_admin_other", world.citizen_b, reason) == []
    assert len(await _reads_with(gateway, world, "admin", world.citizen_b, reason)) == 1
    for refused in ("citizen", "other_citizen", "vaccinator_a", "site_manager_a", "mcc_operator"):
        response = await _listing(gateway, world, refused, world.citizen_b)
        assert response.status_code == 403, (refused, response.text)
    assert (await _listing(gateway, world, "anonymous", world.citizen_b)).status_code == 401


async def test_reads_of_doses_and_certificates_reach_the_district_log(
    gateway: httpx.AsyncClient, world: World
) -> None:
    reason = f"audit check {uuid.uuid4().hex[:8]}"
    vaccinator = world.headers("vaccinator_a")
    doses = await gateway.get(
        f"/citizens/{world.citizen_a}/doses", params={"purpose": reason}, headers=vaccinator
    )
    pdf = await gateway.get(
        f"/certificates/{world.certificate_a}.pdf", params={"reason": reason}, headers=vaccinator
    )
    own = await gateway.get(
        f"/certificates/{world.certificate_a}", headers=world.headers("citizen")
    )
    assert (doses.status_code, pdf.status_code, own.status_code) == (200, 200, 200)

    found = await poll_until(
        lambda: _reads_with(gateway, world, "district_admin_a", world.citizen_a, reason),
        accept=lambda items: {i["service"] for i in items} == {"injection", "certificate"},
        timeout_s=45,
        what="the injection and certificate reads in district 760's audit log",
    )

    kinds = sorted((i["service"], i["resource_kind"], i["outcome"]) for i in found)
    assert kinds == [("certificate", "certificate_pdf", "shown"), ("injection", "doses", "shown")]
    assert all(i["reader"]["site_id"] is not None for i in found)
    assert await _reads_with(gateway, world, "district_admin_other", world.citizen_a, reason) == []
    everything = (await _listing(gateway, world, "admin", world.citizen_a)).json()["items"]
    assert all(i["reader"]["role"] != "citizen" for i in everything)


async def test_no_service_offers_a_way_to_change_the_audit_log(gateway: httpx.AsyncClient) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await gateway.request(method, "/audit/reads")
        assert response.status_code == 405, (method, response.text)
    for service, document in (await documents()).items():
        writes = [
            (method, path)
            for path, item in document["paths"].items()
            for method in item
            if "audit" in path and method != "get"
        ]
        assert writes == [], service
