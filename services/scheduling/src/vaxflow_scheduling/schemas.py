"""HTTP schemas: `XCreate` bodies (strict) and `XRead` answers, each with an example."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vaxflow_servicekit.models import IsoDate, IsoDateTime, StrictModel, Uuid, examples

SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
CITIZEN = "0b5f3f0e-2a7c-4d8e-9f61-3c2b1a0d9e8f"
APPOINTMENT = "5a7d2c1e-9b3f-4e8a-8d6c-1f2e3d4c5b6a"
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["07:30"])]
SlotKey = Annotated[str, Field(pattern=r"^s\d{4}$", description="Slot key: `s` + local HHMM.")]
DoseName = Literal["first", "second", "booster"]
_AREA = {"province_code": "79", "district_code": "760", "ward_code": "26734"}


class AreaBody(StrictModel):
    """Administrative unit codes (2021 units: district required)."""

    model_config = ConfigDict(**examples(_AREA), extra="forbid", strict=True)

    province_code: str = Field(pattern=r"^\d{2}$")
    district_code: str = Field(pattern=r"^\d{3}$")
    ward_code: str = Field(pattern=r"^\d{5}$")


_SITE = {
    "name": "Trạm Y tế Phường Bến Nghé",
    "kind": "fixed",
    "area": _AREA,
    "address": "29 Nguyễn Thị Minh Khai, Bến Nghé",
    "opens": "07:30",
    "closes": "16:30",
    "slot_minutes": 30,
    "daily_capacity": 900,
    "latitude": 10.7769,
    "longitude": 106.7009,
}


class SiteCreate(StrictModel):
    """A new injection site."""

    model_config = ConfigDict(**examples(_SITE), extra="forbid", strict=True)

    site_id: Uuid | None = Field(default=None, description="Chosen id; default: a new one.")
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["fixed", "mobile"] = "fixed"
    area: AreaBody
    address: str | None = Field(default=None, max_length=200)
    opens: HHMM
    closes: HHMM
    slot_minutes: int = Field(ge=5, le=240)
    daily_capacity: int = Field(ge=1, le=20_000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class SiteRead(BaseModel):
    """An injection site."""

    model_config = examples(_SITE | {"site_id": SITE, "created_at": "2026-11-25T01:00:00Z"})

    site_id: str
    name: str
    kind: str
    area: dict[str, str]
    address: str | None
    opens: str
    closes: str
    slot_minutes: int
    daily_capacity: int
    latitude: float | None
    longitude: float | None
    created_at: IsoDateTime


class SitePage(BaseModel):
    """A page of sites."""

    model_config = examples({"items": [], "next_cursor": None})

    items: list[SiteRead]
    next_cursor: str | None


_SESSION = {
    "date": "2026-11-27",
    "product_code": "EU/1/21/1529",
    "doses": ["first", "second"],
    "slot_capacity": 50,
    "campaign_id": None,
    "min_age": 18,
}


class SessionCreate(StrictModel):
    """A new session at a site."""

    model_config = ConfigDict(**examples(_SESSION), extra="forbid", strict=True)

    date: IsoDate
    product_code: str = Field(min_length=1, max_length=64)
    doses: list[DoseName] = Field(min_length=1, max_length=3)
    slot_capacity: int | None = Field(
        default=None, ge=1, le=2000, description="Places per slot; default: daily capacity spread."
    )
    campaign_id: Uuid | None = None
    min_age: int = Field(default=18, ge=0, le=120)


class SlotRead(BaseModel):
    """One slot of a session, with its free places."""

    model_config = examples(
        {
            "slot": "s0730",
            "start": "2026-11-27T00:30:00Z",
            "end": "2026-11-27T01:00:00Z",
            "capacity": 50,
            "free": 12,
        }
    )

    slot: str
    start: IsoDateTime
    end: IsoDateTime
    capacity: int
    free: int


class SessionLot(BaseModel):
    """A lot the site may use in a session."""

    model_config = examples(
        {
            "lot_id": "9d3c4a4e-5a7b-5c1d-8e2f-3a4b5c6d7e8f",
            "lot_number": "ABV5300",
            "expiry_date": "2027-03-31",
            "on_hand": 480,
        }
    )

    lot_id: str
    lot_number: str | None
    expiry_date: IsoDate | None
    on_hand: int = Field(description="Doses on hand by the lot's counter (the ledger's view).")


class SessionRead(BaseModel):
    """A session and its slots."""

    model_config = examples(
        _SESSION
        | {"session_id": SESSION, "site_id": SITE, "capacity": 900, "free": 880, "slots": []}
    )

    session_id: str
    site_id: str
    date: IsoDate
    product_code: str
    doses: list[str]
    min_age: int
    campaign_id: str | None
    capacity: int
    free: int
    slots: list[SlotRead]
    lots: list[SessionLot] = Field(
        default_factory=list,
        description="Lots of the session's product the site holds and may use that day: lots "
        "suspended by monitoring and lots expired by the session's date are left out.",
    )


class SessionPage(BaseModel):
    """A page of sessions."""

    model_config = examples({"items": [], "next_cursor": None})

    items: list[SessionRead]
    next_cursor: str | None


class AppointmentCreate(StrictModel):
    """A citizen of the caller's account asks for a place."""

    model_config = ConfigDict(
        **examples({"citizen_id": CITIZEN, "session_id": SESSION, "slot": "s0730"}),
        extra="forbid",
        strict=True,
    )

    citizen_id: Uuid
    session_id: Uuid
    slot: SlotKey


class AppointmentRead(BaseModel):
    """An appointment, with its QR check-in token."""

    model_config = examples(
        {
            "appointment_id": APPOINTMENT,
            "citizen_id": CITIZEN,
            "site_id": SITE,
            "session_id": SESSION,
            "slot": "s0730",
            "slot_start": "2026-11-27T00:30:00Z",
            "slot_end": "2026-11-27T01:00:00Z",
            "dose_number": 1,
            "dose_kind": "primary",
            "product_code": "EU/1/21/1529",
            "channel": "self_booking",
            "status": "booked",
            "check_in_token": "Wn0sHps_To6NbB8uPUxbaoRmZ2HtE7R1Ku8",  # nosec B105  # OpenAPI example
        }
    )

    appointment_id: str
    citizen_id: str
    site_id: str
    session_id: str
    slot: str
    slot_start: IsoDateTime
    slot_end: IsoDateTime
    dose_number: int
    dose_kind: Literal["primary", "booster"]
    product_code: str
    channel: str
    status: str
    check_in_token: str = Field(description="Shown as a QR code; scanned at check-in.")


class CheckInCreate(StrictModel):
    """An arrival: the scanned QR token, or the citizen id of a walk-in."""

    model_config = ConfigDict(
        **examples(
            {"site_id": SITE, "token": "Wn0sHps_To6NbB8uPUxbaoRmZ2HtE7R1Ku8"},  # nosec B105  # OpenAPI example
            {"site_id": SITE, "citizen_id": CITIZEN},
        ),
        extra="forbid",
        strict=True,
    )

    site_id: Uuid
    token: str | None = Field(default=None, min_length=1, max_length=64)
    citizen_id: Uuid | None = None

    @model_validator(mode="after")
    def _one_way(self) -> CheckInCreate:
        if (self.token is None) == (self.citizen_id is None):
            raise ValueError("give either token (appointment) or citizen_id (walk-in)")
        return self


class CheckInRead(BaseModel):
    """A check-in and the queue number given."""

    model_config = examples(
        {
            "check_in_id": APPOINTMENT,
            "site_id": SITE,
            "citizen_id": CITIZEN,
            "appointment_id": APPOINTMENT,
            "method": "qr_code",
            "queue_number": 17,
            "checked_in_at": "2026-11-27T00:41:00Z",
        }
    )

    check_in_id: str
    site_id: str
    citizen_id: str
    appointment_id: str | None
    method: Literal["qr_code", "walk_in"]
    queue_number: int
    checked_in_at: IsoDateTime


class QueueEntry(BaseModel):
    """One person waiting."""

    model_config = examples(
        {
            "queue_number": 17,
            "method": "qr_code",
            "checked_in_at": "2026-11-27T00:41:00Z",
            "waiting_s": 420,
        }
    )

    queue_number: int
    method: str
    checked_in_at: IsoDateTime
    waiting_s: int


class QueueRead(BaseModel):
    """People checked in and not yet vaccinated, and how long the next arrival should wait."""

    model_config = examples(
        {
            "site_id": SITE,
            "date": "2026-11-27",
            "waiting": 1,
            "longest_wait_s": 420,
            "minutes_per_person": 3.0,
            "expected_wait_s": 180,
            "people": [],
        }
    )

    site_id: str
    date: IsoDate
    waiting: int
    longest_wait_s: int
    minutes_per_person: float
    expected_wait_s: int
    people: list[QueueEntry]


class AvailabilitySlot(BaseModel):
    """Free places in one slot."""

    model_config = examples({"slot": "s0730", "start": "2026-11-27T00:30:00Z", "free": 12})

    slot: str
    start: IsoDateTime
    end: IsoDateTime
    capacity: int
    free: int


class AvailabilitySession(BaseModel):
    """Free places in one session, per slot, and when the figure was read."""

    model_config = examples(
        {
            "site_id": SITE,
            "session_id": SESSION,
            "district": "760",
            "date": "2026-11-27",
            "product_code": "EU/1/21/1529",
            "doses": ["first"],
            "min_age": 18,
            "free": 12,
            "slots": [],
            "computed_at": "2026-11-27T00:41:00.120000+00:00",
        }
    )

    site_id: str
    session_id: str
    district: str
    date: IsoDate
    product_code: str
    doses: list[str]
    min_age: int
    free: int
    slots: list[AvailabilitySlot]
    computed_at: str | None


class AvailabilityRead(BaseModel):
    """Free places per site, session and slot."""

    model_config = examples({"read_at": "2026-11-27T00:41:00Z", "items": [], "next_cursor": None})

    read_at: IsoDateTime
    items: list[AvailabilitySession]
    next_cursor: str | None


class ReceiptCreate(StrictModel):
    """Doses of a lot received at a site."""

    model_config = ConfigDict(
        **examples(
            {
                "site_id": SITE,
                "product_code": "EU/1/21/1529",
                "lot_number": "ABV5300",
                "expiry_date": "2027-03-31",
                "doses_per_vial": 10,
                "doses_received": 1000,
            }
        ),
        extra="forbid",
        strict=True,
    )

    receipt_id: Uuid | None = Field(
        default=None, description="Chosen id; resending the same id changes nothing."
    )
    site_id: Uuid
    product_code: str = Field(min_length=1, max_length=64)
    manufacturer_code: str | None = Field(default=None, min_length=1, max_length=64)
    lot_number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    expiry_date: IsoDate
    doses_per_vial: int = Field(ge=1, le=50)
    doses_received: int = Field(ge=1, le=1_000_000)


class AdjustmentCreate(StrictModel):
    """Wastage (with its reason) or a recount of a lot at a site."""

    model_config = ConfigDict(
        **examples(
            {
                "site_id": SITE,
                "lot_id": "9d3c4a4e-5a7b-5c1d-8e2f-3a4b5c6d7e8f",
                "doses_delta": -10,
                "reason": "opened_vial_expired",
            }
        ),
        extra="forbid",
        strict=True,
    )

    adjustment_id: Uuid | None = Field(
        default=None, description="Chosen id; resending the same id changes nothing."
    )
    site_id: Uuid
    lot_id: Uuid
    doses_delta: int = Field(ge=-1_000_000, le=1_000_000)
    reason: Literal[
        "opened_vial_expired", "cold_chain_failure", "breakage", "lot_expired", "count_correction"
    ]

    @model_validator(mode="after")
    def _not_zero(self) -> AdjustmentCreate:
        if self.doses_delta == 0:
            raise ValueError("doses_delta must not be 0")
        return self


class LedgerEntryRead(BaseModel):
    """The ledger entry a receipt or adjustment made (or found, when repeated)."""

    model_config = examples(
        {
            "entry_id": SESSION,
            "lot_id": "9d3c4a4e-5a7b-5c1d-8e2f-3a4b5c6d7e8f",
            "balance_after": 990,
            "repeated": False,
        }
    )

    entry_id: str
    lot_id: str
    balance_after: int | None = None
    repeated: bool = False


class LotRead(BaseModel):
    """A lot at a site: figures from the ledger and flags."""

    model_config = examples(
        {
            "lot_id": "9d3c4a4e-5a7b-5c1d-8e2f-3a4b5c6d7e8f",
            "product_code": "EU/1/21/1529",
            "lot_number": "ABV5300",
            "expiry_date": "2027-03-31",
            "doses_per_vial": 10,
            "received": 1000,
            "administered": 5,
            "wasted": 10,
            "adjusted": 0,
            "balance": 985,
            "suspended": False,
            "expired": False,
            "discrepancy": False,
            "usable": True,
        }
    )

    lot_id: str
    product_code: str | None
    lot_number: str | None
    expiry_date: str | None
    doses_per_vial: int | None
    received: int
    administered: int
    wasted: int
    adjusted: int
    balance: int
    suspended: bool
    expired: bool
    discrepancy: bool
    usable: bool


class StockRead(BaseModel):
    """A site's stock, recomputed from the ledger."""

    model_config = examples(
        {
            "site_id": SITE,
            "usable_by_product": {"EU/1/21/1529": 985},
            "items": [],
            "next_cursor": None,
        }
    )

    site_id: str
    usable_by_product: dict[str, int]
    items: list[LotRead]
    next_cursor: str | None = None


_CAMPAIGN = {
    "name": "Chiến dịch tiêm chủng TP.HCM",
    "starts_on": "2026-11-25",
    "ends_on": "2026-12-31",
    "dose_target": 930000,
    "site_ids": [SITE],
    "priority_groups": [1, 2, 10],
    "min_age": 18,
    "max_age": None,
}


class CampaignCreate(StrictModel):
    """A new campaign."""

    model_config = ConfigDict(**examples(_CAMPAIGN), extra="forbid", strict=True)

    campaign_id: Uuid | None = None
    name: str = Field(min_length=1, max_length=200)
    starts_on: IsoDate
    ends_on: IsoDate
    dose_target: int = Field(ge=1, le=100_000_000)
    site_ids: list[Uuid] = Field(max_length=5000)
    priority_groups: list[Annotated[int, Field(ge=1, le=16)]] = Field(max_length=16)
    min_age: int = Field(default=18, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)

    @model_validator(mode="after")
    def _dates_in_order(self) -> CampaignCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class CampaignRead(BaseModel):
    """A campaign."""

    model_config = examples(_CAMPAIGN | {"campaign_id": SESSION})

    campaign_id: str
    name: str
    starts_on: IsoDate
    ends_on: IsoDate
    dose_target: int
    site_ids: list[str]
    priority_groups: list[int]
    min_age: int
    max_age: int | None


class CampaignPage(BaseModel):
    """A page of campaigns."""

    model_config = examples({"items": [], "next_cursor": None})

    items: list[CampaignRead]
    next_cursor: str | None


class InvitationCreate(StrictModel):
    """Invite eligible registered citizens, in priority order, into a session's free slots."""

    model_config = ConfigDict(
        **examples({"session_id": SESSION, "count": 50}), extra="forbid", strict=True
    )

    session_id: Uuid
    count: int = Field(ge=1, le=500, description="At most this many invitations.")


class InvitationRead(BaseModel):
    """The appointments the invitation gave."""

    model_config = examples({"session_id": SESSION, "invited": 0, "appointments": []})

    session_id: str
    invited: int
    appointments: list[AppointmentRead]


class WaitlistCreate(StrictModel):
    """A citizen of the caller's account waits for a place in a full session."""

    model_config = ConfigDict(**examples({"citizen_id": CITIZEN}), extra="forbid", strict=True)

    citizen_id: Uuid


class WaitlistRead(BaseModel):
    """The citizen is waiting; places freed go to the first in line who is still eligible."""

    model_config = examples({"session_id": SESSION, "citizen_id": CITIZEN, "waiting": 3})

    session_id: str
    citizen_id: str
    waiting: int


class NextDoseRead(BaseModel):
    """The dose a citizen is due next, from their history and the product's interval rules."""

    model_config = examples(
        {
            "dose_number": 2,
            "dose_kind": "primary",
            "product_code": "EU/1/21/1529",
            "due_from": "2026-12-24",
            "due_until": "2027-02-18",
        }
    )

    dose_number: int
    dose_kind: Literal["primary", "booster"]
    product_code: str | None = Field(description="Required product (a later primary dose).")
    due_from: IsoDate | None = Field(description="Earliest day; null when due now.")
    due_until: IsoDate | None = Field(description="End of the recommended window, if any.")


class CitizenAppointments(BaseModel):
    """A citizen's appointments (newest first) and the dose they are due next."""

    model_config = examples(
        {"citizen_id": CITIZEN, "next_dose": None, "items": [], "next_cursor": None}
    )

    citizen_id: str
    next_dose: NextDoseRead
    items: list[AppointmentRead]
    next_cursor: str | None = None
