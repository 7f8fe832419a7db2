"""Issue 12, personal data stays where it belongs, after a short simulated campaign day: the
simulated citizens (logged in with a code, registered, booked or walked in, screened, vaccinated,
certified) are looked for in every Kafka topic since the run began, every log file under
`.stack/logs/`, every metric label of every service, and the warehouse files written since, once
the warehouse has committed everything the run produced.

National IDs and phone numbers have no exception; names and dates of birth are allowed only in
the holder snapshot (CitizenRegistered, CitizenUpdated, DoseAdministered, DoseCorrected) and the
certificate topic (the signed certificate carries them).
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.e2e.gateway import STACK, gateway_client, outbox_path, seeded_staff
from tests.security.test_personal_data import (
    HOLDER_EVENTS,
    SERVICE_PORTS,
    hits,
    messages_since,
    scan_logs,
    scan_warehouse,
)
from vaxflow.simulate import runner
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.people import People
from vaxflow_servicekit.settings import KafkaSettings

pytestmark = pytest.mark.stack

WAREHOUSE_GROUP = "warehouse"


class RecordingPeople(People):
    """The simulator's people, remembered: whom to look for afterwards."""

    made: list[dict[str, Any]]

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng)
        self.made = []
        RUNS.append(self)

    def person(self, phone: str) -> dict[str, Any]:
        body = super().person(phone)
        self.made.append(body)
        return body


RUNS: list[RecordingPeople] = []


async def committed_everything(group: str, ends: dict[TopicPartition, int]) -> bool:
    """True when the group's committed offsets reached these end offsets."""
    admin = AIOKafkaAdminClient(bootstrap_servers=KafkaSettings().bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return all(
        (found := committed.get(tp)) is not None and found.offset >= end for tp, end in ends.items()
    )


async def end_offsets(topics: set[str]) -> dict[TopicPartition, int]:
    """The current end offset of every partition of these topics (only the non-empty ones)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=KafkaSettings().bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()
        ]
        ends = await consumer.end_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end > 0}
    finally:
        await consumer.stop()


async def warehouse_topics() -> set[str]:
    """The topics the warehouse group has committed offsets on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=KafkaSettings().bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(WAREHOUSE_GROUP)
    finally:
        await admin.close()
    return {tp.topic for tp in committed}


@pytest_asyncio.fixture(scope="module")
async def simulated() -> dict[str, Any]:
    """A short campaign day (about 30 doses) through the gateway; whom it made and when."""
    return await _simulate()


async def _simulate() -> dict[str, Any]:
    await seeded_staff()
    async with gateway_client("registration", "scheduling", "injection", "certificate"):
        pass
    config = SimulationConfig(
        sites=2,
        doses=30,
        hours=0.25,
        speedup=60,
        seed=12,
        gateway_url=STACK.gateway_url,
        credentials_path=STACK.stack_dir / "demo-credentials.json",
        outbox_path=outbox_path(),
        staff_path=STACK.stack_dir / "simulate" / "staff.json",
        progress=False,
    )
    started_ms = int(time.time() * 1000)
    original = runner.People
    runner.People = RecordingPeople  # type: ignore[misc]
    try:
        result = await runner.simulate(config)
    finally:
        runner.People = original  # type: ignore[misc]
    people = RUNS[-1].made
    # The warehouse has caught up once it committed every offset that existed after the run.
    ends = await end_offsets(await warehouse_topics())
    deadline = time.monotonic() + 120
    while not await committed_everything(WAREHOUSE_GROUP, ends):
        assert time.monotonic() < deadline, "the warehouse did not catch up within 2 minutes"
        await asyncio.sleep(1)
    return {"result": result, "people": people, "started_ms": started_ms}


def secrets_of(people: list[dict[str, Any]]) -> dict[str, str]:
    found = {}
    for body in people:
        found[body["national_id"]] = "national ID"
        found[body["phone"]] = "phone"
        found["+84" + body["phone"][1:]] = "phone"
    return found


def holder_data_of(people: list[dict[str, Any]]) -> dict[str, str]:
    found = {}
    for body in people:
        found[body["full_name"]] = "name"
        found[body["date_of_birth"]] = "date of birth"
    return found


def test_the_simulation_ran(simulated: dict[str, Any]) -> None:
    result = simulated["result"]

    assert len(simulated["people"]) >= 20
    assert result["doses"]["recorded"] >= 10, result["failures"][-3:]


async def test_no_simulated_personal_data_on_kafka_outside_the_holder_snapshot(
    simulated: dict[str, Any],
) -> None:
    people = simulated["people"]
    secret, holder = secrets_of(people), holder_data_of(people)
    found, snapshots, certificates = [], 0, 0
    for topic, event_type, text in await messages_since(simulated["started_ms"]):
        snapshots += event_type == "DoseAdministered" and bool(hits(text, holder))
        certificates += topic.startswith("certificate.")
        if what := hits(text, secret):
            found.append(f"{topic} {event_type}: {what}")
        allowed = event_type in HOLDER_EVENTS or topic.startswith("certificate.")
        if not allowed and (what := hits(text, holder)):
            found.append(f"{topic} {event_type}: {what}")

    assert snapshots > 0  # the control: the scan read the simulated doses
    assert certificates > 0
    assert found == []


async def test_no_simulated_personal_data_in_log_files(simulated: dict[str, Any]) -> None:
    people = simulated["people"]

    found = await asyncio.to_thread(scan_logs, secrets_of(people) | holder_data_of(people))

    assert found == []


async def test_no_simulated_personal_data_in_metric_labels(simulated: dict[str, Any]) -> None:
    people = simulated["people"]
    values = secrets_of(people) | holder_data_of(people)
    found, scraped = [], 0
    async with httpx.AsyncClient(timeout=10) as client:
        for service, port in SERVICE_PORTS.items():
            response = await client.get(f"http://127.0.0.1:{port}/metrics")
            scraped += response.status_code == 200
            if what := hits(response.text, values):
                found.append(f"{service}: {what}")

    assert scraped == len(SERVICE_PORTS)
    assert found == []


async def test_no_simulated_personal_data_in_the_warehouse(simulated: dict[str, Any]) -> None:
    people = simulated["people"]
    since = simulated["started_ms"] / 1000 - 5
    written = [
        p for p in (STACK.stack_dir / "warehouse").rglob("*.parquet") if p.stat().st_mtime >= since
    ]

    found = await asyncio.to_thread(
        scan_warehouse, secrets_of(people) | holder_data_of(people), since
    )

    assert written  # the control: the run's events reached the warehouse files
    assert found == []
