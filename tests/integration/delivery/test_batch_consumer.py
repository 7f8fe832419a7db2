"""The batch consumer on the real Kafka: runs of one event type in one call, in order with the
rest, a failed run applied one message at a time, offsets committed after the effects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

from tests.integration.delivery.conftest import SampleSystem, running
from tests.integration.delivery.sample import PRODUCER, TallyIncremented
from tests.integration.delivery.test_delivery import produce_raw, read_all
from vaxflow_events import Envelope, Event, EventRegistry, Topic
from vaxflow_servicekit.batching import BatchConsumer
from vaxflow_servicekit.consumer import PermanentError, RetryPolicy, dlq_topic
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until

pytestmark = [pytest.mark.stack]


class TallyReset(Event):
    """A tally went back to zero (applied one at a time, between runs of increments)."""

    event_type: ClassVar[str] = "TallyReset"
    schema_version: ClassVar[int] = 1

    tally_id: str


TOPIC = Topic(
    name="sample.tally.v1",
    key_field="tally_id",
    events=(TallyIncremented, TallyReset),
    description="Increments and resets of sample tallies.",
)
REGISTRY = EventRegistry([TallyIncremented, TallyReset], topics=[TOPIC])


def increment(amount: int) -> bytes:
    return Envelope.new(
        TallyIncremented(tally_id="p", amount=amount), producer=PRODUCER, topic=TOPIC
    ).to_bytes()


def reset() -> bytes:
    return Envelope.new(TallyReset(tally_id="p"), producer=PRODUCER, topic=TOPIC).to_bytes()


class Journal:
    """What the handlers were called with, in order: a batch as a list, a single as itself."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    async def batch(self, envelopes: Sequence[Any]) -> None:
        amounts = [e.payload.amount for e in envelopes]
        if any(a < 0 for a in amounts):
            raise PermanentError("amount must not be negative")
        self.calls.append(amounts)

    async def single(self, event: Any, envelope: Any) -> None:
        if isinstance(event, TallyReset):
            self.calls.append("reset")
        elif event.amount < 0:
            raise PermanentError("amount must not be negative")
        else:
            self.calls.append(event.amount)

    def consumer(self, settings: KafkaSettings, group: str, topic: str) -> BatchConsumer:
        return BatchConsumer(
            settings=settings,
            group=group,
            topics=[topic],
            parser=REGISTRY,
            handlers={
                TallyIncremented.event_type: self.single,
                TallyReset.event_type: self.single,
            },
            batch_handlers={TallyIncremented.event_type: self.batch},
            retry=RetryPolicy(initial_s=0.05, max_s=0.2, unknown_error_attempts=1),
        )


async def consume(
    journal: Journal, settings: KafkaSettings, group: str, topic: str, n: int
) -> None:
    """Run a consumer of the group until the journal holds `n` calls, then stop it."""

    async def calls() -> int:
        return len(journal.calls)

    consumer = journal.consumer(settings, group, topic)
    async with running(consumer.run, stop=[consumer.stop]):
        await poll_until(calls, accept=lambda count: count >= n, what=f"{n} handler calls")


async def test_runs_of_a_type_are_applied_together_in_order_with_the_rest(
    sample: SampleSystem, kafka_settings: KafkaSettings, topic_factory: TopicFactory
) -> None:
    topic = await topic_factory("batch", partitions=1)
    raw = [increment(1), increment(2), reset(), increment(3), b"{not json", increment(4)]
    await produce_raw(kafka_settings, topic, raw)

    journal = Journal()
    await consume(journal, kafka_settings, sample.group, topic, 3)
    assert journal.calls == [[1, 2], "reset", [3, 4]]
    [dead] = await read_all(kafka_settings, dlq_topic(sample.group), expected=1)
    assert dict(dead.headers)["dlq.reason"] == b"invalid_message"

    # The offsets were committed: the group's next member starts after them.
    await produce_raw(kafka_settings, topic, [increment(5)])
    later = Journal()
    await consume(later, kafka_settings, sample.group, topic, 1)
    assert later.calls == [[5]]


async def test_a_failed_run_is_applied_one_message_at_a_time(
    sample: SampleSystem, kafka_settings: KafkaSettings, topic_factory: TopicFactory
) -> None:
    topic = await topic_factory("batch", partitions=1)
    await produce_raw(kafka_settings, topic, [increment(1), increment(-5), increment(2)])

    journal = Journal()
    await consume(journal, kafka_settings, sample.group, topic, 2)
    assert journal.calls == [1, 2]
    [dead] = await read_all(kafka_settings, dlq_topic(sample.group), expected=1)
    assert dict(dead.headers)["dlq.reason"] == b"permanent"
    assert dict(dead.headers)["dlq.offset"] == b"1"
