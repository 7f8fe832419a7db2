"""The pipeline as Kafka sees it: each consumer group's lag and each dead-letter topic's size."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from vaxflow_servicekit.settings import KafkaSettings


class PipelineReader:
    """Reads committed offsets against end offsets, with clients kept open between reads."""

    def __init__(self, settings: KafkaSettings, ignore: str) -> None:
        self._settings = settings
        self._ignore = re.compile(ignore)
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        s = self._settings
        self._admin = AIOKafkaAdminClient(
            bootstrap_servers=s.bootstrap, request_timeout_ms=s.request_timeout_ms
        )
        self._offsets = AIOKafkaConsumer(
            bootstrap_servers=s.bootstrap, group_id=None, enable_auto_commit=False
        )
        await self._admin.start()
        await self._offsets.start()

    async def close(self) -> None:
        if self._offsets is not None:
            await self._offsets.stop()
        if self._admin is not None:
            await self._admin.close()

    async def read(self) -> dict[str, Any]:
        """`consumer_lag` per group and `dead_letters` per DLQ topic, as the summary shows them."""
        assert self._admin is not None, "start() first"
        assert self._offsets is not None, "start() first"
        topics = [t for t in await self._admin.list_topics() if not self._ignore.search(t)]
        groups = sorted(
            g for g, _ in await self._admin.list_consumer_groups() if not self._ignore.search(g)
        )
        committed = {g: await self._admin.list_consumer_group_offsets(g) for g in groups}
        dlq_parts = await self._partitions(sorted(t for t in topics if t.endswith(".dlq")))
        wanted = {tp for offsets in committed.values() for tp in offsets} | set(dlq_parts)
        ends = await self._offsets.end_offsets(list(wanted)) if wanted else {}
        starts = await self._offsets.beginning_offsets(dlq_parts) if dlq_parts else {}
        lag = [
            {"group": g, "lag": _lag(offsets, ends)} for g, offsets in committed.items() if offsets
        ]
        dead: dict[str, int] = {}
        for tp in dlq_parts:
            dead[tp.topic] = dead.get(tp.topic, 0) + ends.get(tp, 0) - starts.get(tp, 0)
        return {
            "consumer_lag": lag,
            "dead_letters": [{"topic": t, "count": n} for t, n in sorted(dead.items())],
            "checked_at": datetime.now(UTC),
        }

    async def _partitions(self, topics: list[str]) -> list[TopicPartition]:
        if not topics:
            return []
        assert self._admin is not None
        described = await self._admin.describe_topics(topics)
        return [
            TopicPartition(t["topic"], p["partition"])
            for t in described
            if t.get("error_code", 0) == 0
            for p in t["partitions"]
        ]


def _lag(committed: dict[TopicPartition, Any], ends: dict[TopicPartition, int]) -> int:
    return sum(
        max(ends.get(tp, 0) - meta.offset, 0) for tp, meta in committed.items() if meta.offset >= 0
    )
