"""A tiny sample aggregate and its consumer, used to prove the kit's delivery guarantees.

`Tallies` is the writing side: each increment changes the tally document and stores its
event in the same document's outbox, in one write. `TallyProjection` is the consuming side:
its effect is one document per event, keyed by the event id under the unique `_id` index,
so a redelivered event finds its effect already there. It also logs every invocation, which
lets the tests see that redelivery really happened.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import Envelope, Event, EventRegistry, Topic
from vaxflow_servicekit.consumer import PermanentError
from vaxflow_servicekit.mongo import Document, insert_once
from vaxflow_servicekit.outbox import outbox_entry, with_events

PRODUCER = "delivery-test"


class TallyIncremented(Event):
    """A tally went up by an amount."""

    event_type: ClassVar[str] = "TallyIncremented"
    schema_version: ClassVar[int] = 1

    tally_id: str
    amount: int


# The contract of the sample stream; each test publishes it on a Kafka topic of its own.
SAMPLE_TOPIC = Topic(
    name="sample.tally.v1",
    key_field="tally_id",
    events=(TallyIncremented,),
    description="Increments of sample tallies.",
)
REGISTRY = EventRegistry([TallyIncremented], topics=[SAMPLE_TOPIC])


def envelope_for(tally_id: str, amount: int) -> Envelope[TallyIncremented]:
    """The envelope of one increment."""
    event = TallyIncremented(tally_id=tally_id, amount=amount)
    return Envelope.new(event, producer=PRODUCER, topic=SAMPLE_TOPIC)


class Tallies:
    """The aggregate: tally documents with their outbox."""

    collection = "tallies"

    def __init__(self, db: AsyncDatabase[Document], topic: str) -> None:
        self._coll = db[self.collection]
        self._topic = topic

    async def increment(self, tally_id: str, amount: int) -> str:
        """Change the tally and store its event in the same write; return the event id."""
        envelope = envelope_for(tally_id, amount)
        update = with_events(
            {"$inc": {"total": amount}},
            [outbox_entry(self._topic, envelope)],
            datetime.now(UTC),
        )
        await self._coll.update_one({"_id": tally_id}, update, upsert=True)
        return str(envelope.event_id)


class TallyProjection:
    """The consumer's effects: one document per event, plus a log of every invocation."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.effects = db["effects"]
        self.invocations = db["invocations"]

    async def on_incremented(self, event: TallyIncremented, envelope: Any) -> None:
        """Record the increment once, whatever the number of deliveries."""
        await self.invocations.insert_one({"event_id": str(envelope.event_id)})
        if event.amount < 0:
            raise PermanentError("amount must not be negative")
        effect = {"_id": str(envelope.event_id), "tally_id": event.tally_id, "amount": event.amount}
        await insert_once(self.effects, effect)

    async def effect_ids(self) -> list[str]:
        """The ids of every event with an effect."""
        return [d["_id"] async for d in self.effects.find({}, {"_id": 1})]
