"""Check-in and queues, the stock ledger, and the reactions to the citizen, dose and lot streams."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.integration.scheduling.conftest import AZ, Scheduling, read_topic, voided
from vaxflow_events import CitizenRegistered, DoseAdministered, LotSuspended, lot_id_for
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def _booked(s: Scheduling, site: dict[str, Any]) -> dict[str, Any]:
    session = await s.session(site["site_id"], slot_capacity=5)
    account, citizen = await s.known_citizen()
    body = {"citizen_id": citizen, "session_id": session["session_id"], "slot": "s0730"}
    response = await s.client.post("/api/v1/appointments", json=body, headers=s.citizen(account))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_qr_check_in_gives_queue_numbers_once_and_the_queue_shows_the_wait(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    appointment = await _booked(scheduling, site)
    staff = scheduling.staff("vaccinator", site_id=site["site_id"])
    walk_in = str(uuid.uuid4())

    scanned = await scheduling.client.post(
        "/api/v1/check-ins",
        json={"site_id": site["site_id"], "token": appointment["check_in_token"]},
        headers=staff,
    )
    twice = await asyncio.gather(
        *(
            scheduling.client.post(
                "/api/v1/check-ins",
                json={"site_id": site["site_id"], "citizen_id": walk_in},
                headers=staff,
            )
            for _ in range(5)
        )
    )
    queue = await scheduling.client.get(f"/api/v1/sites/{site['site_id']}/queue", headers=staff)

    assert scanned.status_code == 201, scanned.text
    assert (scanned.json()["method"], scanned.json()["queue_number"]) == ("qr_code", 1)
    assert sorted(r.status_code for r in twice) == [201, 409, 409, 409, 409]
    assert next(r for r in twice if r.status_code == 201).json()["method"] == "walk_in"
    assert queue.json()["waiting"] == 2
    assert queue.json()["expected_wait_s"] == 2 * 3 * 60
    [event] = [
        m
        for m in await read_topic(scheduling.kafka, scheduling.topics.appointment, 3)
        if m.event_type == "CitizenCheckedIn" and m.payload.queue_number == 1
    ]
    assert str(event.payload.appointment_id) == appointment["appointment_id"]
    assert event.payload.site_area is not None  # injection names the dose's area from it
    assert event.payload.site_area.ward_code == site["area"]["ward_code"]


async def test_check_in_refuses_forged_tokens_other_sites_and_other_sites_staff(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    other = await scheduling.site(name="Trường THCS Văn Lang")
    appointment = await _booked(scheduling, site)
    token = appointment["check_in_token"]

    forged = await scheduling.client.post(
        "/api/v1/check-ins",
        json={"site_id": site["site_id"], "token": "A" * 35},
        headers=scheduling.staff("vaccinator", site_id=site["site_id"]),
    )
    elsewhere = await scheduling.client.post(
        "/api/v1/check-ins",
        json={"site_id": other["site_id"], "token": token},
        headers=scheduling.staff("vaccinator", site_id=other["site_id"]),
    )
    not_my_site = await scheduling.client.post(
        "/api/v1/check-ins",
        json={"site_id": site["site_id"], "token": token},
        headers=scheduling.staff("vaccinator", site_id=other["site_id"]),
    )

    assert forged.status_code == 422
    assert forged.json()["errors"][0]["rule"] == "valid_token"
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["rule"] == "this_site"
    assert not_my_site.status_code == 403
    assert await scheduling.db["check_ins"].count_documents({}) == 0


def _dose(
    citizen: str, site_id: str, lot_number: str, appointment: str | None = None
) -> DoseAdministered:
    example = EXAMPLES["DoseAdministered"]
    assert isinstance(example, DoseAdministered)
    vaccination = example.vaccination.model_copy(
        update={
            "product_code": AZ,
            "lot_id": lot_id_for(AZ, lot_number),
            "lot_number": lot_number,
            "administered_at": datetime.now(UTC),
            "administered_on": datetime.now(UTC).date(),
        }
    )
    return example.model_copy(
        update={
            "dose_id": uuid.uuid4(),
            "citizen_id": uuid.UUID(citizen),
            "site_id": uuid.UUID(site_id),
            "appointment_id": uuid.UUID(appointment) if appointment else None,
            "vaccination": vaccination,
        }
    )


async def _stock(s: Scheduling, site_id: str) -> dict[str, Any]:
    response = await s.client.get(f"/api/v1/sites/{site_id}/stock", headers=s.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_ledger_receipts_wastage_and_replayed_doses(scheduling: Scheduling) -> None:
    site = await scheduling.site()
    manager = scheduling.staff("site_manager", site_id=site["site_id"])
    receipt = {
        "receipt_id": str(uuid.uuid4()),
        "site_id": site["site_id"],
        "product_code": AZ,
        "lot_number": "ABV5300",
        "expiry_date": "2099-12-31",
        "doses_per_vial": 10,
        "doses_received": 100,
    }
    first = await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=manager)
    repeated = await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=manager)
    lot_id = first.json()["lot_id"]
    wastage = await scheduling.client.post(
        "/api/v1/stock/adjustments",
        json={
            "site_id": site["site_id"],
            "lot_id": lot_id,
            "doses_delta": -10,
            "reason": "opened_vial_expired",
        },
        headers=manager,
    )
    wrong_sign = await scheduling.client.post(
        "/api/v1/stock/adjustments",
        json={"site_id": site["site_id"], "lot_id": lot_id, "doses_delta": 5, "reason": "breakage"},
        headers=manager,
    )
    doses = [_dose(str(uuid.uuid4()), site["site_id"], "ABV5300") for _ in range(3)]
    await scheduling.publish(doses, twice=True)
    await scheduling.publish([voided(doses[0])], twice=True)

    stock = await poll_until(
        lambda: _stock(scheduling, site["site_id"]),
        accept=lambda s: bool(s["items"]) and s["items"][0]["adjusted"] == 1,
        what="doses and void applied",
    )

    assert first.status_code == 201
    assert first.json()["balance_after"] == 100
    assert repeated.json()["repeated"] is True
    assert wastage.status_code == 201
    assert wastage.json()["balance_after"] == 90
    assert wrong_sign.status_code == 422
    [lot] = stock["items"]
    assert (lot["received"], lot["administered"], lot["wasted"], lot["adjusted"]) == (100, 3, 10, 1)
    assert lot["balance"] == 88
    assert stock["usable_by_product"] == {AZ: 88}
    messages = await read_topic(scheduling.kafka, scheduling.topics.stock, 3)
    assert [m.event_type for m in messages][:2] == ["StockReceived", "StockAdjusted"]


async def test_a_dose_on_an_empty_lot_is_recorded_as_a_discrepancy_and_suspension_flags_lots(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    dose = _dose(str(uuid.uuid4()), site["site_id"], "EMPTY01")
    await scheduling.publish([dose])
    suspended = EXAMPLES["LotSuspended"]
    assert isinstance(suspended, LotSuspended)
    await scheduling.publish(
        [suspended.model_copy(update={"lot_id": lot_id_for(AZ, "EMPTY01"), "product_code": AZ})]
    )

    stock = await poll_until(
        lambda: _stock(scheduling, site["site_id"]),
        # The dose and the suspension travel on different topics: either may land first.
        accept=lambda s: (
            bool(s["items"]) and s["items"][0]["suspended"] and s["items"][0]["administered"] == 1
        ),
        what="dose and suspension applied",
    )

    [lot] = stock["items"]
    assert (lot["administered"], lot["balance"], lot["discrepancy"]) == (1, -1, True)
    assert lot["usable"] is False


async def test_citizens_learnt_from_the_stream_can_book_and_a_dose_completes_the_appointment(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    session = await scheduling.session(site["site_id"])
    registered = EXAMPLES["CitizenRegistered"]
    assert isinstance(registered, CitizenRegistered)
    citizen = uuid.uuid4()
    await scheduling.publish(
        [registered.model_copy(update={"citizen_id": citizen, "account_id": "acc_stream"})]
    )
    body = {"citizen_id": str(citizen), "session_id": session["session_id"], "slot": "s0730"}

    async def book() -> Any:
        return await scheduling.client.post(
            "/api/v1/appointments", json=body, headers=scheduling.citizen("acc_stream")
        )

    response = await poll_until(book, accept=lambda r: r.status_code == 201, what="booking")
    appointment = response.json()
    await scheduling.publish(
        [_dose(str(citizen), site["site_id"], "LOT42", appointment["appointment_id"])]
    )

    async def status() -> str:
        doc = await scheduling.db["appointments"].find_one({"_id": appointment["appointment_id"]})
        return str(doc["status"]) if doc else ""

    await poll_until(status, accept=lambda s: s == "completed", what="completed appointment")
    second = await scheduling.session(site["site_id"], days_ahead=2)
    too_early = await scheduling.client.post(
        "/api/v1/appointments",
        json=body | {"session_id": second["session_id"]},
        headers=scheduling.citizen("acc_stream"),
    )
    mine = await scheduling.client.get(
        "/api/v1/appointments",
        params={"citizen_id": str(citizen)},
        headers=scheduling.citizen("acc_stream"),
    )
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0]["rule"] == "dose_due"
    assert mine.json()["next_dose"]["dose_number"] == 2
    assert mine.json()["next_dose"]["product_code"] == AZ
    due = datetime.now(UTC).date() + timedelta(days=28)
    assert abs((date.fromisoformat(mine.json()["next_dose"]["due_from"]) - due).days) <= 1
    assert [a["status"] for a in mine.json()["items"]] == ["completed"]


async def test_stock_low_is_announced_once_when_supply_runs_out(scheduling: Scheduling) -> None:
    site = await scheduling.site()
    receipt = {
        "site_id": site["site_id"],
        "product_code": AZ,
        "lot_number": "LOW01",
        "expiry_date": "2099-12-31",
        "doses_per_vial": 10,
        "doses_received": 2,
    }
    await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=scheduling.admin)
    doses = [_dose(str(uuid.uuid4()), site["site_id"], "LOW01") for _ in range(3)]
    await scheduling.publish(doses)

    messages = await read_topic(scheduling.kafka, scheduling.topics.stock, 2)

    lows = [m for m in messages if m.event_type == "StockLow"]
    [low] = lows
    assert low.payload.doses_on_hand == 0
    assert low.payload.days_of_supply == 0.0
    await asyncio.sleep(2)
    later = await read_topic(scheduling.kafka, scheduling.topics.stock, 2)
    assert sum(m.event_type == "StockLow" for m in later) == 1
