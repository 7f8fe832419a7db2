"""One realistic example of every event, for the published documents and the contract tests.

The people, ids and lots are invented; codes come from the EU DCC value sets and the official
administrative unit lists of Ho Chi Minh City (2021 units).
"""

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid5

from vaxflow_events.aefi import AefiCausality, AefiClassified, AefiOutcome, AefiReported, AefiSource
from vaxflow_events.appointment import (
    AppointmentBooked,
    AppointmentCancelled,
    BookingChannel,
    CancellationReason,
    CheckInMethod,
    CitizenCheckedIn,
)
from vaxflow_events.audit import (
    CertificateReadByStaff,
    DosesReadByStaff,
    ReadOutcome,
    StaffRead,
    StaffRole,
)
from vaxflow_events.base import Event
from vaxflow_events.certificate import (
    CertificateIssued,
    CertificateLevel,
    CertificateRevoked,
    RevocationReason,
)
from vaxflow_events.citizen import (
    CitizenField,
    CitizenRegistered,
    CitizenUpdated,
    RegistrationChannel,
    Sex,
)
from vaxflow_events.common import (
    AdminArea,
    DoseKind,
    Holder,
    ReactionSeverity,
    SeriousnessCriterion,
)
from vaxflow_events.dose import (
    BodySite,
    DoseAdministered,
    DoseCorrected,
    DoseVoided,
    ObservationCompleted,
    ObservedReaction,
    ScreeningOutcome,
    ScreeningRecorded,
    Vaccination,
    VoidReason,
)
from vaxflow_events.envelope import Envelope
from vaxflow_events.lot import (
    LotReleased,
    LotSignalRaised,
    LotSuspended,
    ReleaseReason,
    SignalRule,
    SuspensionReason,
    lot_id_for,
)
from vaxflow_events.reminder import NextDoseDue
from vaxflow_events.stock import StockAdjusted, StockAdjustmentReason, StockLow, StockReceived
from vaxflow_events.topics import topic_for

_NAMESPACE = UUID("9c7d2b6e-3f1a-4e8b-a5d4-0b6c2e9f7a13")
_ICT = timezone(timedelta(hours=7))


def _id(label: str) -> UUID:
    return uuid5(_NAMESPACE, label)


CITIZEN = _id("citizen")
SITE = _id("site")
VACCINATOR = _id("staff-vaccinator")
DOCTOR = _id("staff-doctor")
MANAGER = _id("staff-site-manager")
OPERATOR = _id("staff-mcc-operator")
LOT = lot_id_for("EU/1/20/1528", "FF2587")
OTHER_LOT = lot_id_for("EU/1/20/1528", "FF2588")

HOLDER = Holder(
    family_name="Nguyễn",
    given_name="Văn An",
    family_name_icao="NGUYEN",
    given_name_icao="VAN<AN",
    date_of_birth=date(1985, 3, 14),
)
RESIDENCE = AdminArea(province_code="79", district_code="760", ward_code="26734")
SITE_AREA = AdminArea(province_code="79", district_code="770", ward_code="27139")
SLOT = datetime(2021, 8, 10, 9, 0, tzinfo=_ICT)
INJECTED = datetime(2021, 8, 10, 9, 12, tzinfo=_ICT)

VACCINATION = Vaccination(
    product_code="EU/1/20/1528",
    manufacturer_code="ORG-100030215",
    vaccine_type_code="1119349007",
    target_disease_code="840539006",
    lot_id=LOT,
    lot_number="FF2587",
    dose_number=2,
    series_doses=2,
    dose_kind=DoseKind.PRIMARY,
    administered_at=INJECTED,
    administered_on=date(2021, 8, 10),
)
CORRECTED = VACCINATION.model_copy(update={"lot_id": OTHER_LOT, "lot_number": "FF2588"})


def _citizen_events() -> list[Event]:
    return [
        CitizenRegistered(
            citizen_id=CITIZEN,
            holder=HOLDER,
            sex=Sex.MALE,
            residence=RESIDENCE,
            priority_group=8,
            channel=RegistrationChannel.SELF_SERVICE,
            import_id=None,
        ),
        CitizenUpdated(
            citizen_id=CITIZEN,
            holder=HOLDER,
            sex=Sex.MALE,
            residence=RESIDENCE.model_copy(update={"ward_code": "26737"}),
            priority_group=8,
            changed_fields=(CitizenField.RESIDENCE,),
            changed_by="citizen",
        ),
    ]


def _appointment_events() -> list[Event]:
    return [
        AppointmentBooked(
            appointment_id=_id("appointment"),
            citizen_id=CITIZEN,
            site_id=SITE,
            session_id=_id("session"),
            campaign_id=_id("campaign"),
            slot_start=SLOT,
            slot_end=SLOT + timedelta(minutes=30),
            session_capacity=1200,
            product_code="EU/1/20/1528",
            dose_number=2,
            dose_kind=DoseKind.PRIMARY,
            channel=BookingChannel.INVITATION,
        ),
        AppointmentCancelled(
            appointment_id=_id("earlier-appointment"),
            citizen_id=CITIZEN,
            site_id=SITE,
            session_id=_id("earlier-session"),
            slot_start=SLOT - timedelta(days=2),
            reason=CancellationReason.REBOOKED,
        ),
        CitizenCheckedIn(
            check_in_id=_id("check-in"),
            citizen_id=CITIZEN,
            site_id=SITE,
            appointment_id=_id("appointment"),
            method=CheckInMethod.QR_CODE,
            queue_number=214,
        ),
    ]


def _reminder_events() -> list[Event]:
    return [
        NextDoseDue(
            reminder_id=_id("reminder"),
            citizen_id=CITIZEN,
            dose_number=2,
            product_code="EU/1/20/1528",
            due_from=date(2021, 8, 31),
            due_until=date(2021, 9, 7),
        ),
    ]


def _stock_events() -> list[Event]:
    return [
        StockReceived(
            receipt_id=_id("receipt"),
            site_id=SITE,
            lot_id=LOT,
            product_code="EU/1/20/1528",
            manufacturer_code="ORG-100030215",
            lot_number="FF2587",
            expiry_date=date(2021, 11, 30),
            doses_per_vial=6,
            doses_received=1950,
            balance_after=2310,
        ),
        StockAdjusted(
            adjustment_id=_id("adjustment"),
            site_id=SITE,
            lot_id=LOT,
            product_code="EU/1/20/1528",
            doses_delta=-4,
            reason=StockAdjustmentReason.OPENED_VIAL_EXPIRED,
            dose_id=None,
            adjusted_by=MANAGER,
            balance_after=1486,
        ),
        StockLow(
            site_id=SITE,
            product_code="EU/1/20/1528",
            doses_on_hand=1486,
            doses_per_day=1020.5,
            days_of_supply=1.46,
            threshold_days=2.0,
        ),
    ]


def _dose_events() -> list[Event]:
    return [
        ScreeningRecorded(
            screening_id=_id("screening"),
            citizen_id=CITIZEN,
            site_id=SITE,
            appointment_id=_id("appointment"),
            product_code="EU/1/20/1528",
            outcome=ScreeningOutcome.ELIGIBLE,
            proposed_outcome=ScreeningOutcome.ELIGIBLE,
            postponed_until=None,
            contraindicated_products=(),
            screened_by=DOCTOR,
        ),
        DoseAdministered(
            dose_id=_id("dose"),
            citizen_id=CITIZEN,
            site_id=SITE,
            appointment_id=_id("appointment"),
            screening_id=_id("screening"),
            holder=HOLDER,
            residence=RESIDENCE,
            site_area=SITE_AREA,
            vaccination=VACCINATION,
            body_site=BodySite.LEFT_DELTOID,
            administered_by=VACCINATOR,
            captured_offline=False,
        ),
        DoseCorrected(
            correction_id=_id("correction"),
            dose_id=_id("dose"),
            citizen_id=CITIZEN,
            site_id=SITE,
            holder=HOLDER,
            previous=VACCINATION,
            current=CORRECTED,
            corrected_by=MANAGER,
        ),
        DoseVoided(
            dose_id=_id("duplicate-dose"),
            citizen_id=CITIZEN,
            site_id=SITE,
            reason=VoidReason.DUPLICATE_RECORD,
            vaccination=VACCINATION,
            voided_by=MANAGER,
        ),
        ObservationCompleted(
            observation_id=_id("observation"),
            dose_id=_id("dose"),
            citizen_id=CITIZEN,
            site_id=SITE,
            observed_minutes=30,
            reactions=(
                ObservedReaction(
                    code="injection_site_pain", severity=ReactionSeverity.MILD, onset_minutes=10
                ),
            ),
            serious=False,
            seriousness=(),
            observed_by=VACCINATOR,
        ),
    ]


def _certificate_events() -> list[Event]:
    return [
        CertificateIssued(
            certificate_id=_id("certificate"),
            uvci="URN:UVCI:01:VN:79/2021/0004D8F1A2#6",
            citizen_id=CITIZEN,
            dose_id=_id("dose"),
            level=CertificateLevel.COMPLETE,
            dose_number=2,
            series_doses=2,
            issued_at=datetime(2021, 8, 10, 2, 12, 1, tzinfo=UTC),
            expires_at=datetime(2022, 8, 10, 2, 12, 1, tzinfo=UTC),
            signer_kid="ZEdbDU0lL6E=",
            replaces_certificate_id=None,
        ),
        CertificateRevoked(
            certificate_id=_id("certificate"),
            uvci="URN:UVCI:01:VN:79/2021/0004D8F1A2#6",
            citizen_id=CITIZEN,
            dose_id=_id("dose"),
            reason=RevocationReason.DOSE_CORRECTED,
        ),
    ]


def _monitoring_events() -> list[Event]:
    return [
        AefiReported(
            aefi_id=_id("aefi"),
            citizen_id=CITIZEN,
            dose_id=_id("dose"),
            lot_id=LOT,
            product_code="EU/1/20/1528",
            source=AefiSource.SITE_OBSERVATION,
            observation_id=_id("observation"),
            onset_at=INJECTED + timedelta(minutes=8),
            symptom_codes=("urticaria", "dyspnoea", "hypotension"),
            severity=ReactionSeverity.SEVERE,
            outcome=AefiOutcome.RECOVERING,
            serious=True,
            seriousness=(SeriousnessCriterion.HOSPITALISATION,),
        ),
        AefiClassified(
            aefi_id=_id("aefi"),
            citizen_id=CITIZEN,
            lot_id=LOT,
            causality=AefiCausality.A1_VACCINE_PRODUCT,
            serious=True,
            seriousness=(SeriousnessCriterion.HOSPITALISATION,),
            classified_by=OPERATOR,
        ),
        LotSignalRaised(
            signal_id=_id("signal"),
            lot_id=LOT,
            product_code="EU/1/20/1528",
            lot_number="FF2587",
            rule=SignalRule.SERIOUS_CASES_IN_WINDOW,
            window_start=datetime(2021, 8, 9, 2, 0, tzinfo=UTC),
            window_end=datetime(2021, 8, 10, 2, 0, tzinfo=UTC),
            serious_cases=4,
            doses_administered=38210,
            observed_value=4.0,
            threshold=3.0,
        ),
        LotSuspended(
            lot_id=LOT,
            product_code="EU/1/20/1528",
            lot_number="FF2587",
            reason=SuspensionReason.SAFETY_SIGNAL,
            signal_id=_id("signal"),
            suspended_by=OPERATOR,
        ),
        LotReleased(
            lot_id=LOT,
            product_code="EU/1/20/1528",
            lot_number="FF2587",
            reason=ReleaseReason.INVESTIGATION_CLEARED,
            released_by=OPERATOR,
        ),
    ]


def _staff_read(
    kind: type[StaffRead], label: str, resource_kind: str, resource_id: UUID | None
) -> StaffRead:
    return kind(
        read_id=_id(label),
        citizen_id=CITIZEN,
        reader_id=str(OPERATOR),
        reader_role=StaffRole.MCC_OPERATOR,
        reader_site_id=None,
        reader_district=None,
        resource_kind=resource_kind,
        resource_id=resource_id,
        reason="AEFI case follow-up",
        outcome=ReadOutcome.SHOWN,
        record_districts=("760",),
        read_at=datetime(2021, 8, 11, 3, 0, tzinfo=UTC),
    )


def _staff_read_events() -> list[Event]:
    return [
        _staff_read(DosesReadByStaff, "doses-read", "doses", None),
        _staff_read(
            CertificateReadByStaff, "certificate-read", "certificate_pdf", _id("certificate")
        ),
    ]


EXAMPLES: dict[str, Event] = {
    event.event_type: event
    for event in [
        *_citizen_events(),
        *_appointment_events(),
        *_reminder_events(),
        *_stock_events(),
        *_dose_events(),
        *_certificate_events(),
        *_monitoring_events(),
        *_staff_read_events(),
    ]
}
"""One example payload per event type."""


def example_envelope(event: Event) -> Envelope[Event]:
    """Wrap an example in an envelope with fixed ids and times, so documents are reproducible."""
    return Envelope.new(
        event,
        producer=topic_for(type(event)).producer,
        event_id=_id(f"event-{event.event_type}"),
        correlation_id=str(_id("flow")),
        occurred_at=datetime(2021, 8, 10, 2, 12, 0, tzinfo=UTC),
    )
