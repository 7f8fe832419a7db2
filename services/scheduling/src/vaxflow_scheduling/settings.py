"""Scheduling's settings: the check-in key, time zone, availability and stock thresholds.

Built once at start (`SchedulingSettings()` reads VAXFLOW_SCHEDULING_* and the shared VAXFLOW_*)
and passed down. `production` refuses the development check-in key.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from vaxflow_servicekit.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    """Everything scheduling can be told, from VAXFLOW_SCHEDULING_* (and VAXFLOW_*)."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_SCHEDULING_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "scheduling"
    port: int = Field(
        default=8103, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )
    # Sessions, slots and "today" are in the sites' local time.
    local_timezone: str = "Asia/Ho_Chi_Minh"

    # HMAC key of the QR check-in tokens; changing it invalidates every token handed out.
    check_in_key: SecretStr = SecretStr("development-check-in-token-key-0001")

    # How far ahead sessions may be created, and how far ahead availability is served.
    max_days_ahead: int = Field(default=60, ge=1, le=366)
    availability_days: int = Field(default=7, ge=1, le=31)
    # How often every coming session's free places are rewritten to Redis (bookings write
    # their own slot at once; this heals anything a crashed process left behind).
    availability_refresh_s: float = Field(default=5.0, gt=0)
    redis_prefix: str = Field(default="sched", pattern=r"^[a-z0-9:_-]{1,40}$")
    # Each process keeps an availability answer this long before asking Redis again (0: never),
    # so that a stampede of identical reads costs one Redis round trip per period.
    availability_cache_s: float = Field(default=0.25, ge=0, le=1.0)

    # A place claim whose appointment never appeared (the process died in between) is
    # reclaimed after this long.
    claim_stale_after_s: float = Field(default=30.0, gt=0)
    # A receipt or adjustment a crash left half done, and no retry finished, is finished by the
    # sweeper once this old; the sweeper looks every `stock_sweep_s`.
    stock_entry_stale_s: float = Field(default=30.0, gt=0)
    stock_sweep_s: float = Field(default=15.0, gt=0)

    # Expected wait = people waiting x minutes per person, from the site's recent pace or this.
    default_minutes_per_person: float = Field(default=3.0, gt=0)
    # How often each site's queue (waiting, longest wait) is written to the metrics, so the
    # response centre sees crowding without anyone reading the queue.
    queue_metrics_refresh_s: float = Field(default=10.0, gt=0)

    # Reminders of a next dose: how often the announcer looks for those due, how many days
    # back it still looks (reminders due while it did not run), and reminders per read.
    reminder_interval_s: float = Field(default=60.0, gt=0)
    reminder_lookback_days: int = Field(default=7, ge=0, le=60)
    reminder_batch: int = Field(default=200, ge=1, le=5000)
    # Reminders go out between these local hours only (nobody is texted at night).
    reminder_from_hour: int = Field(default=7, ge=0, le=23)
    reminder_until_hour: int = Field(default=21, ge=1, le=24)

    # StockLow when days of supply at the recent rate fall below this.
    stock_low_days: float = Field(default=3.0, ge=0)
    stock_rate_days: int = Field(default=7, ge=1, le=60)

    # Booking changes (bookings and cancellations) per identity and window: a booking bot with
    # one phone account, or one staff login, is refused (429) while everyone else books. A
    # phone account holds at most six people; staff cancel for whole sessions.
    booking_changes_per_citizen: int = Field(default=20, ge=1)
    booking_changes_per_staff: int = Field(default=600, ge=1)
    booking_changes_window_s: int = Field(default=3600, ge=1, le=86400)

    consumer_group: str = "scheduling.reactions"

    @model_validator(mode="after")
    def _texting_hours_in_order(self) -> SchedulingSettings:
        if self.reminder_from_hour >= self.reminder_until_hour:
            raise ValueError("reminder_from_hour must come before reminder_until_hour")
        return self

    @model_validator(mode="after")
    def _real_key_in_production(self) -> SchedulingSettings:
        key = self.check_in_key.get_secret_value()
        if self.environment == "production" and ("development" in key or len(key) < 32):
            raise ValueError("check_in_key must be set (32+ characters) outside development")
        return self
