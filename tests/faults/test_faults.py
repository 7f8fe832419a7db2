"""A short fault run inside `make test` (issue 11): nothing acknowledged lost or done twice.

About a hundred doses over three minutes while a service is killed, another paused past the
consumer session timeout, FerretDB killed, Redis stopped, poison messages and replayed events
produced, a service's offsets moved back, and consumers and relays crashed between effect and
commit. Then every part is restored and answers again (the conftest runs this last), the
system drains and the checker proves the promises. `make faults` runs the long version with
every kind of fault.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from vaxflow.faults import configs
from vaxflow.faults.report import summary
from vaxflow.faults.runner import run

pytestmark = [pytest.mark.stack, pytest.mark.slow]

SHORT_KINDS = ("kill", "pause", "ferretdb", "redis", "poison", "replay", "rewind", "crash_points")


@pytest.fixture(scope="module")
async def result() -> dict[str, Any]:
    config, simulation, stack = configs(
        seed=11,
        doses=100,
        minutes=3.0,
        faults=len(SHORT_KINDS),
        kinds=SHORT_KINDS,
        redis_down_s=20.0,  # the long run keeps it down a minute
    )
    found = await run(config, stack, simulation)
    print(summary(found))  # shown when the test fails
    if config.out_path is not None:
        config.out_path.parent.mkdir(parents=True, exist_ok=True)
        config.out_path.write_text(json.dumps(found, indent=2, default=str), "utf-8")
    return found


@pytest.mark.timeout(1200)
async def test_every_acknowledged_dose_exists_once_and_every_refused_one_not_at_all(
    result: dict[str, Any],
) -> None:
    verdict = result["verdict"]

    assert verdict["violations"] == []
    assert verdict["checked"].get("doses ok", 0) > 0
    assert result["drain"]["drained"], result["drain"]
    assert {f["kind"] for f in result["faults"]} == set(SHORT_KINDS)
    assert not [f for f in result["faults"] if "error" in f]
    rewind = next(f for f in result["faults"] if f["kind"] == "rewind")
    assert sum(rewind["rewound"].values()) > 0, rewind  # the service read a range again


@pytest.mark.timeout(60)
async def test_poison_messages_are_dead_lettered_and_the_groups_move_past_them(
    result: dict[str, Any],
) -> None:
    assert result["verdict"]["checked"]["poison messages per group"] >= 7


@pytest.mark.timeout(60)
async def test_with_redis_down_availability_answers_503_naming_it_within_the_timeout(
    result: dict[str, Any],
) -> None:
    probe = next(p for p in result["api_while_down"]["probes"] if p["dependency"] == "redis")

    assert probe["status"] == 503
    assert probe["named"] == "redis"
    assert probe["retry_after"]
    assert probe["content_type"] == "application/problem+json"


@pytest.mark.timeout(60)
async def test_every_part_answers_again_after_the_run(result: dict[str, Any]) -> None:
    assert [name for name, seconds in result["restored_s"].items() if seconds is None] == []
