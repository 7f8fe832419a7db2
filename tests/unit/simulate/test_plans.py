"""The simulator's pure parts: the seeded arrival schedule, the shares, the latency figures."""

from __future__ import annotations

import random

from vaxflow.simulate.actors import plans
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.metrics import Recorder, distribution, percentile
from vaxflow.simulate.people import People


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    config = SimulationConfig(doses=500, hours=2, speedup=60)

    first = plans(config, 3, random.Random(1))
    again = plans(config, 3, random.Random(1))
    other = plans(config, 3, random.Random(2))

    assert first == again
    assert first != other


def test_arrivals_fall_in_the_day_and_registration_comes_before_arrival() -> None:
    config = SimulationConfig(doses=2000, hours=10, speedup=600)

    day = plans(config, 4, random.Random(5))

    assert len(day) == config.citizens()
    assert all(0 <= p.start_s <= p.arrival_s < config.wall_seconds for p in day)
    assert [p.start_s for p in day] == sorted(p.start_s for p in day)
    assert {p.site for p in day} == {0, 1, 2, 3}


def test_enough_citizens_come_for_the_planned_doses_with_realistic_shares() -> None:
    config = SimulationConfig(doses=10_000)

    day = plans(config, 10, random.Random(3))
    vaccinated = [p for p in day if not (p.cancels or p.no_show) and p.screening == "eligible"]
    postponed = sum(p.screening == "postpone" for p in day) / len(day)
    serious = sum(p.reaction == "serious" for p in day)

    assert abs(len(vaccinated) - config.doses) / config.doses < 0.02
    assert 0.02 < postponed < 0.04
    assert 0 < serious < 40


def test_people_have_cccd_numbers_matching_birth_year_and_sex() -> None:
    people = People(random.Random(9))

    bodies = [people.person(people.phone()) for _ in range(200)]

    assert len({b["national_id"] for b in bodies}) == 200
    for body in bodies:
        year = int(body["date_of_birth"][:4])
        century = (year - 1900) // 100 * 2 + (body["sex"] == "female")
        assert body["national_id"][3:6] == f"{century}{year % 100:02d}"


def test_percentiles_and_the_endpoint_table() -> None:
    values = [float(v) for v in range(1, 101)]
    recorder = Recorder()
    for v in values:
        recorder.call("POST /doses", v / 1000, 201)
    recorder.error("POST /doses", "500 boom")

    assert (percentile(values, 50), percentile(values, 99)) == (50.0, 99.0)
    assert percentile([], 50) is None
    assert distribution(values)["p95"] == 95.0
    row = recorder.endpoint_table()["POST /doses"]
    assert (row["count"], row["p50_ms"], row["errors"]) == (100, 50.0, 1)
