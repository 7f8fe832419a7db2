"""Monitoring's settings: AEFI and lot-signal rules, and the live picture's (see `live_settings`).

Built once at start (`MonitoringSettings()` reads VAXFLOW_MONITORING_* and the shared VAXFLOW_*;
nested live settings read VAXFLOW_MONITORING_LIVE__*) and passed down.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from vaxflow_monitoring.live_settings import LiveSettings
from vaxflow_servicekit.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    """Everything monitoring can be told, from VAXFLOW_MONITORING_* (and VAXFLOW_*)."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_MONITORING_",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    service_name: str = "monitoring"
    port: int = Field(
        default=8106, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )
    # "Today" for the dashboard's counters is the calendar date where the sites are.
    local_timezone: str = "Asia/Ho_Chi_Minh"

    # --- AEFI cases, lot signals and suspensions (the core) ---
    # An onset may be a little ahead of the server's clock.
    clock_skew_s: int = Field(default=300, ge=0, le=3600)
    # The signal thresholds: a JSON file like the packaged `data/signal_rules.json` (None: that).
    signal_rules_file: str | None = None
    # Who reads citizens, doses, observations and stock receipts into the read models (and opens
    # cases from serious observations); a new group rebuilds them from the start.
    core_group: str = "monitoring.core"
    # Who reads monitoring's own AEFI stream to evaluate lot signals.
    signals_group: str = "monitoring.signals"
    # How often the worker refreshes the open-case and suspended-lot gauges.
    gauges_interval_s: float = Field(default=15.0, gt=0)

    # --- the response centre's live picture ---
    live: LiveSettings = LiveSettings()
