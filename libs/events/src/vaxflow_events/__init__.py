"""VaxFlow event contracts: the envelope, every event, the topic registry. No I/O."""

from vaxflow_events.aefi import (
    AefiCausality,
    AefiClassified,
    AefiOutcome,
    AefiReported,
    AefiSource,
)
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
from vaxflow_events.base import Event, UtcDatetime, ValueObject
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
from vaxflow_events.envelope import HEADER_FIELDS, Envelope, envelope_type
from vaxflow_events.lot import (
    LotReleased,
    LotSignalRaised,
    LotSuspended,
    ReleaseReason,
    SignalRule,
    SuspensionReason,
    lot_id_for,
)
from vaxflow_events.registry import REGISTRY, EventRegistry, InvalidMessage
from vaxflow_events.reminder import NextDoseDue
from vaxflow_events.stock import StockAdjusted, StockAdjustmentReason, StockLow, StockReceived
from vaxflow_events.topics import ALL_EVENTS, TOPICS, Topic, topic_for

__all__ = [
    "ALL_EVENTS",
    "HEADER_FIELDS",
    "REGISTRY",
    "TOPICS",
    "AdminArea",
    "AefiCausality",
    "AefiClassified",
    "AefiOutcome",
    "AefiReported",
    "AefiSource",
    "AppointmentBooked",
    "AppointmentCancelled",
    "BodySite",
    "BookingChannel",
    "CancellationReason",
    "CertificateIssued",
    "CertificateLevel",
    "CertificateReadByStaff",
    "CertificateRevoked",
    "CheckInMethod",
    "CitizenCheckedIn",
    "CitizenField",
    "CitizenRegistered",
    "CitizenUpdated",
    "DoseAdministered",
    "DoseCorrected",
    "DoseKind",
    "DoseVoided",
    "DosesReadByStaff",
    "Envelope",
    "Event",
    "EventRegistry",
    "Holder",
    "InvalidMessage",
    "LotReleased",
    "LotSignalRaised",
    "LotSuspended",
    "NextDoseDue",
    "ObservationCompleted",
    "ObservedReaction",
    "ReactionSeverity",
    "ReadOutcome",
    "RegistrationChannel",
    "ReleaseReason",
    "RevocationReason",
    "ScreeningOutcome",
    "ScreeningRecorded",
    "SeriousnessCriterion",
    "Sex",
    "SignalRule",
    "StaffRead",
    "StaffRole",
    "StockAdjusted",
    "StockAdjustmentReason",
    "StockLow",
    "StockReceived",
    "SuspensionReason",
    "Topic",
    "UtcDatetime",
    "Vaccination",
    "ValueObject",
    "VoidReason",
    "envelope_type",
    "lot_id_for",
    "topic_for",
]
