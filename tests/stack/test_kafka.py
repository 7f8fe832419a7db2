"""Kafka of the local stack: the registry's topics exist, and a restart brings it back ready."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from vaxflow.stack import control
from vaxflow.stack.config import StackSettings
from vaxflow_events.topics import TOPICS

pytestmark = pytest.mark.stack


async def test_every_registry_topic_exists_with_the_configured_partitions(
    running_stack: StackSettings,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=running_stack.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic.name for topic in TOPICS])
    finally:
        await admin.close()

    partitions = {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}
    assert partitions == {topic.name: running_stack.topic_partitions for topic in TOPICS}


@pytest.mark.slow
async def test_kafka_stopped_and_started_through_the_control_api_is_ready_again(
    running_stack: StackSettings,
) -> None:
    control.stop("kafka", running_stack)
    control.start("kafka", running_stack)

    topic = TOPICS[0].name
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(
        bootstrap_servers=running_stack.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, marker, partition=0)
    finally:
        await producer.stop()
    assert await _read_at(running_stack, topic, sent.offset) == marker


async def _read_at(settings: StackSettings, topic: str, offset: int) -> bytes | None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek(partition, offset)
        batch = await consumer.getmany(partition, timeout_ms=10_000, max_records=1)
    finally:
        await consumer.stop()
    records = batch.get(partition, [])
    return records[0].value if records else None
