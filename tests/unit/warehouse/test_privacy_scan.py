"""No personal field reaches the warehouse: every written column of every file is scanned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from vaxflow_warehouse.domain.columns import PERSONAL_COLUMN_MARKERS
from vaxflow_warehouse.handlers.ingest import PartitionBatch

from tests.unit.warehouse.factory import envelopes
from tests.unit.warehouse.sink_parts import ingest_into, raw_messages
from vaxflow_events import Envelope, Event, Holder


def _personal_values(sent: list[Envelope[Event]]) -> set[str]:
    """Everything personal the events carried: names, transliterations, birthdays, raw ids."""
    found: set[str] = set()
    for envelope in sent:
        payload = envelope.payload
        holder = getattr(payload, "holder", None)
        if isinstance(holder, Holder):
            found |= {holder.family_name, holder.family_name_icao}
            found |= {v for v in (holder.given_name, holder.given_name_icao) if v}
            found |= {holder.date_of_birth.isoformat(), holder.date_of_birth.strftime("%Y%m%d")}
        citizen = getattr(payload, "citizen_id", None)
        if citizen is not None:
            found |= {str(citizen), citizen.hex}
        account = getattr(payload, "account_id", None)
        if account:
            found.add(account)
        uvci = getattr(payload, "uvci", None)
        if uvci:
            found.add(uvci)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [] if value is None else [str(value)]


def test_no_written_column_holds_a_personal_value(tmp_path: Path) -> None:
    sent = list(envelopes(600, seed=11))
    ingest, store = ingest_into(tmp_path)
    batch = PartitionBatch("t.s.v1", 0)
    ingest.add(batch, raw_messages(sent))
    ingest.store(batch)
    personal = _personal_values(sent)
    assert len(personal) > 100  # the events really carried personal data

    leaks: list[tuple[str, str, str]] = []
    scanned = 0
    for path in store.data_files():
        parquet = pq.ParquetFile(path)
        metadata = parquet.schema_arrow.metadata or {}
        leaks += [(path.name, "metadata", v.decode()) for v in metadata.values() if v in personal]
        table = parquet.read()
        for name in table.column_names:
            assert not any(marker in name for marker in PERSONAL_COLUMN_MARKERS), name
            for value in table.column(name).to_pylist():
                scanned += 1
                leaks += [(path.name, name, s) for s in _strings(value) if _leaks(s, personal)]

    assert scanned > 600 * 10
    assert leaks == []


def test_range_records_and_reports_hold_no_personal_value(tmp_path: Path) -> None:
    sent = list(envelopes(100, seed=12))
    ingest, _store = ingest_into(tmp_path)
    batch = PartitionBatch("t.s.v1", 0)
    ingest.add(batch, raw_messages(sent))
    ingest.store(batch)
    personal = _personal_values(sent)

    for path in tmp_path.rglob("*.json"):
        text = path.read_text()
        json.loads(text)
        assert not [p for p in personal if p in text], path


def _leaks(text: str, personal: set[str]) -> bool:
    # Exact values, and values embedded in longer text (e.g. the JSON of nested reactions).
    return text in personal or any(len(p) >= 8 and p in text for p in personal)
