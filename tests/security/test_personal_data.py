"""Issue 12, personal data stays where it belongs: after the scenario (citizens registered,
booked, checked in, vaccinated, certified, imported), scan every Kafka topic, every log file under
`.stack/logs/`, every metric label of every service and the warehouse files for the national IDs,
phone numbers, names and dates of birth of the scenario's people.

Documented exceptions (ARCHITECTURE.md 3 and 6, tests/contract/test_event_privacy.py): the holder
snapshot (name, date of birth) on CitizenRegistered, CitizenUpdated, DoseAdministered and
DoseCorrected, and the certificate payload itself (the signed HC1 carries name and birth date).
National IDs and phone numbers have no exception.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.e2e.gateway import STACK
from tests.security.scenario import World
from vaxflow_servicekit.settings import KafkaSettings

pytestmark = pytest.mark.stack

HOLDER_EVENTS = {"CitizenRegistered", "CitizenUpdated", "DoseAdministered", "DoseCorrected"}
SERVICE_PORTS = {
    "identity": 8101,
    "registration": 8102,
    "scheduling": 8103,
    "injection": 8104,
    "certificate": 8105,
    "monitoring": 8106,
    "warehouse": 8107,
}


def secrets_of(world: World) -> dict[str, str]:
    """Value -> what it is, for the values that must never leave their service."""
    found = {}
    for body in world.people.values():
        found[body["national_id"]] = "national ID"
        found[body["phone"]] = "phone"
        found["+84" + body["phone"][1:]] = "phone"
    return found


def holder_data_of(world: World) -> dict[str, str]:
    """Value -> what it is, for the values allowed only in the documented exceptions."""
    found = {}
    for body in world.people.values():
        found[body["full_name"]] = "name"
        found[body["date_of_birth"]] = "date of birth"
    return found


def hits(text: str, values: dict[str, str]) -> list[str]:
    return sorted({what for value, what in values.items() if value in text})


def scan_logs(values: dict[str, str]) -> list[str]:
    found = []
    for path in sorted((STACK.stack_dir / "logs").glob("*.log*")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if what := hits(text, values):
            found.append(f"{path.name}: {what}")
    return found


async def test_no_personal_data_in_log_files(world: World) -> None:
    values = secrets_of(world) | holder_data_of(world)

    found = await asyncio.to_thread(scan_logs, values)

    assert found == []


async def test_no_personal_data_in_metric_labels(world: World) -> None:
    values = secrets_of(world) | holder_data_of(world)
    found = []
    async with httpx.AsyncClient(timeout=10) as client:
        for service, port in SERVICE_PORTS.items():
            try:
                response = await client.get(f"http://127.0.0.1:{port}/metrics")
            except httpx.TransportError:
                continue  # not running here
            if what := hits(response.text, values):
                found.append(f"{service}: {what}")

    assert found == []


async def test_no_personal_data_on_kafka_outside_the_holder_snapshot(world: World) -> None:
    secret, holder = secrets_of(world), holder_data_of(world)
    found, snapshots = [], 0
    for topic, event_type, text in await messages_since(world.started_at_ms):
        snapshots += event_type == "CitizenRegistered" and bool(hits(text, holder))
        if what := hits(text, secret):
            found.append(f"{topic} {event_type}: {what}")
        allowed = event_type in HOLDER_EVENTS or topic.startswith("certificate.")
        if not allowed and (what := hits(text, holder)):
            found.append(f"{topic} {event_type}: {what}")

    assert snapshots > 0  # the control: the scan did read the scenario's registrations
    assert found == []


def scan_warehouse(values: dict[str, str], since: float) -> list[str]:
    found = []
    for path in sorted((STACK.stack_dir / "warehouse").rglob("*.parquet")):
        if path.stat().st_mtime < since:
            continue
        text = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        if what := hits(text, values):
            found.append(f"{path.relative_to(STACK.stack_dir)}: {what}")
    return found


async def test_no_personal_data_in_the_warehouse(world: World) -> None:
    values = secrets_of(world) | holder_data_of(world)

    found = await asyncio.to_thread(scan_warehouse, values, world.started_at_ms / 1000 - 5)

    assert found == []


async def messages_since(start_ms: int) -> list[tuple[str, str, str]]:
    """(topic, event type, text) of every message on every topic since `start_ms`."""
    settings = KafkaSettings()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    try:
        # The consumer's own metadata holds only assigned topics: ask the cluster for all.
        cluster = await consumer._client.fetch_all_metadata()
        topics = [t for t in cluster.topics() if not t.startswith("__")]
        partitions = [
            TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()
        ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.offsets_for_times({tp: start_ms for tp in partitions})
        pending = {}
        for tp in partitions:
            found = starts.get(tp)
            if found is not None and found.offset < ends[tp]:
                consumer.seek(tp, found.offset)
                pending[tp] = ends[tp]
        read: list[tuple[str, str, str]] = []
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            batches = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    text = (record.value or b"").decode("utf-8", errors="replace")
                    read.append((tp.topic, _event_type(text), text))
                    if record.offset + 1 >= pending.get(tp, 0):
                        pending.pop(tp, None)
        return read
    finally:
        await consumer.stop()


def _event_type(text: str) -> str:
    try:
        envelope: Any = json.loads(text)
    except ValueError:
        return "?"
    return (
        str(envelope.get("type") or envelope.get("event_type") or "?")
        if isinstance(envelope, dict)
        else "?"
    )
