"""The warehouse's settings: where the files go, the pseudonym key, the topics and batching.

Built once at start (`WarehouseSettings()` reads VAXFLOW_WAREHOUSE_* and the shared VAXFLOW_*)
and passed down. `production` refuses the development pseudonym key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from vaxflow_events import TOPICS
from vaxflow_servicekit.settings import ServiceSettings

_DEV_MARK = "development"


def _all_topics() -> tuple[str, ...]:
    return tuple(topic.name for topic in TOPICS)


class WarehouseSettings(ServiceSettings):
    """Everything the warehouse sink can be told, from VAXFLOW_WAREHOUSE_* (and VAXFLOW_*)."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_WAREHOUSE_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "warehouse"
    port: int = Field(
        default=8107, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )
    data_dir: Path = Path(".stack/warehouse/data")
    # HMAC-SHA256 key of the citizen-id pseudonyms. Changing it breaks every join between old
    # and new rows: rebuild the warehouse after a change.
    pseudonym_key: SecretStr = SecretStr("development-warehouse-pseudonym-key-0001")
    group: str = Field(default="warehouse", pattern=r"^[a-z][a-z0-9._-]*$")
    topics: tuple[str, ...] = Field(default_factory=_all_topics, min_length=1)
    batch_max_rows: int = Field(default=50_000, ge=1)
    # Larger batches mean fewer, larger files (no compaction yet) and staler queries.
    batch_max_seconds: float = Field(default=60.0, gt=0)
    fetch_max_records: int = Field(default=5000, ge=1)
    # Members of the sink's group run by this service, each a process of its own that fetches,
    # shapes and writes its partitions: one per core they may use (workers/members.py).
    sink_processes: int = Field(default=1, ge=1, le=64)
    # Worker processes validating and shaping messages for each member; 0 shapes them in the
    # member's own process. Members cost less than workers per event (nothing crosses a pipe).
    shaping_processes: int = Field(default=0, ge=0, le=64)

    @model_validator(mode="after")
    def _real_key_in_production(self) -> WarehouseSettings:
        if self.environment != "production":
            return self
        key = self.pseudonym_key.get_secret_value()
        if _DEV_MARK in key:
            raise ValueError("pseudonym_key must be set outside development")
        if len(key) < 32:
            raise ValueError("pseudonym_key must be at least 32 characters")
        return self
