"""The file protocol on a real directory: crashes at each step, tampering found at start."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from vaxflow_warehouse.domain.layout import OffsetRange
from vaxflow_warehouse.handlers.ingest import PartitionBatch
from vaxflow_warehouse.handlers.startup import plan_start
from vaxflow_warehouse.store.ranges import RangeStore

from tests.unit.warehouse.factory import envelopes
from tests.unit.warehouse.sink_parts import all_rows, ingest_into, raw_messages

TOPIC = "t.s.v1"


def _batch(root: Path, first: int, count: int) -> tuple[PartitionBatch, RangeStore]:
    ingest, store = ingest_into(root)
    batch = PartitionBatch(TOPIC, 0)
    ingest.add(batch, raw_messages(envelopes(count, seed=first), TOPIC, 0, first))
    return batch, store


def _store(root: Path, first: int, count: int) -> RangeStore:
    ingest, store = ingest_into(root)
    batch = PartitionBatch(TOPIC, 0)
    ingest.add(batch, raw_messages(envelopes(count, seed=first), TOPIC, 0, first))
    ingest.store(batch)
    return store


def test_a_stored_batch_is_one_part_per_event_type_and_day_and_one_record(tmp_path: Path) -> None:
    store = _store(tmp_path, 0, 60)

    rows = all_rows(store)
    recovered = store.recover([(TOPIC, 0)])[(TOPIC, 0)]

    assert sorted(r["kafka_offset"] for r in rows) == list(range(60))
    assert recovered.complete == (OffsetRange(0, 59),)
    names = {p.name for p in store.data_files()}
    assert names == {f"{TOPIC}+0+{OffsetRange(0, 59).label()}.parquet"}
    assert len(store.data_files()) == len(
        {(r["event_type"], r["occurred_at"].date()) for r in rows}
    )


def test_a_crash_before_the_record_leaves_nothing_after_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch, store = _batch(tmp_path, 0, 40)
    ingest, _ = ingest_into(tmp_path)

    def crash(*args: object) -> None:
        raise SystemExit("killed before the record")

    monkeypatch.setattr(RangeStore, "_write_json", crash)
    with pytest.raises(SystemExit):
        ingest.store(batch)
    monkeypatch.undo()
    assert any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))

    plan = plan_start(store, [(TOPIC, 0)], committed={(TOPIC, 0): None}, log_start={})

    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert all_rows(store) == []
    assert plan.partitions[0].position == 0
    assert plan.report is None


def test_a_crash_after_the_record_is_finished_at_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch, store = _batch(tmp_path, 0, 40)
    ingest, _ = ingest_into(tmp_path)

    def crash(self: RangeStore, parts: object) -> bool:
        raise SystemExit("killed before the renames")

    monkeypatch.setattr(RangeStore, "_finish", crash)
    with pytest.raises(SystemExit):
        ingest.store(batch)
    monkeypatch.undo()
    assert all_rows(store) == []

    plan = plan_start(store, [(TOPIC, 0)], committed={(TOPIC, 0): None}, log_start={})

    assert sorted(r["kafka_offset"] for r in all_rows(store)) == list(range(40))
    assert plan.partitions[0].position == 40
    assert plan.report is None


def test_a_deleted_part_is_reported_as_a_missing_range(tmp_path: Path) -> None:
    store = _store(tmp_path, 0, 40)
    _store(tmp_path, 40, 40)
    victim = next(p for p in store.data_files() if "00000000000000000040-" in p.name)
    victim.unlink()

    plan = plan_start(store, [(TOPIC, 0)], committed={(TOPIC, 0): 80}, log_start={(TOPIC, 0): 0})

    assert plan.missing[0].missing == (OffsetRange(40, 79),)
    assert plan.partitions[0].position == 80
    assert plan.report is not None
    assert '"first": 40' in plan.report.read_text()


def test_a_deleted_range_record_and_its_parts_are_reported(tmp_path: Path) -> None:
    store = _store(tmp_path, 0, 40)
    _store(tmp_path, 40, 40)
    _store(tmp_path, 80, 40)
    for path in tmp_path.rglob("*00000000000000000040-00000000000000000079*"):
        path.unlink()

    plan = plan_start(store, [(TOPIC, 0)], committed={(TOPIC, 0): 120}, log_start={(TOPIC, 0): 0})

    assert plan.missing[0].missing == (OffsetRange(40, 79),)
    assert plan.partitions[0].position == 120


def test_an_empty_directory_with_committed_offsets_is_reported(tmp_path: Path) -> None:
    plan = plan_start(
        RangeStore(tmp_path), [(TOPIC, 2)], committed={(TOPIC, 2): 10}, log_start={(TOPIC, 2): 0}
    )

    assert plan.missing[0].missing == (OffsetRange(0, 9),)


def test_a_message_that_does_not_parse_never_reaches_a_file(tmp_path: Path) -> None:
    ingest, store = ingest_into(tmp_path)
    good = raw_messages(envelopes(3), TOPIC, 0, 0)
    batch = PartitionBatch(TOPIC, 0)
    ingest.add(batch, good)
    ingest.add(batch, [type(good[0])(TOPIC, 0, 3, b'{"event_type": "DoseAdministered"}')])
    ingest.add(batch, [type(good[0])(TOPIC, 0, 4, b"not json")])
    ingest.store(batch)

    assert [r.message.offset for r in batch.rejected] == [3, 4]
    assert "payload" in batch.rejected[0].reason
    assert "JSON" in batch.rejected[1].reason
    assert sorted(r["kafka_offset"] for r in all_rows(store)) == [0, 1, 2]
    assert store.recover([(TOPIC, 0)])[(TOPIC, 0)].complete == (OffsetRange(0, 4),)


def test_rows_turned_into_arrow_chunks_are_stored_like_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vaxflow_warehouse.handlers.ingest.CHUNK_ROWS", 3)
    store = _store(tmp_path, 0, 120)

    rows = all_rows(store)

    assert sorted(r["kafka_offset"] for r in rows) == list(range(120))
    assert len({r["event_id"] for r in rows}) == 120
    for path in store.data_files():
        metadata = pq.read_schema(path).metadata
        assert metadata[b"vaxflow.schema_versions"] == b"[1]"
