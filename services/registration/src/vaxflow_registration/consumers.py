"""Topic-to-handler wiring: the health book, audit and reminder consumers and the citizen outbox
relay."""

from __future__ import annotations

from dataclasses import dataclass, field

from vaxflow_events import REGISTRY, NextDoseDue, topic_for
from vaxflow_registration.domain.health_book import HEALTH_BOOK_EVENTS
from vaxflow_registration.handlers.audit import STAFF_READ_EVENTS, audit_handlers
from vaxflow_registration.handlers.components import CITIZEN_TOPIC, Components
from vaxflow_registration.handlers.health_book import health_book_handlers
from vaxflow_registration.handlers.reminders import reminder_handlers
from vaxflow_registration.store import CITIZENS
from vaxflow_servicekit.consumer import ReliableConsumer, RetryPolicy
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.runtime import Infrastructure


def _health_book_topics() -> tuple[str, ...]:
    return tuple(sorted({topic_for(event).name for event in HEALTH_BOOK_EVENTS}))


def _staff_read_topics() -> tuple[str, ...]:
    return tuple(sorted({topic_for(event).name for event in STAFF_READ_EVENTS}))


@dataclass(frozen=True)
class Topics:
    """The Kafka topics the service writes and reads (tests use topics of their own)."""

    citizen: str = CITIZEN_TOPIC.name
    health_book: tuple[str, ...] = field(default_factory=_health_book_topics)
    staff_reads: tuple[str, ...] = field(default_factory=_staff_read_topics)
    reminders: tuple[str, ...] = (topic_for(NextDoseDue).name,)


def health_book_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer that builds the health book and the whereabouts from the citizen streams.

    To rebuild the book, drop its collections and start under a new `health_book_group`: the
    new group reads every topic from the beginning.
    """
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.health_book_group,
        topics=list(topics.health_book),
        parser=REGISTRY,
        handlers=health_book_handlers(c),
        retry=RetryPolicy(),
    )


def audit_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer appending other services' staff reads to the audit log (idempotent)."""
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.audit_consumer_group,
        topics=list(topics.staff_reads),
        parser=REGISTRY,
        handlers=audit_handlers(c),
        retry=RetryPolicy(),
    )


def reminder_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer texting citizens whose next dose is due (once per citizen and dose)."""
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.reminder_consumer_group,
        topics=list(topics.reminders),
        parser=REGISTRY,
        handlers=reminder_handlers(c),
        retry=RetryPolicy(),
    )


def citizen_relay(infra: Infrastructure) -> OutboxRelay:
    """The relay publishing the citizens' pending events."""
    assert infra.producer is not None, "the relay needs the Kafka producer"
    s = infra.settings
    return OutboxRelay(
        infra.db,
        CITIZENS,
        infra.producer,
        RelaySettings(poll_interval_s=s.outbox_poll_interval_s, batch_size=s.outbox_batch_size),
    )
