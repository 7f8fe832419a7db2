"""Topic-to-handler wiring: the dose consumer, the holder consumer and the outbox relay."""

from __future__ import annotations

from dataclasses import dataclass

from vaxflow_certificate.handlers.components import CERTIFICATE_TOPIC, STAFF_READ_TOPIC, Components
from vaxflow_certificate.handlers.reactions import (
    DOSE_BATCH_REACTIONS,
    DOSE_REACTIONS,
    HOLDER_REACTIONS,
    bound,
    bound_batches,
)
from vaxflow_certificate.store import DOSE_FILES, STAFF_READS
from vaxflow_events import REGISTRY, CitizenRegistered, DoseAdministered, topic_for
from vaxflow_servicekit.batching import BatchConsumer
from vaxflow_servicekit.consumer import ReliableConsumer, RetryPolicy
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.pipelined_relay import PipelinedOutboxRelay
from vaxflow_servicekit.runtime import Infrastructure


@dataclass(frozen=True)
class Topics:
    """The Kafka topics the service reads and writes (tests use topics of their own)."""

    dose: str = topic_for(DoseAdministered).name
    citizen: str = topic_for(CitizenRegistered).name
    certificate: str = CERTIFICATE_TOPIC.name
    staff_read: str = STAFF_READ_TOPIC.name


def dose_consumer(c: Components, infra: Infrastructure, topics: Topics) -> BatchConsumer:
    """Issues, reissues and revokes certificates from the dose stream (issues in batches)."""
    return BatchConsumer(
        settings=infra.settings.kafka,
        group=c.settings.dose_group,
        topics=[topics.dose],
        parser=REGISTRY,
        handlers=bound(DOSE_REACTIONS, c),
        batch_handlers=bound_batches(DOSE_BATCH_REACTIONS, c),
        retry=RetryPolicy(),
    )


def holder_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """Learns which phone account holds which citizen from the citizen stream."""
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.holder_group,
        topics=[topics.citizen],
        parser=REGISTRY,
        handlers=bound(HOLDER_REACTIONS, c),
        retry=RetryPolicy(),
    )


def certificate_relay(infra: Infrastructure) -> OutboxRelay:
    """The relay publishing the dose files' pending events (reading the next round while the
    last is removed: the removal, a transaction per file, is the slow part of issuing)."""
    return _relay(infra, DOSE_FILES, PipelinedOutboxRelay)


def staff_read_relay(infra: Infrastructure) -> OutboxRelay:
    """The relay publishing the staff reads' CertificateReadByStaff events."""
    return _relay(infra, STAFF_READS)


def _relay(
    infra: Infrastructure, collection: str, kind: type[OutboxRelay] = OutboxRelay
) -> OutboxRelay:
    assert infra.producer is not None, "the relay needs the Kafka producer"
    s = infra.settings
    return kind(
        infra.db,
        collection,
        infra.producer,
        RelaySettings(poll_interval_s=s.outbox_poll_interval_s, batch_size=s.outbox_batch_size),
    )
