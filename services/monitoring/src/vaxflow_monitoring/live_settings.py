"""Settings of the live picture: aggregates, alerts, the dashboard stream."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LiveSettings(BaseModel):
    """The live picture's knobs, from VAXFLOW_MONITORING_LIVE__<NAME>."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Who reads every topic to build the aggregates; a new group rebuilds them from the start.
    consumer_group: str = "monitoring.live"
