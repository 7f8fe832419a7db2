"""Reading certificates: who may see one, its QR code and PDF, the trust and revocation lists."""

from __future__ import annotations

import base64
import io
import uuid
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.integration.certificate.conftest import SITE, SITE_DISTRICT, Certificates, dose

pytestmark = pytest.mark.stack

OTHER_SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02"


async def _issued(certificates: Certificates) -> tuple[str, dict[str, Any]]:
    citizen, account = uuid.uuid4(), f"acc_{uuid.uuid4().hex[:12]}"
    await certificates.registered(citizen, account)
    await certificates.publish([dose(citizen)])
    [mine] = await certificates.wait_mine(account, 1)
    return account, mine


async def test_owner_and_staff_in_scope_see_it_others_do_not(certificates: Certificates) -> None:
    account, mine = await _issued(certificates)
    url = f"/api/v1/certificates/{mine['id']}"
    allowed = [
        certificates.citizen(account),
        certificates.staff("vaccinator", site_id=str(SITE)),
        certificates.staff("site_manager", site_id=str(SITE)),
        certificates.staff("district_admin", district=SITE_DISTRICT),
        certificates.staff("mcc_operator"),
    ]
    for headers in allowed:
        response = await certificates.client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["hc1"] == mine["hc1"]
    refused = [
        certificates.citizen("acc_someone_else"),
        certificates.staff("vaccinator", site_id=OTHER_SITE),
        certificates.staff("district_admin", district="770"),
    ]
    for headers in refused:
        response = await certificates.client.get(url, headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    assert (await certificates.client.get(url)).status_code == 401
    missing = await certificates.client.get(
        f"/api/v1/certificates/{uuid.uuid4()}", headers=certificates.staff("admin")
    )
    assert missing.status_code == 404


async def test_the_qr_code_decodes_to_the_certificate(certificates: Certificates) -> None:
    account, mine = await _issued(certificates)
    response = await certificates.client.get(
        f"/api/v1/certificates/{mine['id']}/qr.png", headers=certificates.citizen(account)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    found = zxingcpp.read_barcode(Image.open(io.BytesIO(response.content)))
    assert found is not None
    assert found.text == mine["hc1"]
    assert found.ec_level == "Q"


async def test_the_pdf(certificates: Certificates) -> None:
    account, mine = await _issued(certificates)
    response = await certificates.client.get(
        f"/api/v1/certificates/{mine['id']}.pdf", headers=certificates.citizen(account)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


async def test_the_trust_list_names_the_signer_of_every_certificate(
    certificates: Certificates,
) -> None:
    _, mine = await _issued(certificates)
    listed = (await certificates.client.get("/api/v1/trust-list")).json()
    kids = {item["kid"] for item in listed["items"]}
    assert mine["signer_kid"] in kids
    [item] = listed["items"]
    assert item["country"] == "VN"
    assert base64.b64decode(item["certificate"]) == certificates.keys.trusted[0].der


async def test_verify_answers_why_and_refuses_bad_input(certificates: Certificates) -> None:
    _, mine = await _issued(certificates)
    valid = (
        await certificates.client.post("/api/v1/certificates/verify", json={"qr": mine["hc1"]})
    ).json()
    assert valid["valid"] is True
    assert valid["certificate"]["type"] == "v"
    assert valid["certificate"]["dcc"]["v"][0]["ci"] == mine["uvci"]
    hc2 = "HC2:" + mine["hc1"][4:]
    wrong = (await certificates.client.post("/api/v1/certificates/verify", json={"qr": hc2})).json()
    assert (wrong["valid"], wrong["reason"], wrong["certificate"]) == (False, "prefix", None)
    bad = await certificates.client.post("/api/v1/certificates/verify", json={"text": "x"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.qr", "body.text"}


async def test_every_route_is_documented(certificates: Certificates) -> None:
    spec = (await certificates.client.get("/openapi.json")).json()
    assert set(spec["paths"]) >= {
        "/api/v1/certificates/me",
        "/api/v1/certificates/{certificate_id}",
        "/api/v1/certificates/{certificate_id}/qr.png",
        "/api/v1/certificates/{certificate_id}.pdf",
        "/api/v1/certificates/verify",
        "/api/v1/trust-list",
        "/api/v1/revocations",
    }
    one = spec["paths"]["/api/v1/certificates/{certificate_id}"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(one)
