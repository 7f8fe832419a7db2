"""The Kafka producer and admin helpers every service uses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from vaxflow_servicekit.settings import KafkaSettings

Headers = list[tuple[str, bytes]]


def create_producer(settings: KafkaSettings) -> AIOKafkaProducer:
    """An idempotent producer that waits for all in-sync replicas; batches by linger and size."""
    compression = None if settings.compression == "none" else settings.compression
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap,
        client_id=settings.client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=settings.linger_ms,
        compression_type=compression,
        max_batch_size=settings.max_batch_size,
        request_timeout_ms=settings.request_timeout_ms,
    )


async def ensure_topics(
    settings: KafkaSettings, names: Iterable[str], *, partitions: int
) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap, request_timeout_ms=settings.request_timeout_ms
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [n for n in dict.fromkeys(names) if n not in existing]
        return await _create(admin, wanted, partitions, settings.replication_factor)
    finally:
        await admin.close()


async def _create(
    admin: AIOKafkaAdminClient, names: Sequence[str], partitions: int, replication: int
) -> list[str]:
    if not names:
        return []
    response = await admin.create_topics([NewTopic(n, partitions, replication) for n in names])
    created: list[str] = []
    for topic, code, *_ in response.topic_errors:
        if code == 0:
            created.append(topic)
        elif code != TopicAlreadyExistsError.errno:
            raise for_code(code)(f"cannot create topic {topic}")
    return created


async def ping(settings: KafkaSettings) -> None:
    """Raise unless the broker answers a metadata request."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap, request_timeout_ms=settings.request_timeout_ms
    )
    await admin.start()
    try:
        await admin.list_topics()
    finally:
        await admin.close()
