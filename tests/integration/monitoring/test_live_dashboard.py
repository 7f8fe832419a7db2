"""The live picture on the real stack: events on real topics, aggregates in the real database,
change notices through the real Redis, alerts, and the server-sent stream.

Each test runs the live picture alone (API and workers in one app, as role `all`) on a
database, topics and consumer group of its own, and publishes the events its producers would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI
from httpx_sse import aconnect_sse
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_monitoring.live import INDEXES, build_live
from vaxflow_monitoring.live_settings import LiveSettings
from vaxflow_monitoring.settings import MonitoringSettings

from vaxflow_events import (
    AdminArea,
    CheckInMethod,
    CitizenCheckedIn,
    DoseAdministered,
    DoseKind,
    Envelope,
    Event,
    Holder,
    Vaccination,
    lot_id_for,
    topic_for,
)
from vaxflow_events.dose import BodySite
from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.runtime import Needs, infrastructure, workers
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until, unique_name

pytestmark = pytest.mark.stack

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
AREA = AdminArea(province_code="79", district_code="760", ward_code="26734")
STREAMS = ("scheduling.appointment.v1", "injection.dose.v1", "scheduling.stock.v1")


@dataclass
class LiveApp:
    """A running live picture and what a test needs around it."""

    app: FastAPI
    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    settings: MonitoringSettings
    topics: dict[str, str]
    producer: AIOKafkaProducer
    stack: contextlib.AsyncExitStack

    async def stop(self) -> None:
        """Stop the app (its workers finish their batch and leave the group)."""
        await self.stack.aclose()

    def operator(self) -> dict[str, str]:
        return self.issuer.bearer(subject="stf_operator", role="mcc_operator")

    async def publish(self, *events: Event | Envelope[Any], at: datetime | None = None) -> None:
        """Put events (or exact envelopes, to publish one twice) on this test's topics."""
        for event in events:
            envelope = (
                event
                if isinstance(event, Envelope)
                else Envelope.new(event, producer="test", occurred_at=at)
            )
            topic = self.topics[topic_for(envelope.event_type).name]
            await self.producer.send_and_wait(
                topic, envelope.to_bytes(), key=envelope.key.encode(), headers=envelope.headers()
            )

    async def summary(self) -> dict[str, Any]:
        response = await self.client.get("/api/v1/dashboard/summary", headers=self.operator())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def site(self, site_id: uuid.UUID) -> dict[str, Any]:
        """The summary's row of a site (an empty row until it appears)."""
        sites = (await self.summary())["sites"]
        return next((s for s in sites if s["site_id"] == str(site_id)), {})

    async def alerts(self, status: str) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/api/v1/alerts", params={"status": status}, headers=self.operator()
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def dose(citizen: uuid.UUID, site: uuid.UUID, at: datetime | None = None) -> DoseAdministered:
    at = at or datetime.now(UTC)
    return DoseAdministered(
        dose_id=uuid.uuid4(),
        citizen_id=citizen,
        site_id=site,
        appointment_id=None,
        screening_id=uuid.uuid4(),
        holder=Holder(
            family_name="Nguyễn",
            given_name="An",
            family_name_icao="NGUYEN",
            given_name_icao="AN",
            date_of_birth=date(1990, 1, 1),
        ),
        residence=AREA,
        site_area=AREA,
        vaccination=Vaccination(
            product_code="EU/1/20/1528",
            manufacturer_code="ORG-100030215",
            vaccine_type_code="J07BX03",
            target_disease_code="840539006",
            lot_id=lot_id_for("EU/1/20/1528", "FF2587"),
            lot_number="FF2587",
            dose_number=1,
            series_doses=2,
            dose_kind=DoseKind.PRIMARY,
            administered_at=at,
            administered_on=at.astimezone(ICT).date(),
        ),
        body_site=BodySite.LEFT_DELTOID,
        administered_by=uuid.uuid4(),
        captured_offline=False,
    )


def check_in(citizen: uuid.UUID, site: uuid.UUID) -> CitizenCheckedIn:
    return CitizenCheckedIn(
        check_in_id=uuid.uuid4(),
        citizen_id=citizen,
        site_id=site,
        appointment_id=None,
        method=CheckInMethod.WALK_IN,
        queue_number=1,
        site_area=AREA,
    )


def build(settings: MonitoringSettings, issuer: LocalTokenIssuer) -> FastAPI:
    live = build_live(settings)
    return create_app(
        settings,
        title="live picture under test",
        version="test",
        routers=live.routers,
        lifespan=[
            infrastructure(settings, Needs(redis=True, indexes=INDEXES)),
            *live.lifespans,
            workers(live.workers),
        ],
        verifier=issuer.verifier(),
    )


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://live.test") as client:
            yield client


@pytest_asyncio.fixture
async def live(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> AsyncIterator[LiveApp]:
    topics = {s: await topic_factory(s.split(".")[1]) for s in STREAMS}
    group = unique_name("live")
    topic_factory.track(dlq_topic(group))
    settings = MonitoringSettings(
        environment="test",
        mongo_database=mongo_db.name,
        live=LiveSettings(
            consumer_group=group,
            topics=tuple(topics.values()),
            pipeline_interval_s=60,
            alert_interval_s=0.5,
        ),
    )
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    app = build(settings, issuer)
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(running(app))
            yield LiveApp(app, client, issuer, settings, topics, producer, stack)
    finally:
        await producer.stop()


async def test_doses_published_to_the_topics_appear_in_the_summary(live: LiveApp) -> None:
    site = uuid.uuid4()
    before = (await live.summary())["doses"]["today"]

    await live.publish(*(dose(uuid.uuid4(), site) for _ in range(3)))

    row = await poll_until(lambda: live.site(site), accept=lambda s: s.get("doses_today") == 3)
    summary = await live.summary()
    assert summary["doses"]["today"] == before + 3
    assert row["district_code"] == "760"
    assert any(a["district_code"] == "760" for a in summary["doses"]["by_area"])


async def test_redelivered_and_republished_events_count_once(
    live: LiveApp, kafka_settings: KafkaSettings
) -> None:
    site = uuid.uuid4()
    envelopes = [Envelope.new(dose(uuid.uuid4(), site), producer="test") for _ in range(4)]
    await live.publish(*envelopes, envelopes[0])  # the outbox re-published the first
    await poll_until(lambda: live.site(site), accept=lambda s: s.get("doses_today") == 4)

    # As after a crash before the commit: the group reads the topics again from the start.
    await live.stop()
    await _rewind(kafka_settings, live.settings.live.consumer_group, live.topics.values())
    async with running(build(live.settings, live.issuer)) as again:
        live.client = again
        await live.publish(dose(uuid.uuid4(), uuid.uuid4()))  # a marker behind the replay
        await poll_until(
            live.summary, accept=lambda s: s["doses"]["total"] == 5, what="replay and marker"
        )
        assert (await live.site(site))["doses_today"] == 4


async def test_a_republish_arriving_after_a_restart_counts_once(live: LiveApp) -> None:
    site = uuid.uuid4()
    envelopes = [Envelope.new(dose(uuid.uuid4(), site), producer="test") for _ in range(3)]
    await live.publish(*envelopes)
    await poll_until(lambda: live.site(site), accept=lambda s: s.get("doses_today") == 3)

    # The worker restarts (its offsets committed), then a relay re-publishes an event.
    await live.stop()
    async with running(build(live.settings, live.issuer)) as again:
        live.client = again
        await live.publish(envelopes[1], dose(uuid.uuid4(), uuid.uuid4()))  # copy, then marker
        await poll_until(live.summary, accept=lambda s: s["doses"]["total"] >= 4, what="the marker")
        summary = await live.summary()
        assert summary["doses"]["total"] == 4
        assert (await live.site(site))["doses_today"] == 3


async def _rewind(kafka: KafkaSettings, group: str, topics: Any) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        parts = [TopicPartition(t, 0) for t in topics]
        consumer.assign(parts)
        await consumer.commit(dict.fromkeys(parts, 0))
    finally:
        await consumer.stop()


async def test_a_crowding_alert_opens_is_acknowledged_and_closes_when_cleared(
    live: LiveApp,
) -> None:
    site = uuid.uuid4()
    override = {"threshold": 2, "site_id": str(site)}
    put = await live.client.put(
        "/api/v1/alert-rules/crowding", json=override, headers=live.operator()
    )
    assert put.status_code == 200, put.text
    assert put.json()["site_overrides"] == [{"site_id": str(site), "threshold": 2.0}]
    citizens = [uuid.uuid4(), uuid.uuid4()]

    await live.publish(*(check_in(c, site) for c in citizens))

    (alert,) = await poll_until(
        lambda: _alerts_for(live, site, "open"), accept=lambda a: len(a) == 1, what="crowding"
    )
    assert alert["rule"] == "crowding"
    assert alert["message"] == "2 people waiting (threshold 2)"
    path = f"/api/v1/alerts/{alert['alert_id']}/acknowledge"
    acked = await live.client.post(path, json={"note": "second line"}, headers=live.operator())
    again = await live.client.post(path, headers=live.operator())
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "stf_operator"
    assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]

    await live.publish(*(dose(c, site) for c in citizens))

    (closed,) = await poll_until(
        lambda: _alerts_for(live, site, "closed"), accept=lambda a: len(a) == 1, what="closed"
    )
    assert closed["alert_id"] == alert["alert_id"]
    assert all(a["subject"] != str(site) for a in (await live.summary())["alerts"])
    late = await live.client.post(path, headers=live.operator())
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"


async def _alerts_for(live: LiveApp, site: uuid.UUID, status: str) -> list[dict[str, Any]]:
    return [a for a in await live.alerts(status) if a["subject"] == str(site)]


async def test_only_operators_see_the_dashboard_and_bad_input_is_refused(live: LiveApp) -> None:
    vaccinator = live.issuer.bearer(subject="stf_v", role="vaccinator", site_id=str(uuid.uuid4()))
    ops = live.operator()

    anonymous = await live.client.get("/api/v1/dashboard/summary")
    forbidden = await live.client.get("/api/v1/dashboard/summary", headers=vaccinator)
    unknown_rule = await live.client.put(
        "/api/v1/alert-rules/nope", json={"threshold": 1}, headers=ops
    )
    negative = await live.client.put(
        "/api/v1/alert-rules/crowding", json={"threshold": -1}, headers=ops
    )
    not_per_site = await live.client.put(
        "/api/v1/alert-rules/pipeline_lag",
        json={"threshold": 5, "site_id": str(uuid.uuid4())},
        headers=ops,
    )
    unknown_alert = await live.client.post("/api/v1/alerts/nope/acknowledge", headers=ops)
    bad_cursor = await live.client.get("/api/v1/alerts", params={"cursor": "!!"}, headers=ops)
    rules = await live.client.get("/api/v1/alert-rules", headers=ops)

    assert (anonymous.status_code, forbidden.status_code) == (401, 403)
    assert unknown_rule.status_code == 404
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "body.threshold"
    assert not_per_site.status_code == 422
    assert not_per_site.json()["errors"][0]["rule"] == "not_per_site"
    assert unknown_alert.status_code == 404
    assert bad_cursor.status_code == 422
    assert {r["rule"]: r["threshold"] for r in rules.json()["items"]}["pipeline_lag"] == 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_the_stream_pushes_a_change_after_an_event(live: LiveApp) -> None:
    port = _free_port()
    # The stream needs a real server: the in-memory transport waits for the whole response.
    server = uvicorn.Server(
        uvicorn.Config(live.app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    received: list[dict[str, Any]] = []
    site = uuid.uuid4()

    async def read() -> None:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client,
            aconnect_sse(
                client, "GET", "/api/v1/dashboard/stream", headers=live.operator()
            ) as source,
        ):
            async for event in source.aiter_sse():
                assert event.event == "summary"
                received.append(json.loads(event.data))

    try:
        await poll_until(lambda: _started(server), what="server")
        reader = asyncio.create_task(read())
        await poll_until(lambda: _count(received), accept=lambda n: n >= 1, what="first summary")

        await live.publish(dose(uuid.uuid4(), site))

        await poll_until(
            lambda: _count(received),
            accept=lambda _: any(_has_site(s, site) for s in received),
            timeout_s=10,
            what="a summary with the dose",
        )
        reader.cancel()
    finally:
        server.should_exit = True
        await serving


async def _started(server: uvicorn.Server) -> bool:
    return server.started


async def _count(items: list[Any]) -> int:
    return len(items)


def _has_site(summary: dict[str, Any], site: uuid.UUID) -> bool:
    return any(s["site_id"] == str(site) and s["doses_today"] == 1 for s in summary["sites"])


async def test_a_poison_message_is_dead_lettered_saying_where_it_came_from(
    live: LiveApp, kafka_settings: KafkaSettings
) -> None:
    """Issue 11: the fault suite found the live picture's dead letters untraceable."""
    topic = live.topics["injection.dose.v1"]
    sent = await live.producer.send_and_wait(topic, b"{not json", key=b"poison")
    site = uuid.uuid4()
    await live.publish(dose(uuid.uuid4(), site))  # the partition moves on past the poison

    await poll_until(lambda: live.site(site), accept=lambda s: s.get("doses_today") == 1)
    dlq = TopicPartition(dlq_topic(live.settings.live.consumer_group), 0)
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_settings.bootstrap)
    await consumer.start()
    try:
        consumer.assign([dlq])
        consumer.seek(dlq, 0)
        batch = await asyncio.wait_for(consumer.getone(), timeout=60)
    finally:
        await consumer.stop()
    headers = {k: v.decode() for k, v in batch.headers}
    assert headers["dlq.reason"] == "invalid_message"
    assert headers["dlq.error"]
    assert (headers["dlq.topic"], headers["dlq.partition"], headers["dlq.offset"]) == (
        topic,
        str(sent.partition),
        str(sent.offset),
    )
    assert headers["dlq.group"] == live.settings.live.consumer_group
