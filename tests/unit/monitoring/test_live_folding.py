"""Folding events into the live aggregates, and the summary built from them (no I/O).

An in-memory applier plays the database's part: it applies `$inc`, `$set`, `$unset` and
`$max` the way MongoDB does, so the tests see what the documents would hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vaxflow_monitoring.live.folding import (
    Consumed,
    DocUpdate,
    DoseTimes,
    Folder,
    Keys,
    fold,
    lag_bucket,
    plan,
)
from vaxflow_monitoring.live.picture import Aggregates, Summarizer, percentile
from vaxflow_monitoring.live_settings import LiveSettings

from vaxflow_events import (
    AdminArea,
    AppointmentBooked,
    BookingChannel,
    CertificateIssued,
    CertificateLevel,
    CheckInMethod,
    CitizenCheckedIn,
    DoseAdministered,
    DoseKind,
    Envelope,
    Event,
    Holder,
    StockReceived,
    Vaccination,
    lot_id_for,
)
from vaxflow_events.dose import BodySite

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
SITE = uuid.UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01")
AREA = AdminArea(province_code="79", district_code="760", ward_code="26734")
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Ho Chi Minh City
LOT = lot_id_for("EU/1/20/1528", "FF2587")
KEYS = Keys("g")


class Documents:
    """The aggregate collection in memory, updated as MongoDB would."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    def high_water(self, doc: str, tp: str) -> int:
        return int(self.docs.get(doc, {}).get("hw", {}).get(tp, -1))

    def apply(self, updates: dict[str, DocUpdate]) -> None:
        for doc_id, update in updates.items():
            doc = self.docs.setdefault(doc_id, {"_id": doc_id})
            ops = update.operations()
            for path, amount in ops.get("$inc", {}).items():
                _put(doc, path, _get(doc, path, 0) + amount)
            for path, value in ops.get("$set", {}).items():
                _put(doc, path, value)
            for path in ops.get("$unset", {}):
                parent, _, leaf = path.rpartition(".")
                (_get(doc, parent, {}) if parent else doc).pop(leaf, None)
            for path, value in ops.get("$max", {}).items():
                _put(doc, path, max(_get(doc, path, -1), value))

    def aggregates(self, day: str) -> Aggregates:
        docs = list(self.docs.values())
        return Aggregates(
            day=self.docs.get(KEYS.day(day), {}),
            site_days=[d for d in docs if d.get("kind") == "site" and d.get("date") == day],
            sites=[d for d in docs if d.get("kind") == "sitetotal"],
            totals=self.docs.get(KEYS.totals(), {}),
            safety=self.docs.get(KEYS.safety(), {}),
        )


def _get(doc: dict[str, Any], path: str, default: Any) -> Any:
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return default
        doc = doc[part]
    return doc


def _put(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[leaf] = value


def folder() -> Folder:
    return Folder(KEYS, ICT, DoseTimes(1000))


def consumed(
    events: Sequence[tuple[Event, datetime]], tp: str = "t~0", start: int = 0
) -> list[Consumed]:
    return [
        Consumed(tp, start + i, Envelope.new(e, producer="test", occurred_at=at))
        for i, (e, at) in enumerate(events)
    ]


def dose(citizen: uuid.UUID, at: datetime, dose_id: uuid.UUID | None = None) -> DoseAdministered:
    return DoseAdministered(
        dose_id=dose_id or uuid.uuid4(),
        citizen_id=citizen,
        site_id=SITE,
        appointment_id=None,
        screening_id=uuid.uuid4(),
        holder=Holder(
            family_name="Nguyễn",
            given_name="An",
            family_name_icao="NGUYEN",
            given_name_icao="AN",
            date_of_birth=date(1990, 1, 1),
        ),
        residence=AREA,
        site_area=AREA,
        vaccination=Vaccination(
            product_code="EU/1/20/1528",
            manufacturer_code="ORG-100030215",
            vaccine_type_code="J07BX03",
            target_disease_code="840539006",
            lot_id=LOT,
            lot_number="FF2587",
            dose_number=1,
            series_doses=2,
            dose_kind=DoseKind.PRIMARY,
            administered_at=at,
            administered_on=at.astimezone(ICT).date(),
        ),
        body_site=BodySite.LEFT_DELTOID,
        administered_by=uuid.uuid4(),
        captured_offline=False,
    )


def check_in(citizen: uuid.UUID) -> CitizenCheckedIn:
    return CitizenCheckedIn(
        check_in_id=uuid.uuid4(),
        citizen_id=citizen,
        site_id=SITE,
        appointment_id=None,
        method=CheckInMethod.WALK_IN,
        queue_number=1,
        site_area=AREA,
    )


def summarize(docs: Documents, now: datetime = NOW) -> Any:
    return Summarizer(LiveSettings(), ICT).summary(docs.aggregates("2026-11-26"), now)


def test_doses_count_today_by_local_hour_area_and_site() -> None:
    docs = Documents()
    at = NOW - timedelta(minutes=30)  # 09:30 local
    docs.apply(fold(plan(folder(), consumed([(dose(uuid.uuid4(), at), at)] * 3)), docs.high_water))

    summary = summarize(docs)

    assert summary.doses.today == 3
    assert summary.doses.total == 3
    assert [(h.hour.hour, h.doses) for h in summary.doses.by_hour] == [(9, 3)]
    (area,) = summary.doses.by_area
    assert (area.district_code, area.district_name, area.doses_today) == ("760", "Quận 1", 3)
    assert summary.sites[0].doses_today == 3
    assert summary.coverage[0].doses == 3


def test_a_batch_of_many_events_becomes_one_update_per_document() -> None:
    at = NOW - timedelta(minutes=5)
    events = [(dose(uuid.uuid4(), at), at) for _ in range(500)]

    updates = fold(plan(folder(), consumed(events)), lambda doc, tp: -1)

    assert set(updates) == {
        KEYS.day("2026-11-26"),
        KEYS.site_day("2026-11-26", str(SITE)),
        KEYS.site(str(SITE)),
        KEYS.totals(),
    }
    assert updates[KEYS.totals()].operations()["$inc"] == {"doses": 500}


def test_a_redelivered_batch_changes_nothing_even_cut_differently() -> None:
    docs = Documents()
    at = NOW - timedelta(minutes=5)
    batch = consumed([(dose(uuid.uuid4(), at), at) for _ in range(10)])
    docs.apply(fold(plan(folder(), batch[:6]), docs.high_water))

    docs.apply(fold(plan(folder(), batch[:4]), docs.high_water))
    docs.apply(fold(plan(folder(), batch[2:]), docs.high_water))

    assert summarize(docs).doses.today == 10


def test_people_wait_from_check_in_until_their_dose() -> None:
    docs = Documents()
    first, second = uuid.uuid4(), uuid.uuid4()
    arrived = NOW - timedelta(minutes=14)
    events = [(check_in(first), arrived), (check_in(second), NOW - timedelta(minutes=2))]
    docs.apply(fold(plan(folder(), consumed(events)), docs.high_water))
    vaccinated = [(dose(first, NOW - timedelta(minutes=1)), NOW - timedelta(minutes=1))]
    docs.apply(fold(plan(folder(), consumed(vaccinated, start=2)), docs.high_water))

    site = summarize(docs).sites[0]

    assert site.waiting == 1
    assert 110 <= site.longest_wait_s <= 130
    assert summarize(docs).appointments.checked_in_today == 2


def test_a_check_in_and_dose_in_one_batch_leave_nobody_waiting() -> None:
    docs = Documents()
    citizen = uuid.uuid4()
    events = [(dose(citizen, NOW), NOW), (check_in(citizen), NOW - timedelta(minutes=20))]

    docs.apply(fold(plan(folder(), consumed(events)), docs.high_water))

    assert summarize(docs).sites[0].waiting == 0


def test_days_of_supply_are_the_ledger_balance_less_doses_over_the_day_pace() -> None:
    docs = Documents()
    receipt = StockReceived(
        receipt_id=uuid.uuid4(),
        site_id=SITE,
        lot_id=LOT,
        product_code="EU/1/20/1528",
        manufacturer_code="ORG-100030215",
        lot_number="FF2587",
        expiry_date=date(2027, 1, 1),
        doses_per_vial=6,
        doses_received=120,
        balance_after=120,
    )
    early = NOW - timedelta(hours=2)  # 08:00 local, after the day started at 07:00
    events = [(receipt, early)] + [(dose(uuid.uuid4(), NOW), NOW)] * 30
    docs.apply(fold(plan(folder(), consumed(events)), docs.high_water))

    site = summarize(docs).sites[0]

    # 30 doses in 3 working hours: 100 a day over a 10-hour day; 90 doses left.
    assert site.days_of_supply == 0.9


def test_booked_appointments_count_against_session_capacity_on_the_slot_date() -> None:
    docs = Documents()
    session = uuid.uuid4()
    slot = NOW + timedelta(hours=1)

    def booking() -> AppointmentBooked:
        return AppointmentBooked(
            appointment_id=uuid.uuid4(),
            citizen_id=uuid.uuid4(),
            site_id=SITE,
            site_area=AREA,
            session_id=session,
            campaign_id=None,
            slot_start=slot,
            slot_end=slot + timedelta(minutes=30),
            session_capacity=300,
            product_code="EU/1/20/1528",
            dose_number=1,
            dose_kind=DoseKind.PRIMARY,
            channel=BookingChannel.SELF_BOOKING,
        )

    events = [(booking(), NOW - timedelta(days=2)) for _ in range(4)]
    docs.apply(fold(plan(folder(), consumed(events)), docs.high_water))

    appointments = summarize(docs).appointments
    assert (appointments.booked_today, appointments.capacity_today) == (4, 300)


def test_the_certificate_lag_runs_from_the_dose_event_to_the_certificate_event() -> None:
    docs = Documents()
    f = folder()
    events: list[tuple[Event, datetime]] = []
    for lag_ms in (300, 400, 450, 900):
        dose_id = uuid.uuid4()
        events.append((dose(uuid.uuid4(), NOW, dose_id), NOW))
        certificate = CertificateIssued(
            certificate_id=uuid.uuid4(),
            uvci="URN:UVCI:01:VN:ABC123#K",
            citizen_id=uuid.uuid4(),
            dose_id=dose_id,
            level=CertificateLevel.PARTIAL,
            dose_number=1,
            series_doses=2,
            issued_at=NOW,
            expires_at=NOW + timedelta(days=365),
            signer_kid="a2lk",
            replaces_certificate_id=None,
        )
        events.append((certificate, NOW + timedelta(milliseconds=lag_ms)))
    docs.apply(fold(plan(f, consumed(events)), docs.high_water))

    certificates = summarize(docs).certificates

    assert certificates.issued_today == 4
    assert certificates.lag_p50_s is not None
    assert 0.25 <= certificates.lag_p50_s <= 0.5
    assert certificates.lag_p99_s is not None
    assert 0.75 <= certificates.lag_p99_s <= 1.0


def test_lag_buckets_and_percentiles() -> None:
    assert lag_bucket(0.05) == "100"
    assert lag_bucket(0.9) == "1000"
    assert lag_bucket(1000) == "inf"
    assert percentile({}, 0.5) is None
    assert percentile({"1000": 10}, 0.5) == 0.875


def test_sites_are_named_as_scheduling_calls_them_else_from_the_data_file() -> None:
    docs = Documents()
    other = uuid.UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02")
    labelled = check_in(uuid.uuid4()).model_copy(update={"site_label": "Nhà văn hóa Phường 5"})
    unlabelled = check_in(uuid.uuid4()).model_copy(update={"site_id": other})
    events = [(labelled, NOW), (unlabelled, NOW)]
    docs.apply(fold(plan(folder(), consumed(events)), docs.high_water))

    names = {s.site_id: s.name for s in summarize(docs).sites}

    assert names[str(SITE)] == "Nhà văn hóa Phường 5"
    assert names[str(other)] == "Trạm y tế phường Võ Thị Sáu (Quận 3)"
