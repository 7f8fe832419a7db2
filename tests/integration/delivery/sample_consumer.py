"""Runs the sample projection as its own process, so a test can SIGKILL it mid-batch.

With `--crash-after N`, the process kills itself with SIGKILL right after the effect of its
N-th message, which is before the batch's offsets are committed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from typing import Any

from tests.integration.delivery.sample import REGISTRY, TallyIncremented, TallyProjection
from vaxflow_servicekit.consumer import ReliableConsumer
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.settings import KafkaSettings, MongoSettings


async def run(topic: str, group: str, database: str, crash_after: int) -> None:
    """Consume until SIGTERM, or crash on purpose."""
    client = create_mongo_client(MongoSettings())
    projection = TallyProjection(client[database])
    handled = 0

    async def handle(event: TallyIncremented, envelope: Any) -> None:
        nonlocal handled
        await projection.on_incremented(event, envelope)
        handled += 1
        if handled == crash_after:
            os.kill(os.getpid(), signal.SIGKILL)

    consumer = ReliableConsumer(
        settings=KafkaSettings(consumer_max_records=100),
        group=group,
        topics=[topic],
        parser=REGISTRY,
        handlers={TallyIncremented.event_type: handle},
    )
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, consumer.stop)
    try:
        await consumer.run()
    finally:
        await client.close()


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--crash-after", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(run(args.topic, args.group, args.database, args.crash_after))


if __name__ == "__main__":
    main()
