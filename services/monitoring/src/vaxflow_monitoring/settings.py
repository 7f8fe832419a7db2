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

    # --- the response centre's live picture ---
    live: LiveSettings = LiveSettings()
