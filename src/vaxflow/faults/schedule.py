"""The seeded random schedule: which fault, on what, at which second of the day."""

from __future__ import annotations

import random
from dataclasses import dataclass

from vaxflow.faults.config import FaultsConfig

# Parts a fault of each kind may hit (the services are chosen among the run's).
_INFRASTRUCTURE_TARGETS = {"kafka": "kafka", "ferretdb": "ferretdb", "redis": "redis"}


@dataclass(frozen=True, slots=True)
class Planned:
    """One fault to inject: its kind, its target and when (seconds after the day starts)."""

    at_s: float
    kind: str
    target: str


def plan(config: FaultsConfig) -> list[Planned]:
    """Every kind chosen at least once, the rest at random; spread over the day, in order."""
    rng = random.Random(config.seed)  # nosec B311  # a reproducible fault schedule, not a secret
    count = max(config.faults, len(config.kinds))
    kinds = list(config.kinds) + [
        rng.choice(config.kinds) for _ in range(count - len(config.kinds))
    ]
    rng.shuffle(kinds)
    start, end = config.warmup_s, max(config.warmup_s + 1, config.wall_seconds - config.quiet_s)
    step = (end - start) / count
    return [
        Planned(
            at_s=round(start + i * step + rng.uniform(0, step * 0.3), 1),
            kind=kind,
            target=_target(kind, config, rng),
        )
        for i, kind in enumerate(kinds)
    ]


def _target(kind: str, config: FaultsConfig, rng: random.Random) -> str:
    if kind in ("kill", "pause"):
        return rng.choice(config.services)
    if kind == "rewind":  # a service that consumes (identity reads no topic)
        return rng.choice([s for s in config.services if s != "identity"])
    if kind in _INFRASTRUCTURE_TARGETS:
        return _INFRASTRUCTURE_TARGETS[kind]
    if kind == "slow":
        return "every consumer"
    if kind == "crash_points":
        return "every consumer and relay"
    return "every topic" if kind == "poison" else "dose and appointment topics"
