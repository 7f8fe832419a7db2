"""From stored objects to HTTP answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from vaxflow_scheduling.domain.sites import Site
from vaxflow_scheduling.domain.tokens import issue_token
from vaxflow_scheduling.schemas import (
    AppointmentRead,
    SessionLot,
    SessionRead,
    SiteRead,
    SlotRead,
)
from vaxflow_scheduling.store.appointments import Appointment
from vaxflow_scheduling.store.sessions import StoredSession
from vaxflow_scheduling.store.sites import area_document
from vaxflow_servicekit.mongo import Document


def site_read(site: Site) -> SiteRead:
    """A site as answered."""
    return SiteRead(
        site_id=site.site_id,
        name=site.name,
        kind=site.kind.value,
        area=area_document(site.area),
        address=site.address,
        opens=site.opens.strftime("%H:%M"),
        closes=site.closes.strftime("%H:%M"),
        slot_minutes=site.slot_minutes,
        daily_capacity=site.daily_capacity,
        latitude=site.latitude,
        longitude=site.longitude,
        created_at=site.created_at,
    )


def session_read(stored: StoredSession, lots: Sequence[Document] = ()) -> SessionRead:
    """A session and its counters as answered, with the lots the site may use in it."""
    s = stored.session
    return SessionRead(
        session_id=s.session_id,
        site_id=s.site_id,
        date=s.day,
        product_code=s.product_code,
        doses=[d.value for d in s.doses],
        min_age=s.min_age,
        campaign_id=s.campaign_id,
        capacity=s.capacity,
        free=stored.free_places,
        slots=[
            SlotRead(
                slot=x.key,
                start=x.start,
                end=x.end,
                capacity=x.capacity,
                free=stored.free.get(x.key, 0),
            )
            for x in s.slots
        ],
        lots=[_session_lot(lot) for lot in lots],
    )


def _session_lot(lot: Document) -> SessionLot:
    expiry = lot.get("expiry_date")
    return SessionLot(
        lot_id=lot["lot_id"],
        lot_number=lot.get("lot_number"),
        expiry_date=date.fromisoformat(expiry) if expiry else None,
        on_hand=int(lot.get("on_hand", 0)),
    )


def appointment_read(a: Appointment, key: bytes) -> AppointmentRead:
    """An appointment with its check-in token."""
    return AppointmentRead(
        appointment_id=a.appointment_id,
        citizen_id=a.citizen_id,
        site_id=a.site_id,
        session_id=a.session_id,
        slot=a.slot_key,
        slot_start=a.slot_start,
        slot_end=a.slot_end,
        dose_number=a.dose_number,
        dose_kind="booster" if a.booster else "primary",
        product_code=a.product_code,
        channel=a.channel,
        status=a.status.value,
        check_in_token=issue_token(key, UUID(a.appointment_id)),
    )
