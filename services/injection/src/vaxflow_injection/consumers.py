"""Topic-to-handler wiring: the read-model consumer and the outbox relays."""

from __future__ import annotations

from dataclasses import dataclass, field

from vaxflow_events import REGISTRY, topic_for
from vaxflow_injection.handlers.components import DOSE_TOPIC, Components
from vaxflow_injection.handlers.readmodels import READ_MODEL_EVENTS, read_model_handlers
from vaxflow_injection.store import AGGREGATES
from vaxflow_servicekit.consumer import ReliableConsumer, RetryPolicy
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.runtime import Infrastructure


def _read_model_topics() -> tuple[str, ...]:
    return tuple(sorted({topic_for(event).name for event in READ_MODEL_EVENTS}))


@dataclass(frozen=True)
class Topics:
    """The Kafka topics the service writes and reads (tests use topics of their own)."""

    dose: str = DOSE_TOPIC.name
    read_models: tuple[str, ...] = field(default_factory=_read_model_topics)


def read_model_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer that builds citizens, check-ins, lots, suspensions and site areas.

    To rebuild them, drop their collections and start under a new `read_model_group`.
    """
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.read_model_group,
        topics=list(topics.read_models),
        parser=REGISTRY,
        handlers=read_model_handlers(c),
        retry=RetryPolicy(),
    )


def relays(infra: Infrastructure) -> list[OutboxRelay]:
    """One relay per collection whose documents carry pending events."""
    assert infra.producer is not None, "the relays need the Kafka producer"
    s = infra.settings
    settings = RelaySettings(
        poll_interval_s=s.outbox_poll_interval_s, batch_size=s.outbox_batch_size
    )
    return [OutboxRelay(infra.db, name, infra.producer, settings) for name in AGGREGATES]
