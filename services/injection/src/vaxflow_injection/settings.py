"""Injection's settings: time zone, clock tolerance, batch limits and consumer groups.

Built once at start (`InjectionSettings()` reads VAXFLOW_INJECTION_* and the shared VAXFLOW_*)
and passed down.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from vaxflow_servicekit.settings import ServiceSettings


class InjectionSettings(ServiceSettings):
    """Everything injection can be told, from VAXFLOW_INJECTION_* (and VAXFLOW_*)."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_INJECTION_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "injection"
    port: int = Field(
        default=8104, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )
    # "Today" for screenings, check-ins and doses is the calendar date where the sites are.
    local_timezone: str = "Asia/Ho_Chi_Minh"
    # An online dose is recorded at the moment of the injection: its time may be a little ahead
    # of the server's clock, and not older than this (older records go through the batch).
    clock_skew_s: int = Field(default=300, ge=0, le=3600)
    online_max_age_minutes: int = Field(default=720, ge=1)
    # Offline capture: how far back an uploaded record may go, and records per upload.
    offline_max_age_days: int = Field(default=30, ge=1)
    batch_max_records: int = Field(default=500, ge=1, le=5000)
    # Who reads the topics that build the read models; a new group rebuilds them from the start.
    read_model_group: str = "injection.read-models"
