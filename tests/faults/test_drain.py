"""Which consumer groups the drain waits for and the checker judges (real broker).

A long-lived stack keeps the committed offsets of groups an older version of a service used.
No process reads for them, so their lag never falls and poison is never dead-lettered there:
the fault run leaves them out, and judges every group a running service is a member of.
"""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from vaxflow.faults.drain import consumer_lag, group_offsets, idle_groups
from vaxflow.stack.config import StackSettings

pytestmark = pytest.mark.stack

BOOTSTRAP = StackSettings().kafka_bootstrap
TOPIC = "injection.dose.v1"


async def test_a_group_no_process_serves_is_idle_and_left_out_of_the_lag() -> None:
    retired = f"scheduling.retired-{uuid.uuid4().hex[:8]}"  # named like a service's group
    consumer = AIOKafkaConsumer(
        bootstrap_servers=BOOTSTRAP, group_id=retired, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(TOPIC, 0)])
        await consumer.commit({TopicPartition(TOPIC, 0): 0})  # behind the topic's end
    finally:
        await consumer.stop()

    idle = await idle_groups(BOOTSTRAP)
    lag_all = await consumer_lag(BOOTSTRAP)
    lag_served = await consumer_lag(BOOTSTRAP, idle)

    assert retired in idle
    assert retired in lag_all
    assert retired not in lag_served
    served = set(await group_offsets(BOOTSTRAP, idle))
    assert "certificate.doses" in served  # the running certificate service's group
    assert "certificate.doses" not in idle
