"""How to call each endpoint of the matrix: the concrete request for one of three variants.

- "shared": about the row's object (what refused principals are tried on; reads use it always);
- "fresh": a new object of the same kind, for an allowed write that consumes it;
- "unknown": the same request about an id that does not exist (for the sameness check).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.gateway import outbox_path
from tests.integration.registration.people import csv_file
from tests.security.scenario import COMIRNATY, LOT, World, future, resident, unknown_id, until
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.sms import read_outbox
from vaxflow_servicekit.testing import poll_until

Variant = str  # "shared" | "fresh" | "unknown"


@dataclass
class Request:
    """A request without its Authorization header."""

    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


Recipe = Callable[[World, Variant], Awaitable[Request]]
RECIPES: dict[str, Recipe] = {}


def recipe(operation: str) -> Callable[[Recipe], Recipe]:
    def register(function: Recipe) -> Recipe:
        RECIPES[operation] = function
        return function

    return register


def pick(variant: Variant, known: str) -> str:
    return unknown_id() if variant == "unknown" else known


def new_phone() -> str:
    return "09" + f"{uuid.uuid4().int % 10**8:08d}"


async def _code_for(phone: str, after: float) -> str:
    import re

    def newest() -> str | None:
        sent = [m for m in read_outbox(outbox_path())
                if m.to == "+84" + phone[1:] and m.sent_at.timestamp() >= after]  # fmt: skip
        found = re.findall(r"\b(\d{6})\b", sent[-1].text) if sent else []
        return found[0] if found else None

    async def check() -> str | None:
        return newest()

    code = await poll_until(check, timeout_s=10, what=f"an SMS to {phone}")
    assert code is not None
    return code


async def _staff_refresh_token(w: World) -> str:
    entry = next(e for e in w.principals.staff if e["role"] == "vaccinator")
    body = {"username": entry["username"], "password": entry["password"]}
    response = await w.gateway.post("/auth/staff/login", json=body)
    assert response.status_code == 200, response.text
    token: str = response.json()["refresh_token"]
    return token


# ------------------------------------------------------------------ identity
@recipe("POST /api/v1/auth/otp/request")
async def _otp_request(w: World, variant: Variant) -> Request:
    return Request("/api/v1/auth/otp/request", json={"phone": new_phone()})


@recipe("POST /api/v1/auth/otp/verify")
async def _otp_verify(w: World, variant: Variant) -> Request:
    phone, started = new_phone(), time.time() - 1
    requested = await w.gateway.post("/auth/otp/request", json={"phone": phone})
    assert requested.status_code == 202, requested.text
    code = await _code_for(phone, started)
    return Request("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})


@recipe("POST /api/v1/auth/staff/login")
async def _login(w: World, variant: Variant) -> Request:
    entry = next(e for e in w.principals.staff if e["role"] == "vaccinator")
    body = {"username": entry["username"], "password": entry["password"]}
    return Request("/api/v1/auth/staff/login", json=body)


@recipe("POST /api/v1/auth/refresh")
async def _refresh(w: World, variant: Variant) -> Request:
    return Request("/api/v1/auth/refresh", json={"refresh_token": await _staff_refresh_token(w)})


@recipe("POST /api/v1/auth/logout")
async def _logout(w: World, variant: Variant) -> Request:
    return Request("/api/v1/auth/logout", json={"refresh_token": await _staff_refresh_token(w)})


@recipe("GET /api/v1/auth/jwks.json")
async def _jwks(w: World, variant: Variant) -> Request:
    return Request("/api/v1/auth/jwks.json")


@recipe("POST /api/v1/auth/staff")
async def _create_staff(w: World, variant: Variant) -> Request:
    body = {
        "username": f"sec.{uuid.uuid4().hex[:10]}",
        "password": f"matrix-{uuid.uuid4().hex}",
        "role": "vaccinator",
        "site_id": DEMO_SITE.site_id,
    }
    return Request("/api/v1/auth/staff", json=body)


@recipe("GET /api/v1/auth/staff")
async def _list_staff(w: World, variant: Variant) -> Request:
    return Request("/api/v1/auth/staff", params={"page_size": 5})


# ------------------------------------------------------------------ registration
@recipe("POST /api/v1/citizens")
async def _register(w: World, variant: Variant) -> Request:
    return Request("/api/v1/citizens", json=resident())


@recipe("POST /api/v1/citizens/claims")
async def _claim(w: World, variant: Variant) -> Request:
    # Allowed callers claim an imported person; refused ones one who was never imported.
    who = w.claimable.pop() if variant == "fresh" and w.claimable else resident()
    body = {
        "relationship": "family_member",
        "id_type": who["id_type"],
        "national_id": who["national_id"],
        "date_of_birth": who["date_of_birth"],
        "consent": True,
    }
    return Request("/api/v1/citizens/claims", json=body)


@recipe("GET /api/v1/citizens/me")
async def _me(w: World, variant: Variant) -> Request:
    return Request("/api/v1/citizens/me", params={"citizen_id": pick(variant, w.citizen_a)})


@recipe("PATCH /api/v1/citizens/me")
async def _patch_me(w: World, variant: Variant) -> Request:
    return Request(
        "/api/v1/citizens/me",
        params={"citizen_id": pick(variant, w.citizen_a)},
        json={"reason": "moved house", "address": QUAN_3_ADDRESS},
    )


QUAN_3_ADDRESS = {"province_code": "79", "ward_code": "26740", "line": "3 Võ Văn Tần"}


@recipe("GET /api/v1/citizens/me/people")
async def _people(w: World, variant: Variant) -> Request:
    return Request("/api/v1/citizens/me/people")


@recipe("GET /api/v1/citizens/me/health-book")
async def _health_book(w: World, variant: Variant) -> Request:
    return Request(
        "/api/v1/citizens/me/health-book", params={"citizen_id": pick(variant, w.citizen_a)}
    )


@recipe("GET /api/v1/citizens/{citizen_id}")
async def _staff_read(w: World, variant: Variant) -> Request:
    return Request(
        f"/api/v1/citizens/{pick(variant, w.citizen_b)}", params={"reason": "matrix check"}
    )


@recipe("POST /api/v1/registration/imports")
async def _import(w: World, variant: Variant) -> Request:
    return Request(
        "/api/v1/registration/imports",
        content=csv_file([resident()]),
        headers={"Content-Type": "text/csv"},
    )


@recipe("GET /api/v1/registration/imports/{import_id}")
async def _import_read(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/registration/imports/{pick(variant, w.import_id)}")


@recipe("GET /api/v1/registration/imports/{import_id}/report.csv")
async def _import_report(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/registration/imports/{pick(variant, w.import_id)}/report.csv")


@recipe("GET /api/v1/audit/reads")
async def _audit_reads(w: World, variant: Variant) -> Request:
    return Request("/api/v1/audit/reads", params={"citizen_id": w.citizen_b, "limit": 5})


# ------------------------------------------------------------------ scheduling
@recipe("POST /api/v1/sites")
async def _create_site(w: World, variant: Variant) -> Request:
    body = {
        "name": f"Security matrix site {uuid.uuid4().hex[:6]}",
        "kind": "mobile",
        "area": {"province_code": "79", "district_code": "760", "ward_code": "26734"},
        "opens": "07:30",
        "closes": "16:30",
        "slot_minutes": 30,
        "daily_capacity": 10,
    }
    return Request("/api/v1/sites", json=body)


@recipe("GET /api/v1/sites")
async def _sites(w: World, variant: Variant) -> Request:
    return Request("/api/v1/sites", params={"limit": 5})


@recipe("GET /api/v1/sites/{site_id}")
async def _site(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/sites/{pick(variant, DEMO_SITE.site_id)}")


@recipe("POST /api/v1/sites/{site_id}/sessions")
async def _create_session(w: World, variant: Variant) -> Request:
    body = {"date": future(20), "product_code": COMIRNATY, "doses": ["first"], "slot_capacity": 1}
    return Request(f"/api/v1/sites/{pick(variant, DEMO_SITE.site_id)}/sessions", json=body)


@recipe("GET /api/v1/sites/{site_id}/sessions")
async def _sessions(w: World, variant: Variant) -> Request:
    return Request(
        f"/api/v1/sites/{pick(variant, DEMO_SITE.site_id)}/sessions", params={"limit": 2}
    )


@recipe("GET /api/v1/sessions/{session_id}")
async def _session(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/sessions/{pick(variant, w.session_id)}")


@recipe("POST /api/v1/campaigns")
async def _create_campaign(w: World, variant: Variant) -> Request:
    body = {
        "name": f"Security matrix campaign {uuid.uuid4().hex[:6]}",
        "starts_on": future(30),
        "ends_on": future(31),
        "dose_target": 1,
        "site_ids": [DEMO_SITE.site_id],
        "priority_groups": [1],
    }
    return Request("/api/v1/campaigns", json=body)


@recipe("GET /api/v1/campaigns")
async def _campaigns(w: World, variant: Variant) -> Request:
    return Request("/api/v1/campaigns", params={"limit": 2})


@recipe("GET /api/v1/campaigns/{campaign_id}")
async def _campaign(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/campaigns/{pick(variant, w.campaign_id)}")


async def _member_of(w: World, account: str, variant: Variant, key: str) -> str:
    """A new family member of the account, known to scheduling: one for the refused calls of a
    row, which the first allowed call then uses (an account holds at most six people)."""
    if variant == "fresh" and w.shared.get(f"{key} used"):
        citizen_id = await w.register(account)
        await w.known_to_scheduling_as(account, citizen_id)
        return citizen_id
    if key not in w.shared:
        w.shared[key] = await w.register(account)
        await w.known_to_scheduling_as(account, w.shared[key])
    if variant == "fresh":
        w.shared[f"{key} used"] = True
    return pick(variant, w.shared[key])


@recipe("POST /api/v1/appointments")
async def _book(w: World, variant: Variant) -> Request:
    citizen_id = await _member_of(w, "citizen", variant, "book")
    body = {"citizen_id": citizen_id, "session_id": w.session_id, "slot": w.slot}
    return Request("/api/v1/appointments", json=body)


@recipe("GET /api/v1/appointments")
async def _appointments(w: World, variant: Variant) -> Request:
    return Request("/api/v1/appointments", params={"citizen_id": pick(variant, w.citizen_b)})


@recipe("GET /api/v1/appointments/{appointment_id}")
async def _appointment(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/appointments/{pick(variant, w.appointment_b)}")


@recipe("DELETE /api/v1/appointments/{appointment_id}")
async def _cancel(w: World, variant: Variant) -> Request:
    if variant == "fresh":  # the account's own, or one of a new account for staff
        account = w.caller if w.caller == "other_citizen" else w.principals.new_phone_account()
        _, appointment_id = await w.appointment(account)
    else:
        appointment_id = pick(variant, w.appointment_b)
    return Request(f"/api/v1/appointments/{appointment_id}")


@recipe("POST /api/v1/check-ins")
async def _check_in(w: World, variant: Variant) -> Request:
    account = w.shared.setdefault("check-in account", w.principals.new_phone_account())
    citizen_id = await _member_of(w, account, variant, "check-in")
    body = {"site_id": DEMO_SITE.site_id, "citizen_id": citizen_id}
    return Request("/api/v1/check-ins", json=body)


@recipe("GET /api/v1/sites/{site_id}/queue")
async def _queue(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/sites/{pick(variant, DEMO_SITE.site_id)}/queue")


@recipe("GET /api/v1/doses/board/{site_id}")
async def _board(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/doses/board/{pick(variant, DEMO_SITE.site_id)}")


@recipe("POST /api/v1/invitations")
async def _invite(w: World, variant: Variant) -> Request:
    return Request("/api/v1/invitations", json={"session_id": w.session_id, "count": 1})


@recipe("POST /api/v1/sessions/{session_id}/waitlist")
async def _waitlist(w: World, variant: Variant) -> Request:
    citizen_id = await _member_of(w, "citizen", variant, "waitlist")
    return Request(f"/api/v1/sessions/{w.session_id}/waitlist", json={"citizen_id": citizen_id})


@recipe("POST /api/v1/stock/receipts")
async def _receipt(w: World, variant: Variant) -> Request:
    body = {
        "site_id": DEMO_SITE.site_id,
        "product_code": COMIRNATY,
        "lot_number": LOT,
        "expiry_date": future(300),
        "doses_per_vial": 6,
        "doses_received": 6,
    }
    return Request("/api/v1/stock/receipts", json=body)


@recipe("POST /api/v1/stock/adjustments")
async def _adjust(w: World, variant: Variant) -> Request:
    body = {
        "site_id": DEMO_SITE.site_id,
        "lot_id": w.lot_id,
        "doses_delta": 1,
        "reason": "count_correction",
    }
    return Request("/api/v1/stock/adjustments", json=body)


@recipe("GET /api/v1/sites/{site_id}/stock")
async def _stock(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/sites/{pick(variant, DEMO_SITE.site_id)}/stock")


@recipe("GET /api/v1/availability")
async def _availability(w: World, variant: Variant) -> Request:
    return Request("/api/v1/availability", params={"district": "760", "limit": 2})


@recipe("GET /api/v2/admin/location/states")
async def _states(w: World, variant: Variant) -> Request:
    return Request("/api/v2/admin/location/states")


@recipe("GET /api/v2/admin/location/districts/{state_id}")
async def _districts(w: World, variant: Variant) -> Request:
    return Request("/api/v2/admin/location/districts/79")


def _cowin(path: str, key: str, value: str) -> Recipe:
    async def make(w: World, variant: Variant) -> Request:
        today = future(0)
        return Request(path, params={key: value, "date": f"{today[8:]}-{today[5:7]}-{today[:4]}"})

    return make


for _name, _key, _value in (
    ("findByDistrict", "district_id", "760"),
    ("findByPin", "pincode", "26734"),
    ("calendarByDistrict", "district_id", "760"),
    ("calendarByPin", "pincode", "26734"),
):
    _path = f"/api/v2/appointment/sessions/public/{_name}"
    RECIPES[f"GET {_path}"] = _cowin(_path, _key, _value)


# ------------------------------------------------------------------ injection
@recipe("POST /api/v1/screenings/proposal")
async def _proposal(w: World, variant: Variant) -> Request:
    return Request("/api/v1/screenings/proposal", json=w.screening(pick(variant, w.citizen_a)))


@recipe("POST /api/v1/screenings")
async def _screen(w: World, variant: Variant) -> Request:
    return Request("/api/v1/screenings", json=w.screening(pick(variant, w.citizen_a)))


async def _ready_shared(w: World) -> str:
    if "ready" not in w.shared:
        w.shared["ready"] = await w.ready()
    citizen_id: str = w.shared["ready"]
    return citizen_id


@recipe("POST /api/v1/doses")
async def _record_dose(w: World, variant: Variant) -> Request:
    if variant == "fresh":
        citizen_id = await w.ready()
    else:
        citizen_id = pick(variant, await _ready_shared(w))
    return Request("/api/v1/doses", json=w.dose(citizen_id))


@recipe("POST /api/v1/doses/batch")
async def _batch(w: World, variant: Variant) -> Request:
    citizen_id = await w.ready() if variant == "fresh" else await _ready_shared(w)
    captured = datetime.now(UTC).isoformat()
    client_id = f"sec-{uuid.uuid4().hex[:12]}"
    record = w.dose(citizen_id) | {"client_id": client_id, "captured_at": captured}
    return Request("/api/v1/doses/batch", json={"records": [record]})


@recipe("POST /api/v1/doses/{dose_id}/corrections")
async def _correct(w: World, variant: Variant) -> Request:
    # Each correction moves the time a little, so that it changes the record.
    moved = datetime.now(UTC) - timedelta(minutes=1, seconds=uuid.uuid4().int % 600)
    body = {"reason": "time checked against the tally sheet", "administered_at": moved.isoformat()}
    return Request(f"/api/v1/doses/{pick(variant, w.dose_a)}/corrections", json=body)


async def _fresh_dose(w: World, variant: Variant, key: str) -> str:
    if variant == "fresh":
        return (await w.dosed())[1]
    if key not in w.shared:
        w.shared[key] = (await w.dosed())[1]
    return pick(variant, w.shared[key])


@recipe("POST /api/v1/doses/{dose_id}/void")
async def _void(w: World, variant: Variant) -> Request:
    dose_id = await _fresh_dose(w, variant, "void")
    body = {"reason": "recorded_in_error", "note": "matrix check"}
    return Request(f"/api/v1/doses/{dose_id}/void", json=body)


@recipe("POST /api/v1/observations")
async def _observe(w: World, variant: Variant) -> Request:
    dose_id = await _fresh_dose(w, variant, "observe")
    return Request("/api/v1/observations", json={"dose_id": dose_id, "observed_minutes": 30})


@recipe("GET /api/v1/citizens/{citizen_id}/doses")
async def _doses(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/citizens/{pick(variant, w.citizen_a)}/doses")


@recipe("GET /api/v1/fhir/Immunization")
async def _fhir(w: World, variant: Variant) -> Request:
    return Request("/api/v1/fhir/Immunization", params={"patient": pick(variant, w.citizen_a)})


# ------------------------------------------------------------------ certificate
@recipe("GET /api/v1/certificates/me")
async def _my_certificates(w: World, variant: Variant) -> Request:
    return Request("/api/v1/certificates/me")


@recipe("GET /api/v1/certificates/{certificate_id}.pdf")
async def _pdf(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/certificates/{pick(variant, w.certificate_a)}.pdf")


@recipe("GET /api/v1/certificates/{certificate_id}/qr.png")
async def _qr(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/certificates/{pick(variant, w.certificate_a)}/qr.png")


@recipe("GET /api/v1/certificates/{certificate_id}")
async def _certificate(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/certificates/{pick(variant, w.certificate_a)}")


@recipe("POST /api/v1/certificates/verify")
async def _verify(w: World, variant: Variant) -> Request:
    return Request("/api/v1/certificates/verify", json={"qr": w.hc1_a})


@recipe("GET /api/v1/trust-list")
async def _trust_list(w: World, variant: Variant) -> Request:
    return Request("/api/v1/trust-list")


@recipe("GET /api/v1/revocations")
async def _revocations(w: World, variant: Variant) -> Request:
    return Request("/api/v1/revocations", params={"limit": 2})


# ------------------------------------------------------------------ monitoring
def _aefi_body(dose_id: str) -> dict[str, Any]:
    return {
        "dose_id": dose_id,
        "onset_at": (datetime.now(UTC) - timedelta(seconds=30)).isoformat(),
        "symptom_codes": ["headache"],
        "severity": "mild",
        "outcome": "recovering",
    }


async def _case(w: World, steps: tuple[str, ...]) -> str:
    """A new case about citizen A's dose (reported by the citizen), taken through `steps`."""
    reported = await until(
        lambda: w.gateway.post("/aefi", json=_aefi_body(w.dose_a), headers=w.headers("citizen")),
        {201},
        "an AEFI report, once monitoring knows the dose",
    )
    aefi_id = str(reported.json()["aefi_id"])
    bodies = {
        "investigation": {"note": "records requested"},
        "classification": {"causality": "c_coincidental", "note": "unrelated"},
    }
    for step in steps:
        done = await w.gateway.post(
            f"/aefi/{aefi_id}/{step}", json=bodies[step], headers=w.headers("mcc_operator")
        )
        assert done.status_code == 200, done.text
    return aefi_id


async def _case_for(w: World, variant: Variant, steps: tuple[str, ...], key: str) -> str:
    if variant == "fresh":
        return await _case(w, steps)
    if key not in w.shared:
        w.shared[key] = await _case(w, steps)
    return pick(variant, w.shared[key])


@recipe("GET /api/v1/aefi/symptoms")
async def _symptoms(w: World, variant: Variant) -> Request:
    return Request("/api/v1/aefi/symptoms")


@recipe("POST /api/v1/aefi")
async def _report(w: World, variant: Variant) -> Request:
    return Request("/api/v1/aefi", json=_aefi_body(pick(variant, w.dose_a)))


@recipe("GET /api/v1/aefi")
async def _cases(w: World, variant: Variant) -> Request:
    return Request("/api/v1/aefi", params={"limit": 2})


@recipe("GET /api/v1/aefi/{aefi_id}")
async def _read_case(w: World, variant: Variant) -> Request:
    aefi_id = await _case_for(w, "shared", (), "case")  # readers share one case
    return Request(f"/api/v1/aefi/{pick(variant, aefi_id)}")


@recipe("POST /api/v1/aefi/{aefi_id}/investigation")
async def _investigate(w: World, variant: Variant) -> Request:
    aefi_id = await _case_for(w, variant, (), "to investigate")
    return Request(f"/api/v1/aefi/{aefi_id}/investigation", json={"note": "records requested"})


@recipe("POST /api/v1/aefi/{aefi_id}/classification")
async def _classify(w: World, variant: Variant) -> Request:
    aefi_id = await _case_for(w, variant, ("investigation",), "to classify")
    body = {"causality": "c_coincidental", "note": "unrelated to the vaccine"}
    return Request(f"/api/v1/aefi/{aefi_id}/classification", json=body)


@recipe("POST /api/v1/aefi/{aefi_id}/closure")
async def _close(w: World, variant: Variant) -> Request:
    aefi_id = await _case_for(w, variant, ("investigation", "classification"), "to close")
    return Request(f"/api/v1/aefi/{aefi_id}/closure", json={"note": "family informed"})


@recipe("GET /api/v1/signals")
async def _signals(w: World, variant: Variant) -> Request:
    return Request("/api/v1/signals", params={"limit": 2})


@recipe("GET /api/v1/lots/{lot_id}")
async def _lot(w: World, variant: Variant) -> Request:
    return Request(f"/api/v1/lots/{pick(variant, w.lot_id)}")


async def _own_lot(w: World, suspended: bool) -> str:
    """A lot delivered to site A for this test only, known to monitoring (and suspended)."""
    body = {
        "site_id": DEMO_SITE.site_id,
        "product_code": COMIRNATY,
        "lot_number": f"SEC{uuid.uuid4().hex[:8].upper()}",
        "expiry_date": future(200),
        "doses_per_vial": 6,
        "doses_received": 6,
    }
    received = await w.gateway.post("/stock/receipts", json=body, headers=w.headers("admin"))
    assert received.status_code == 201, received.text
    lot_id = str(received.json()["lot_id"])
    await until(
        lambda: w.gateway.get(f"/lots/{lot_id}", headers=w.headers("admin")),
        {200},
        "monitoring learning of a delivered lot",
    )
    if suspended:
        suspension = {"reason": "quality_defect", "note": "security matrix"}
        done = await w.gateway.post(
            f"/lots/{lot_id}/suspend", json=suspension, headers=w.headers("admin")
        )
        assert done.status_code == 200, done.text
    return lot_id


async def _lot_for(w: World, variant: Variant, suspended: bool, key: str) -> str:
    if variant == "fresh":
        return await _own_lot(w, suspended)
    if key not in w.shared:
        w.shared[key] = await _own_lot(w, suspended)
    return pick(variant, w.shared[key])


@recipe("POST /api/v1/lots/{lot_id}/suspend")
async def _suspend(w: World, variant: Variant) -> Request:
    lot_id = await _lot_for(w, variant, False, "to suspend")
    body = {"reason": "quality_defect", "note": "security matrix"}
    return Request(f"/api/v1/lots/{lot_id}/suspend", json=body)


@recipe("POST /api/v1/lots/{lot_id}/release")
async def _release(w: World, variant: Variant) -> Request:
    lot_id = await _lot_for(w, variant, True, "to release")
    body = {"reason": "suspended_in_error", "note": "security matrix"}
    return Request(f"/api/v1/lots/{lot_id}/release", json=body)


@recipe("GET /api/v1/dashboard/summary")
async def _summary(w: World, variant: Variant) -> Request:
    return Request("/api/v1/dashboard/summary")


@recipe("GET /api/v1/dashboard/stream")
async def _stream(w: World, variant: Variant) -> Request:
    return Request("/api/v1/dashboard/stream")


@recipe("GET /api/v1/alerts")
async def _alerts(w: World, variant: Variant) -> Request:
    return Request("/api/v1/alerts", params={"limit": 2})


@recipe("POST /api/v1/alerts/{alert_id}/acknowledge")
async def _acknowledge(w: World, variant: Variant) -> Request:
    if "alert" not in w.shared:  # an alert not closed; none open anywhere: an unknown id (404)
        items: list[dict[str, Any]] = []
        for status in ("open", "acknowledged"):
            listed = await w.gateway.get(
                "/alerts", params={"status": status}, headers=w.headers("admin")
            )
            items += listed.json()["items"] if listed.status_code == 200 else []
        w.shared["alert"] = str(items[0]["alert_id"]) if items else unknown_id()
    return Request(f"/api/v1/alerts/{pick(variant, w.shared['alert'])}/acknowledge", json={})


@recipe("GET /api/v1/alert-rules")
async def _rules(w: World, variant: Variant) -> Request:
    return Request("/api/v1/alert-rules")


@recipe("PUT /api/v1/alert-rules/{rule}")
async def _set_rule(w: World, variant: Variant) -> Request:
    if "dead_letters" not in w.shared:
        listed = await w.gateway.get("/alert-rules", headers=w.headers("admin"))
        rule = next(r for r in listed.json()["items"] if r["rule"] == "dead_letters")
        w.shared["dead_letters"] = rule["threshold"]
    return Request("/api/v1/alert-rules/dead_letters", json={"threshold": w.shared["dead_letters"]})
