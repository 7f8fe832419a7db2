"""Tables read by Arrow's JSON reader are exactly the tables of the row path.

The sink reads chunks of validated messages with Arrow's JSON reader (json_tables.py) and keeps
the row shaper for messages not written the way VaxFlow writes them. Both must give the same
rows, columns, types and schema metadata for every event type; a message in another spelling
must never reach a file in that spelling.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser, age_band
from vaxflow_warehouse.domain.rows import Provenance, RowShaper, columns_for
from vaxflow_warehouse.handlers.ingest import ShapedChunk, Shaping, ShapingPool
from vaxflow_warehouse.store.json_tables import JsonTables, NotCanonical
from vaxflow_warehouse.store.parquet import to_table

from tests.unit.warehouse.factory import KEY, envelopes
from vaxflow_events import REGISTRY, CitizenRegistered, DoseAdministered, Envelope, Event
from vaxflow_events.examples import EXAMPLES

TOPIC = "injection.dose.v1"
SHAPER = RowShaper(Pseudonymiser(KEY))
TABLES = JsonTables(Pseudonymiser(KEY))


def _row_path(event_type: str, values: Sequence[bytes], offsets: Sequence[int]) -> pa.Table:
    rows = [
        SHAPER.shape(REGISTRY.parse(v), Provenance(TOPIC, 4, o)).row
        for v, o in zip(values, offsets, strict=True)
    ]
    return to_table(columns_for(REGISTRY.event_class(event_type)), event_type, rows)


def _arrow_path(event_type: str, values: Sequence[bytes], offsets: Sequence[int]) -> pa.Table:
    payloads = [REGISTRY.parse(v).payload for v in values]
    return TABLES.table(
        REGISTRY.event_class(event_type),
        values,
        offsets,
        topic=TOPIC,
        partition=4,
        payloads=payloads,
    )


def _by_type(sent: Sequence[Envelope[Event]]) -> dict[str, tuple[list[bytes], list[int]]]:
    grouped: dict[str, tuple[list[bytes], list[int]]] = defaultdict(lambda: ([], []))
    for offset, envelope in enumerate(sent):
        values, offsets = grouped[envelope.event_type]
        values.append(envelope.to_bytes())
        offsets.append(100 + offset)
    return grouped


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_every_event_type_reads_into_the_table_of_the_row_path(event_type: str) -> None:
    grouped = _by_type(list(envelopes(len(EXAMPLES) * 40, seed=5)))
    values, offsets = grouped[event_type]

    arrow = _arrow_path(event_type, values, offsets)

    assert arrow.num_rows == 40
    assert arrow.equals(_row_path(event_type, values, offsets), check_metadata=True)


def _dose(born: date, given_on: date) -> bytes:
    example = EXAMPLES["DoseAdministered"]
    assert isinstance(example, DoseAdministered)
    at = datetime.combine(given_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
    dose = example.model_copy(
        update={
            "holder": example.holder.model_copy(update={"date_of_birth": born}),
            "vaccination": example.vaccination.model_copy(
                update={"administered_on": given_on, "administered_at": at}
            ),
        }
    )
    return Envelope.new(dose, producer="injection").to_bytes()


def test_age_bands_on_whole_columns_agree_with_the_rule_at_every_birthday_edge() -> None:
    given_on = date(2022, 3, 1)
    births = [
        date(2010, 3, 1),  # 12 that day
        date(2010, 3, 2),  # 11 until tomorrow
        date(2010, 2, 28),
        date(2004, 2, 29),  # 18 on 1 March of a common year
        date(2004, 3, 1),
        date(1972, 3, 2),  # 49
        date(1972, 3, 1),  # 50
        date(1957, 3, 1),  # 65
        date(2022, 2, 1),  # a baby
    ]
    values = [_dose(born, given_on) for born in births]

    table = _arrow_path("DoseAdministered", values, list(range(len(values))))

    assert table.column("holder_age_band").to_pylist() == [age_band(b, given_on) for b in births]
    assert table.equals(_row_path("DoseAdministered", values, list(range(len(values)))))


def _respelled(value: bytes) -> bytes:
    """The same message with its ids in capitals and its JSON over several lines."""
    message = json.loads(value)
    message["event_id"] = message["event_id"].upper()
    message["payload"]["citizen_id"] = message["payload"]["citizen_id"].upper()
    return json.dumps(message, indent=2).encode()


def test_a_message_spelled_otherwise_is_refused_by_the_reader_and_stored_as_canonical() -> None:
    sent = [e for e in envelopes(60, seed=9) if e.event_type == "CitizenRegistered"]
    canonical = [e.to_bytes() for e in sent]
    respelled = [_respelled(canonical[0]), *canonical[1:]]
    offsets = list(range(len(sent)))

    with pytest.raises(NotCanonical):
        _arrow_path("CitizenRegistered", respelled, offsets)
    shaped = Shaping(SHAPER).chunk(TOPIC, 4, respelled, offsets)

    (table,) = shaped.tables.values()
    assert table.equals(_arrow_path("CitizenRegistered", canonical, offsets))
    assert table.column("event_id")[0].as_py() == str(sent[0].event_id)


def test_an_id_in_capitals_is_stored_as_the_row_path_writes_it() -> None:
    value = json.loads(_dose(date(1990, 5, 5), date(2022, 1, 3)))
    lot = value["payload"]["vaccination"]["lot_id"]
    value["payload"]["vaccination"]["lot_id"] = lot.upper()
    raw = json.dumps(value, separators=(",", ":")).encode()

    table = _arrow_path("DoseAdministered", [raw], [0])

    assert table.column("vaccination_lot_id")[0].as_py() == lot
    assert table.equals(_row_path("DoseAdministered", [raw], [0]))


@pytest.mark.parametrize("spelling", ["simple", "braced", "urn"])
def test_an_id_in_another_spelling_sends_its_chunk_the_row_path(spelling: str) -> None:
    value = json.loads(_dose(date(1990, 5, 5), date(2022, 1, 3)))
    lot = uuid.UUID(value["payload"]["vaccination"]["lot_id"])
    value["payload"]["vaccination"]["lot_id"] = {
        "simple": lot.hex,
        "braced": "{" + str(lot) + "}",
        "urn": lot.urn,
    }[spelling]
    raw = json.dumps(value, separators=(",", ":")).encode()

    with pytest.raises(NotCanonical):
        _arrow_path("DoseAdministered", [raw], [0])
    (table,) = Shaping(SHAPER).chunk(TOPIC, 4, [raw], [0]).tables.values()

    assert table.column("vaccination_lot_id")[0].as_py() == str(lot)


def test_a_chunk_keeps_offset_order_by_event_type_and_day_and_names_what_it_rejects() -> None:
    sent = list(envelopes(120, seed=13))
    values: list[bytes | None] = [e.to_bytes() for e in sent]
    values[7], values[50] = b"not json", None
    offsets = list(range(1000, 1120))

    shaped = Shaping(SHAPER).chunk(TOPIC, 4, values, offsets)

    assert [index for index, _ in shaped.rejected] == [7, 50]
    stored = [o for t in shaped.tables.values() for o in t.column("kafka_offset").to_pylist()]
    assert sorted(stored) == [o for i, o in enumerate(offsets) if i not in (7, 50)]
    for (event_type, day), table in shaped.tables.items():
        assert table.column("kafka_offset").to_pylist() == sorted(
            table.column("kafka_offset").to_pylist()
        )
        assert set(table.column("event_type").to_pylist()) == {event_type}
        assert {t.date() for t in table.column("occurred_at").to_pylist()} == {day}


def _same(one: ShapedChunk, other: ShapedChunk) -> bool:
    return (
        one.rejected == other.rejected
        and one.tables.keys() == other.tables.keys()
        and all(one.tables[k].equals(other.tables[k], check_metadata=True) for k in one.tables)
    )


def test_worker_processes_shape_exactly_what_the_sinks_own_process_does() -> None:
    values: list[bytes | None] = [e.to_bytes() for e in envelopes(300, seed=17)]
    values[3] = b"{}"
    chunks = [(values[i : i + 100], list(range(i, i + 100))) for i in range(0, 300, 100)]
    pool = ShapingPool(2, KEY)
    try:
        asyncio.run(pool.start())
        futures = [pool.submit(TOPIC, 4, v, o) for v, o in chunks]
        in_workers = [f.result(timeout=60) for f in futures]
    finally:
        pool.close()

    here = [Shaping(SHAPER).chunk(TOPIC, 4, v, o) for v, o in chunks]
    assert all(_same(w, h) for w, h in zip(in_workers, here, strict=True))
    assert in_workers[0].rejected[0][0] == 3


def test_a_worker_process_has_the_configured_key_not_a_default_one() -> None:
    value = next(e for e in envelopes(20, seed=3) if e.event_type == "CitizenRegistered")
    assert isinstance(value.payload, CitizenRegistered)
    citizen = value.payload.citizen_id
    pool = ShapingPool(1, KEY)
    try:
        shaped = pool.submit(TOPIC, 0, [value.to_bytes()], [0]).result(timeout=60)
    finally:
        pool.close()

    (table,) = shaped.tables.values()
    assert table.column("citizen_key")[0].as_py() == Pseudonymiser(KEY).citizen_key(citizen)
