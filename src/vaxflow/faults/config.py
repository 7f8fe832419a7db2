"""One fault run: the campaign it drives, which faults it injects, and how long it waits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vaxflow.service import SERVICES

# Groups of the services' consumers (the `.citizens` group of scheduling included by prefix).
GROUP_PREFIXES = ("certificate.", "injection.", "monitoring.", "registration.", "scheduling.")
GROUPS_EXACT = ("warehouse",)
# Service databases the checker and the drain look into.
DATABASES = ("registration", "scheduling", "injection", "certificate", "monitoring", "identity")
KINDS = (
    "kill",  # SIGKILL of a service process; the supervisor restarts it
    "pause",  # SIGSTOP longer than the consumer session timeout, then SIGCONT
    "kafka",  # SIGKILL of the broker; the supervisor restarts it
    "ferretdb",  # SIGKILL of FerretDB; the supervisor restarts it
    "redis",  # Redis stopped for a while, then started
    "poison",  # a message no consumer can read, into every topic
    "replay",  # the last events of the dose and appointment topics produced again
    "rewind",  # a service stopped, its groups' offsets moved back, started: it reads again
    "crash_points",  # consumers and relays crash between effect and commit, for a while
    "slow",  # every consumer slowed down for a while (lag builds)
)


@dataclass(frozen=True, slots=True)
class FaultsConfig:
    """A run: the simulated day, the seeded schedule of faults, the waits afterwards."""

    seed: int = 1
    sites: int = 2
    doses: int = 300
    hours: float = 2.0
    speedup: float = 24.0  # 2 simulated hours in 5 real minutes
    kinds: tuple[str, ...] = KINDS
    faults: int = 12  # how many faults over the day (at least one of each kind chosen)
    warmup_s: float = 20.0  # steady traffic before the first fault
    quiet_s: float = 15.0  # no new fault in the last seconds of the day
    pause_s: float = 16.0  # longer than the consumers' 10 s session timeout
    redis_down_s: float = 60.0  # "Redis unavailable for a minute"
    window_s: float = 12.0  # how long crash points and slowness last
    crash_probability: float = 0.01
    slow_delay_s: float = 0.25
    replay_count: int = 40
    drain_timeout_s: float = 300.0
    recover_timeout_s: float = 180.0
    api_timeout_s: float = 10.0  # the longest a request may take while a dependency is down
    gateway_url: str = "http://127.0.0.1:8080"
    out_path: Path | None = None
    progress: bool = False
    services: tuple[str, ...] = SERVICES

    @property
    def wall_seconds(self) -> float:
        """How long the simulated day takes in real time."""
        return self.hours * 3600 / self.speedup
