"""The project's Kafka topics, created explicitly from the event contracts' topic registry."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class TopicReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]
    partitions: dict[str, int]


def registry_names() -> list[str]:
    """Return the topic names of the event contracts' registry."""
    from vaxflow_events.topics import TOPICS  # imported when needed: `vaxflow --help` stays fast

    return [topic.name for topic in TOPICS]


async def ensure_topics(bootstrap: str, names: Sequence[str], partitions: int) -> TopicReport:
    """Create the missing topics (replication factor 1) and wait until all have leaders."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # loaded only when used

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(name, partitions, 1) for name in missing], timeout_ms=15_000
            )
            _raise_errors(response.topic_errors)
        counts = await _wait_for_leaders(admin, names)  # the caller bounds the time
    finally:
        await admin.close()
    return TopicReport(
        created=tuple(missing),
        existing=tuple(n for n in names if n in existing),
        partitions=counts,
    )


def _raise_errors(topic_errors: Sequence[tuple[object, ...]]) -> None:
    failed = [
        f"{error[0]}: error {error[1]} {error[2] if len(error) > 2 else ''}".strip()
        for error in topic_errors
        if error[1] not in (0, TOPIC_ALREADY_EXISTS)
    ]
    if failed:
        raise RuntimeError("creating topics failed: " + "; ".join(failed))


async def _wait_for_leaders(admin: Any, names: Sequence[str]) -> dict[str, int]:
    while True:
        described = await admin.describe_topics(list(names)) if names else []
        counts = {
            t["topic"]: len(t["partitions"])
            for t in described
            if t["error_code"] == 0 and all(p["leader"] >= 0 for p in t["partitions"])
        }
        if len(counts) == len(names):
            return counts
        await asyncio.sleep(0.2)
