"""Each site's queue reaches the metrics from the background loop, without anyone reading it."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY
from vaxflow_scheduling.handlers.checkins import export_queues
from vaxflow_scheduling.store.checkins import check_in_key

from tests.integration.scheduling.conftest import Scheduling

pytestmark = pytest.mark.stack


def _gauge(name: str, site_id: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"site_id": site_id})


async def test_the_metrics_show_who_waits_at_each_site_and_nobody_once_vaccinated(
    scheduling: Scheduling,
) -> None:
    crowded, quiet = await scheduling.site(), await scheduling.site()
    staff = scheduling.staff("vaccinator", site_id=crowded["site_id"])
    walk_ins = [str(uuid.uuid4()) for _ in range(3)]
    for citizen in walk_ins:
        response = await scheduling.client.post(
            "/api/v1/check-ins",
            json={"site_id": crowded["site_id"], "citizen_id": citizen},
            headers=staff,
        )
        assert response.status_code == 201, response.text

    await export_queues(scheduling.components)
    waiting_before = _gauge("vaxflow_scheduling_queue_waiting", crowded["site_id"])
    longest_before = _gauge("vaxflow_scheduling_queue_longest_wait_seconds", crowded["site_id"])
    quiet_before = _gauge("vaxflow_scheduling_queue_waiting", quiet["site_id"])
    c = scheduling.components
    for citizen in walk_ins:
        assert await c.check_ins.mark_vaccinated(
            check_in_key(crowded["site_id"], c.today(), citizen), c.now()
        )
    await export_queues(c)

    assert waiting_before == 3
    assert longest_before is not None
    assert longest_before >= 0
    assert quiet_before == 0
    assert _gauge("vaxflow_scheduling_queue_waiting", crowded["site_id"]) == 0
    assert _gauge("vaxflow_scheduling_queue_longest_wait_seconds", crowded["site_id"]) == 0
