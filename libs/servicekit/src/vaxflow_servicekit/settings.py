"""Settings shared by every service, built once at start and passed down."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class KafkaSettings(BaseSettings):
    """How to reach Kafka and how the producer and consumers behave."""

    model_config = SettingsConfigDict(env_prefix="VAXFLOW_KAFKA_", extra="ignore", frozen=True)

    bootstrap: str = "127.0.0.1:9092"
    client_id: str = "vaxflow"
    linger_ms: int = Field(default=5, ge=0)
    compression: Literal["none", "gzip", "lz4", "zstd"] = "lz4"
    request_timeout_ms: int = Field(default=15_000, ge=1000)
    max_batch_size: int = Field(default=16_384 * 8, ge=1024)
    consumer_max_records: int = Field(default=500, ge=1)
    consumer_fetch_timeout_ms: int = Field(default=500, ge=10)
    session_timeout_ms: int = Field(default=10_000, ge=6000)
    heartbeat_interval_ms: int = Field(default=3000, ge=100)
    max_poll_interval_ms: int = Field(default=300_000, ge=10_000)
    dlq_partitions: int = Field(default=1, ge=1)
    replication_factor: int = Field(default=1, ge=1)


class MongoSettings(BaseSettings):
    """How to reach the MongoDB-wire database."""

    model_config = SettingsConfigDict(env_prefix="VAXFLOW_MONGO_", extra="ignore", frozen=True)

    url: str = "mongodb://127.0.0.1:27017"
    server_selection_timeout_ms: int = Field(default=5000, ge=100)
    connect_timeout_ms: int = Field(default=5000, ge=100)
    socket_timeout_ms: int = Field(default=20_000, ge=100)
    max_pool_size: int = Field(default=50, ge=1)


class RedisSettings(BaseSettings):
    """How to reach Redis."""

    model_config = SettingsConfigDict(env_prefix="VAXFLOW_REDIS_", extra="ignore", frozen=True)

    url: str = "redis://127.0.0.1:6380/0"
    socket_timeout_s: float = Field(default=2.0, gt=0)


class AuthSettings(BaseSettings):
    """How access tokens are verified: the JWKS, issuer, audience and algorithm pinned."""

    model_config = SettingsConfigDict(env_prefix="VAXFLOW_AUTH_", extra="ignore", frozen=True)

    jwks_url: str = "http://127.0.0.1:8101/api/v1/auth/jwks.json"
    issuer: str = "https://identity.vaxflow.local"
    audience: str = "vaxflow"
    algorithm: Literal["ES256"] = "ES256"
    jwks_cache_seconds: int = Field(default=300, ge=1)
    leeway_seconds: int = Field(default=10, ge=0)


class ServiceSettings(BaseSettings):
    """The settings every service has; a service subclasses it with its own env prefix."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "vaxflow"
    environment: Environment = "development"
    # Where to listen: the stack (and Kubernetes) set VAXFLOW_HOST and VAXFLOW_PORT for each
    # service process, whatever the service's own prefix; the route table is the one place
    # a local service's port is chosen.
    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("host", "VAXFLOW_HOST"))
    port: int = Field(
        default=8000, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )
    mongo_database: str = ""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    outbox_poll_interval_s: float = Field(default=0.05, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1)
    secret_key: SecretStr = SecretStr("development-only-secret")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> ServiceSettings:
        if self.environment == "production" and "development" in self.secret_key.get_secret_value():
            raise ValueError("secret_key must be set outside development")
        return self

    @property
    def database_name(self) -> str:
        """The service's own database: configured, or named after the service."""
        return self.mongo_database or self.service_name
