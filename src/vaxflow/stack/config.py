"""Configuration of the local stack: ports, paths, partitions and gateway limits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_BODY_SIZE = re.compile(r"^[0-9]+[kKmM]?$")


def find_root() -> Path:
    """Return the repository root: the folder holding deploy/stack, from this file or the cwd."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / "deploy" / "stack").is_dir() and (folder / "pyproject.toml").is_file():
                return folder
    raise RuntimeError("cannot find the VaxFlow repository root (a folder with deploy/stack)")


class StackSettings(BaseSettings):
    """Everything the local stack can be told, from VAXFLOW_STACK_* variables."""

    model_config = SettingsConfigDict(env_prefix="VAXFLOW_STACK_", extra="forbid", frozen=True)

    root: Path = Field(default_factory=find_root)
    state_dir: Path | None = None
    host: str = "127.0.0.1"

    kafka_port: int = Field(default=9092, ge=1, le=65535)
    kafka_controller_port: int = Field(default=9093, ge=1, le=65535)
    topic_partitions: int = Field(default=6, ge=1, le=1000)
    ferretdb_port: int = Field(default=27017, ge=1, le=65535)
    ferretdb_log_level: str = "warn"
    # Where FerretDB keeps the data: PostgreSQL (the default, indexed lookups) or SQLite files
    # (no server, but only `_id` lookups are indexed).
    ferretdb_backend: Literal["postgresql", "sqlite"] = "postgresql"
    postgres_port: int = Field(default=5433, ge=1, le=65535)
    redis_port: int = Field(default=6380, ge=1, le=65535)

    gateway_port: int = Field(default=8080, ge=1, le=65535)
    gateway_rate_per_second: int = Field(default=50, ge=1)
    gateway_burst: int = Field(default=100, ge=0)
    gateway_max_body_size: str = "1m"
    # Per client address, writes under the route rows' `limit_writes` locations (booking):
    # half the burst passes at once, the other half is slowed to this rate, beyond it 429.
    gateway_write_rate_per_minute: int = Field(default=120, ge=1)
    gateway_write_burst: int = Field(default=20, ge=2)

    kafka_ready_timeout: float = Field(default=180.0, gt=0)
    ready_timeout: float = Field(default=60.0, gt=0)

    @field_validator("gateway_max_body_size")
    @classmethod
    def _nginx_size(cls, value: str) -> str:
        if not _BODY_SIZE.match(value):
            raise ValueError("an nginx size such as 1048576, 512k or 1m")
        return value

    @property
    def stack_dir(self) -> Path:
        return self.state_dir or self.root / ".stack"

    @property
    def deploy_dir(self) -> Path:
        return self.root / "deploy"

    @property
    def logs_dir(self) -> Path:
        return self.stack_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.stack_dir / "run"

    @property
    def bin_dir(self) -> Path:
        return self.stack_dir / "bin"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://{self.host}:{self.ferretdb_port}"

    def postgres_url(self, database: str) -> str:
        return f"postgres://postgres@{self.host}:{self.postgres_port}/{database}"

    @property
    def redis_url(self) -> str:
        return f"redis://{self.host}:{self.redis_port}/0"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def log_file(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def client_env(self) -> dict[str, str]:
        """Return the URLs clients and services use to reach the stack."""
        return {
            "VAXFLOW_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "VAXFLOW_MONGO_URL": self.mongo_url,
            "VAXFLOW_REDIS_URL": self.redis_url,
            "VAXFLOW_GATEWAY_URL": self.gateway_url,
        }
