"""The compiled contracts (vaxflow_events.fast) against pydantic's: never laxer, same facts.

Every example event, and tens of thousands of mutations of them (each field replaced by values
of other types, bounds, spellings and encodings, fields removed, repeated or added, bytes
broken), go through both validators. Whenever the compiled contracts vouch for a message,
`EventRegistry.parse` must accept it too and read the same event type, time and payload.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, Field, StringConstraints, field_validator

from vaxflow_events import REGISTRY, Envelope, Event, EventRegistry, InvalidMessage, Topic
from vaxflow_events.examples import EXAMPLES
from vaxflow_events.fast import FastRegistry

FAST = FastRegistry()
WHEN = datetime(2021, 8, 10, 1, 0, tzinfo=UTC)
CANONICAL = {
    name: Envelope.new(event, producer="injection", occurred_at=WHEN).to_bytes()
    for name, event in EXAMPLES.items()
}

UUID_TEXT = "9b48f184-37ec-5864-a080-1c01f271e5cd"
VARIANTS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    1.0,
    1.5,
    -0.5,
    2**63,
    10**30,
    "",
    " ",
    "x",
    "1",
    "true",
    "null",
    [],
    {},
    ["x"],
    [{}],
    [None],
    {"x": 1},
    "79",
    "79\n",
    "\n79",
    "7",
    "760",
    "26734",
    "٣٣",
    "²²",
    "79 ",
    "A",
    "NGUYEN\n",
    "NGUYEN<",
    "nguyen",
    "ÀB",
    "a" * 81,
    "a" * 201,
    "\u0000",
    "a\nb",
    UUID_TEXT,
    UUID_TEXT.upper(),
    "{" + UUID_TEXT + "}",
    "urn:uuid:" + UUID_TEXT,
    UUID_TEXT.replace("-", ""),
    UUID_TEXT + "\n",
    UUID_TEXT[:-1],
    UUID_TEXT[:-1] + "g",
    "2021-08-10T01:00:00Z",
    "2021-08-10T01:00:00+07:00",
    "2021-08-10T01:00:00",
    "2021-08-10t01:00:00z",
    "2021-08-10 01:00:00Z",
    "2021-08-10T01:00:00.1234567Z",
    "2021-08-10T01:00:00.123456789123Z",
    "2021-08-10T01:00:60Z",
    "2021-08-10T24:00:00Z",
    "2021-08-10T01:00:00+24:00",
    "2021-08-10T01:00:00+14:00",
    "2021-08-10T01:00:00-00:00",
    "2021-08-10T01:00Z",
    "2021-08-10T01:00:00+0700",
    "20210810T010000Z",
    "2021-02-30T00:00:00Z",
    "2021-08-10T01:00:00Z\n",
    "2021-08-10T23:59:59.9999999Z",
    "2021-08-09T23:59:59.99999951Z",
    1628557200,
    1628557200.5,
    "1940-01-01",
    "1940-1-1",
    "1940-01-01T00:00:00Z",
    "1940-01-01T00:00:00",
    "19400101",
    "0000-01-01",
    "1940-02-30",
    "2020-02-29",
    "1940-01-01\n",
    "primary",
    "PRIMARY",
    "booster ",
    "left_deltoid",
    "mild",
    "serious",
    "death",
    "EU/1/20/1528",
    "URN:UVCI:01:VN:ABC#1",
    "URN:UVCI:01:VN:ABC#1\n",
    "abc=",
    "abc===",
)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in a JSON document: objects' fields, list items, and the containers."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def _removed(document: Any, path: tuple[Any, ...]) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return changed


def _repeated(node: Any, path: tuple[Any, ...], bad: Any, *, bad_first: bool) -> str:
    """JSON text of the document with the field at `path` given twice, `bad` once."""
    if not path:
        return json.dumps(node)
    if isinstance(node, list):
        items = [
            _repeated(v, path[1:], bad, bad_first=bad_first) if i == path[0] else json.dumps(v)
            for i, v in enumerate(node)
        ]
        return "[" + ", ".join(items) + "]"
    pairs = []
    for key, value in node.items():
        if key != path[0]:
            pairs.append(f"{json.dumps(key)}: {json.dumps(value)}")
        elif len(path) > 1:
            pairs.append(
                f"{json.dumps(key)}: {_repeated(value, path[1:], bad, bad_first=bad_first)}"
            )
        else:
            both = [json.dumps(bad), json.dumps(value)]
            pairs.extend(f"{json.dumps(key)}: {v}" for v in (both if bad_first else both[::-1]))
    return "{" + ", ".join(pairs) + "}"


def _own_spellings(value: Any) -> list[Any]:
    """The value itself, written otherwise."""
    if not isinstance(value, str):
        return [value]
    return [value + "\n", value.upper(), value.lower(), " " + value, value * 2, value[:-1]]


def mutations(raw: bytes) -> Iterator[bytes]:
    """Messages near a valid one: each field replaced, removed or repeated; bytes broken."""
    document = json.loads(raw)
    for path in _leaves(document):
        original: Any = document
        for part in path:
            original = original[part]
        for value in (*VARIANTS, *_own_spellings(original)):
            yield json.dumps(_replaced(document, path, value), ensure_ascii=False).encode()
        if isinstance(path[-1], str):
            yield json.dumps(_removed(document, path)).encode()
            # A field repeated, the bad value first or last: both readers must take the same.
            for bad in (1, "x", None):
                yield _repeated(document, path, bad, bad_first=True).encode()
                yield _repeated(document, path, bad, bad_first=False).encode()
    yield raw[:-1]
    yield raw + b"x"
    yield raw + b"\n"
    yield b" " + raw + b" "
    yield raw.replace(b'"Nguy', b'"\\ud800Nguy', 1)
    yield raw.replace(b'"Nguy', b'"\xffNguy', 1)
    yield raw.replace(b'"payload": {', b'"payload": {"unknown": 1, ', 1)
    yield raw.replace(b'{"event_id"', b'{"unknown": [1], "event_id"', 1)


@dataclass(frozen=True)
class _Time:
    """A time compared as the warehouse relies on it: the same day and offset, within 1 µs."""

    value: datetime

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Time)
            and self.value.date() == other.value.date()
            and self.value.utcoffset() == other.value.utcoffset()
            and abs(self.value - other.value) <= timedelta(microseconds=1)
        )

    def __hash__(self) -> int:
        return hash(self.value.date())


def _plain(value: Any) -> Any:
    """Models' and structs' values in one form: lists for tuples, values for enums."""
    if isinstance(value, msgspec.Struct):
        return {f: _plain(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        # Given with more than six fractional digits, a time is rounded by msgspec and
        # truncated by pydantic: the same day and offset, at most a microsecond apart.
        return _Time(value)
    return value


def assert_agree(raw: bytes, registry: EventRegistry = REGISTRY, fast: FastRegistry = FAST) -> bool:
    """Check the compiled contracts vouch only for what parse accepts; True if they vouched."""
    vouched = fast.check(raw)
    if vouched is None:
        return False
    try:
        envelope = registry.parse(raw)
    except InvalidMessage as error:
        pytest.fail(f"compiled contracts accept what parse refuses ({error.reason}): {raw!r}")
    assert vouched.event_type == envelope.event_type
    assert _plain(vouched.occurred_at) == _plain(envelope.occurred_at)
    assert vouched.occurred_at.tzinfo is UTC
    assert _plain(vouched.payload) == _plain(envelope.payload.model_dump()), raw
    return True


def test_every_contract_is_compiled() -> None:
    assert FAST.unsupported == {}


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_the_compiled_contracts_vouch_for_every_example_with_the_same_facts(
    event_type: str,
) -> None:
    assert assert_agree(CANONICAL[event_type])


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_the_compiled_contracts_never_accept_a_mutation_parse_refuses(event_type: str) -> None:
    tried = vouched = refused_by_both = 0
    for raw in mutations(CANONICAL[event_type]):
        tried += 1
        if assert_agree(raw):
            vouched += 1
        else:
            try:
                REGISTRY.parse(raw)
            except InvalidMessage:
                refused_by_both += 1
    # The mutations reach both verdicts: many are refused, and some still vouched for.
    assert tried > 500
    assert refused_by_both > tried // 4
    assert vouched > 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(
    event_type=st.sampled_from(sorted(EXAMPLES)),
    choice=st.integers(min_value=0),
    value=JSON_VALUES,
)
def test_any_value_anywhere_is_vouched_for_only_if_parse_accepts_it(
    event_type: str, choice: int, value: Any
) -> None:
    document = json.loads(CANONICAL[event_type])
    paths = list(_leaves(document))
    raw = json.dumps(_replaced(document, paths[choice % len(paths)], value)).encode()
    assert_agree(raw)


def test_times_are_read_in_utc_before_the_cross_field_rules_see_them() -> None:
    # 23:30 on the 9th at UTC-5 is 04:30 on the 10th in UTC: a dose given on the 11th (local)
    # is within a day of that, but not of the 9th.
    document = json.loads(CANONICAL["DoseAdministered"])
    document["payload"]["vaccination"]["administered_at"] = "2021-08-09T23:30:00-05:00"
    document["payload"]["vaccination"]["administered_on"] = "2021-08-11"
    assert assert_agree(json.dumps(document).encode())
    document["payload"]["vaccination"]["administered_on"] = "2021-08-08"
    raw = json.dumps(document).encode()
    assert FAST.check(raw) is None
    with pytest.raises(InvalidMessage, match="more than a day"):
        REGISTRY.parse(raw)


def test_a_time_rounded_to_midnight_is_left_to_parse_which_keeps_its_day() -> None:
    # msgspec rounds the seventh fractional digit, pydantic truncates it: the dose would land
    # on the 11th for one and the 10th for the other.
    document = json.loads(CANONICAL["DoseAdministered"])
    document["occurred_at"] = "2021-08-10T23:59:59.9999999Z"
    raw = json.dumps(document).encode()
    assert FAST.check(raw) is None
    assert REGISTRY.parse(raw).occurred_at.date() == date(2021, 8, 10)


def test_a_message_the_compiled_contracts_cannot_judge_is_left_to_parse() -> None:
    document = json.loads(CANONICAL["DoseAdministered"])
    document["event_id"] = "{" + document["event_id"] + "}"
    raw = json.dumps(document).encode()
    assert FAST.check(raw) is None
    assert REGISTRY.parse(raw).event_type == "DoseAdministered"


class Trimmed(Event):
    """A test event whose name is trimmed as it is read."""

    trimmed_id: UUID = Field(description="Id.")
    name: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(description="Name.")


class Checked(Event):
    """A test event with a field validator."""

    checked_id: UUID = Field(description="Id.")
    count: int = Field(description="Count.")

    @field_validator("count")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError("odd")
        return value


def _tomorrow(value: date) -> date:
    return value


class Shifted(Event):
    """A test event with an after-validator of its own."""

    shifted_id: UUID = Field(description="Id.")
    on: Annotated[date, AfterValidator(_tomorrow)] = Field(description="Day.")


class Patterned(Event):
    """A test event with a pattern beyond the simple ones."""

    patterned_id: UUID = Field(description="Id.")
    code: Annotated[str, StringConstraints(pattern=r"^(a|b)\d+$")] = Field(description="Code.")


class Plain(Event):
    """A test event the compiler translates."""

    plain_id: UUID = Field(description="Id.")
    label: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = Field(description="Label.")
    schema_version: ClassVar[int] = 2


def _test_registry() -> EventRegistry:
    events = (Trimmed, Checked, Shifted, Patterned, Plain)
    topics = [
        Topic(
            name=f"testing.{event.__name__.lower()}.v1",
            key_field=f"{event.__name__.lower()}_id",
            events=(event,),
            description="Test events.",
        )
        for event in events
    ]
    return EventRegistry(events, topics=topics)


def test_contracts_the_compiler_does_not_know_are_left_to_parse_whole() -> None:
    registry = _test_registry()
    fast = FastRegistry(registry)
    assert sorted(fast.unsupported) == ["Checked", "Patterned", "Shifted", "Trimmed"]
    assert "strip" in fast.unsupported["Trimmed"] or "changes" in fast.unsupported["Trimmed"]
    made = {
        "Trimmed": Trimmed(trimmed_id=UUID(int=1), name=" Lan "),
        "Checked": Checked(checked_id=UUID(int=2), count=2),
        "Shifted": Shifted(shifted_id=UUID(int=3), on=date(2021, 8, 10)),
        "Patterned": Patterned(patterned_id=UUID(int=4), code="a12"),
        "Plain": Plain(plain_id=UUID(int=5), label="ab"),
    }
    for name, event in made.items():
        topic = registry.topic_for(name)
        raw = Envelope.new(event, producer="testing", topic=topic).to_bytes()
        assert registry.parse(raw).event_type == name
        assert (fast.check(raw) is not None) == (name == "Plain")
    plain = json.loads(
        Envelope.new(
            made["Plain"], producer="testing", topic=registry.topic_for("Plain")
        ).to_bytes()
    )
    for label in ("ab\n", "abc", "AB", "a"):
        plain["payload"]["label"] = label
        raw = json.dumps(plain).encode()
        assert fast.check(raw) is None
        with pytest.raises(InvalidMessage):
            registry.parse(raw)


def test_a_key_that_is_not_the_payloads_key_field_is_not_vouched_for() -> None:
    document = json.loads(CANONICAL["DoseAdministered"])
    document["key"] = UUID_TEXT
    raw = json.dumps(document).encode()
    assert FAST.check(raw) is None
    with pytest.raises(InvalidMessage, match="key"):
        REGISTRY.parse(raw)
