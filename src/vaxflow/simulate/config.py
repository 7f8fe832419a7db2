"""The parameters of a simulated campaign day and the shares of what citizens and staff do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Shares:
    """How often each branch of a citizen's day happens (fractions of the citizens who come)."""

    self_booking: float = 0.6  # the rest walk in (invited citizens come on top)
    cancellation: float = 0.05  # of the bookings: cancelled through the portal, never come
    no_show: float = 0.05  # of the bookings: never check in
    postponement: float = 0.03  # of the screenings: acute illness, screen again later
    referral: float = 0.005  # of the screenings: referred to hospital
    mild_reaction: float = 0.08  # of the observations
    serious_reaction: float = 0.001  # of the observations
    certificate_download: float = 0.2  # of the certificates: the PDF downloaded
    certificate_verification: float = 0.2  # of the certificates: presented and verified


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """One run: scale (sites, doses), the simulated span and how much faster than real time."""

    sites: int = 2
    doses: int = 200
    hours: float = 1.0
    speedup: float = 60.0
    seed: int = 1
    gateway_url: str = "http://127.0.0.1:8080"
    credentials_path: Path = Path(".stack/demo-credentials.json")
    outbox_path: Path = Path(".stack/sms/outbox.jsonl")
    staff_path: Path = Path(".stack/simulate/staff.json")
    out_path: Path | None = None
    citizen_addresses: int = 64  # loopback addresses the citizens' phones send from
    request_timeout_s: float = 30.0
    ready_timeout_s: float = 60.0  # how long a step waits for the event streams to catch up
    certificate_timeout_s: float = 90.0
    slow_request_timeout_s: float = 120.0  # invitations and certificate lists take seconds
    check_concurrency: int = 4
    observation_minutes: int = 30
    booking_lead_minutes: float = 60.0  # citizens register and book up to this long before
    progress: bool = True
    after_checks: bool = True  # the fault suite runs its own checker instead
    shares: Shares = field(default_factory=Shares)

    @property
    def wall_seconds(self) -> float:
        """How long the arrivals take in real time."""
        return self.hours * 3600 / self.speedup

    def citizens(self) -> int:
        """How many citizens to bring so that about `doses` of them are vaccinated."""
        s = self.shares
        booked_lost = s.self_booking * (s.cancellation + s.no_show)
        screened_out = s.postponement + s.referral
        kept = (1 - booked_lost) * (1 - screened_out)
        return max(1, round(self.doses / kept))
