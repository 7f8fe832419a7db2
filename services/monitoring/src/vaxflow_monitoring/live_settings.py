"""Settings of the live picture: aggregates, alerts, the dashboard stream."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LIVE_TOPICS = (
    "registration.citizen.v1",
    "scheduling.appointment.v1",
    "scheduling.stock.v1",
    "injection.dose.v1",
    "certificate.certificate.v1",
    "monitoring.aefi.v1",
    "monitoring.lot.v1",
)


class CampaignTarget(BaseModel):
    """A campaign the coverage is measured against (scheduling publishes no campaign event)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    target: int = Field(ge=1)


class LiveSettings(BaseModel):
    """The live picture's knobs, from VAXFLOW_MONITORING_LIVE__<NAME>."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Who reads every topic to build the aggregates; a new group rebuilds them from the start.
    consumer_group: str = "monitoring.live"
    topics: tuple[str, ...] = LIVE_TOPICS
    # Coverage: every dose counts against each campaign's target (doses carry no campaign).
    campaigns: tuple[CampaignTarget, ...] = (
        CampaignTarget(
            campaign_id="hcmc-2026", name="Ho Chi Minh City COVID-19 campaign", target=930_000
        ),
    )
    # How often the worker reads consumer lag and dead letters from Kafka, and re-evaluates
    # alerts whose conditions change with time alone (the longest wait grows without events).
    pipeline_interval_s: float = Field(default=5.0, gt=0)
    alert_interval_s: float = Field(default=2.0, gt=0)
    # Consumer groups and dead-letter topics of throw-away test and benchmark runs are left out
    # of the pipeline picture (their names end in a random hex suffix).
    pipeline_ignore: str = r"(^bench|^test\.|_[0-9a-f]{8,10})"
    # The stream: at most one summary per connection per this interval; comments keep it open.
    stream_min_interval_s: float = Field(default=0.5, gt=0)
    stream_keepalive_s: float = Field(default=15.0, gt=0)
    notify_channel: str = "vaxflow:monitoring:live:changed"
    # Someone checked in this long ago and never vaccinated has left: not counted as waiting.
    stale_wait_hours: float = Field(default=12.0, gt=0)
    # Days of supply: today's doses projected over a working day that starts at this local hour.
    working_day_start_hour: int = Field(default=7, ge=0, le=23)
    working_day_hours: float = Field(default=10.0, gt=0, le=24)
    # Dose times remembered for the dose-to-certificate lag (the certificate names only the dose).
    dose_time_cache: int = Field(default=200_000, ge=1000)
    # Event ids folded lately (an outbox re-publish, same event at a new offset, counts once):
    # this many in memory, and the last `recent_event_batches` batches' ids in the database,
    # read back at start so a re-publish arriving after a restart counts once too.
    recent_events: int = Field(default=200_000, ge=1000)
    recent_event_batches: int = Field(default=500, ge=10)
    max_sites: int = Field(default=200, ge=1)
