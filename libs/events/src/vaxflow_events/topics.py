"""The topic registry: which events travel on which topic, keyed by which payload field."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import get_args

from vaxflow_events.aefi import AefiClassified, AefiReported
from vaxflow_events.appointment import AppointmentBooked, AppointmentCancelled, CitizenCheckedIn
from vaxflow_events.audit import CertificateReadByStaff, DosesReadByStaff
from vaxflow_events.base import Event
from vaxflow_events.certificate import CertificateIssued, CertificateRevoked
from vaxflow_events.citizen import CitizenRegistered, CitizenUpdated
from vaxflow_events.dose import (
    DoseAdministered,
    DoseCorrected,
    DoseVoided,
    ObservationCompleted,
    ScreeningRecorded,
)
from vaxflow_events.lot import LotReleased, LotSignalRaised, LotSuspended
from vaxflow_events.reminder import NextDoseDue
from vaxflow_events.stock import StockAdjusted, StockLow, StockReceived

_NAME = re.compile(r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$")


@dataclass(frozen=True)
class Topic:
    """A Kafka topic `<producer>.<stream>.v<major>` and the events it carries."""

    name: str
    key_field: str
    events: tuple[type[Event], ...]
    description: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"topic name {self.name!r} is not <producer>.<stream>.v<major>")
        for event in self.events:
            field = event.model_fields.get(self.key_field)
            if field is None or not field.is_required() or type(None) in get_args(field.annotation):
                raise ValueError(f"{event.event_type} has no required key field {self.key_field!r}")

    @property
    def producer(self) -> str:
        """The service that alone writes to this topic."""
        return self.name.split(".")[0]

    @property
    def stream(self) -> str:
        """The topic name without its major version, e.g. `injection.dose`."""
        return self.name.rsplit(".", 1)[0]

    @property
    def major(self) -> int:
        """The major version: a change that breaks consumers needs a new one."""
        return int(self.name.rsplit(".v", 1)[1])

    def key_of(self, payload: Event) -> str:
        """Return the message key of a payload carried on this topic."""
        return str(getattr(payload, self.key_field))


TOPICS: tuple[Topic, ...] = (
    Topic(
        name="registration.citizen.v1",
        key_field="citizen_id",
        events=(CitizenRegistered, CitizenUpdated),
        description="Citizens registered and their changes, with the holder snapshot.",
    ),
    # Check-ins ride with the appointments they settle, keyed by citizen, so a cancellation and
    # a later check-in of the same person arrive in order.
    Topic(
        name="scheduling.appointment.v1",
        key_field="citizen_id",
        events=(AppointmentBooked, AppointmentCancelled, CitizenCheckedIn),
        description="Appointments booked and cancelled, and arrivals at sites, per citizen.",
    ),
    Topic(
        name="scheduling.stock.v1",
        key_field="site_id",
        events=(StockReceived, StockAdjusted, StockLow),
        description="The stock ledger of each site: receipts, adjustments and low-stock warnings.",
    ),
    # Screening and observation are keyed by citizen with the dose, so consumers see screening,
    # dose, observation and correction of one person in the order they happened.
    # Reminders ride apart from the appointments: a consumer of the appointment stream that
    # predates them is not handed an event type it does not know. Keyed by citizen.
    Topic(
        name="scheduling.reminder.v1",
        key_field="citizen_id",
        events=(NextDoseDue,),
        description="Citizens whose next dose is due and who hold no appointment for it, once "
        "per citizen and dose.",
    ),
    Topic(
        name="injection.dose.v1",
        key_field="citizen_id",
        events=(
            ScreeningRecorded,
            DoseAdministered,
            DoseCorrected,
            DoseVoided,
            ObservationCompleted,
        ),
        description="Everything that happens to a citizen at the site: screening, dose, "
        "observation, and later corrections, in order per citizen.",
    ),
    Topic(
        name="certificate.certificate.v1",
        key_field="citizen_id",
        events=(CertificateIssued, CertificateRevoked),
        description="Certificates issued and revoked, per citizen.",
    ),
    # Monitoring alone writes AefiReported, whatever the source; serious reactions seen at the
    # site reach it as ObservationCompleted (see aefi.py). Keyed by the vaccinated person: a
    # case's report and classification stay in order, and the lot is in every payload.
    Topic(
        name="monitoring.aefi.v1",
        key_field="citizen_id",
        events=(AefiReported, AefiClassified),
        description="Every adverse event case, whatever its source, per vaccinated person.",
    ),
    Topic(
        name="monitoring.lot.v1",
        key_field="lot_id",
        events=(LotSignalRaised, LotSuspended, LotReleased),
        description="Safety signals, suspensions and releases of vaccine lots, per lot.",
    ),
    # Staff reads of personal data, one topic per service that shows it (ids only); registration
    # keeps the district-indexed audit copy. Keyed by citizen.
    Topic(
        name="injection.staff-read.v1",
        key_field="citizen_id",
        events=(DosesReadByStaff,),
        description="Staff reads of a citizen's dose records: who, why, when, outcome.",
    ),
    Topic(
        name="certificate.staff-read.v1",
        key_field="citizen_id",
        events=(CertificateReadByStaff,),
        description="Staff reads of a citizen's certificate, QR code or PDF: who, why, when.",
    ),
)

ALL_EVENTS: tuple[type[Event], ...] = tuple(event for topic in TOPICS for event in topic.events)


def topic_for(event: type[Event] | str, topics: Iterable[Topic] = TOPICS) -> Topic:
    """Return the topic that carries an event class or event type name."""
    event_type = event if isinstance(event, str) else event.event_type
    for topic in topics:
        if any(candidate.event_type == event_type for candidate in topic.events):
            return topic
    raise LookupError(
        f"no topic carries {event_type!r}; for an event outside vaxflow_events.TOPICS, "
        "pass its Topic (Envelope.new(..., topic=...), EventRegistry(..., topics=[...]))"
    )
