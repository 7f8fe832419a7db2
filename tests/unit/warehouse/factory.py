"""Events for the warehouse tests: every event type, with people who have names and birthdays."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from vaxflow_events import Envelope, Event, Holder, topic_for
from vaxflow_events.examples import EXAMPLES

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ")
GIVEN_NAMES = (("Văn An", "VAN<AN"), ("Thị Bích", "THI<BICH"), ("Minh Khôi", "MINH<KHOI"))
ICAO = {"Nguyễn": "NGUYEN", "Trần": "TRAN", "Lê": "LE", "Phạm": "PHAM", "Hoàng": "HOANG"}
ICAO["Võ"] = "VO"
KEY = b"test-warehouse-pseudonym-key-0001"


def person(rng: random.Random) -> Holder:
    """A holder with a name, its transliteration and a date of birth."""
    family = rng.choice(FAMILY_NAMES)
    given, given_icao = rng.choice(GIVEN_NAMES)
    born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 90 * 365))
    return Holder(
        family_name=family,
        given_name=given,
        family_name_icao=ICAO[family],
        given_name_icao=given_icao,
        date_of_birth=born,
    )


def vary(event: Event, rng: random.Random, citizen: uuid.UUID) -> Event:
    """The example event about another citizen, with another holder where it has one."""
    update: dict[str, object] = {}
    if "citizen_id" in type(event).model_fields:
        update["citizen_id"] = citizen
    if "holder" in type(event).model_fields:
        update["holder"] = person(rng)
    if "account_id" in type(event).model_fields:
        update["account_id"] = f"acc_{uuid.uuid4().hex[:16]}"
    return event.model_copy(update=update)


def envelopes(count: int, *, seed: int = 7) -> Iterator[Envelope[Event]]:
    """`count` envelopes cycling through every event type, about a handful of citizens."""
    rng = random.Random(seed)
    citizens = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(max(count // 5, 1))]
    examples = list(EXAMPLES.values())
    start = datetime(2021, 8, 10, 1, 0, tzinfo=UTC)
    for i in range(count):
        event = vary(examples[i % len(examples)], rng, rng.choice(citizens))
        yield Envelope.new(
            event,
            producer=topic_for(type(event)).producer,
            event_id=uuid.UUID(int=rng.getrandbits(128)),
            occurred_at=start + timedelta(minutes=17 * i),
        )
