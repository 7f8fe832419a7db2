"""Identity's settings: token lifetimes, one-time-code and login limits, keys. Built once at start.

Limits are configuration: the development defaults let a simulator log in thousands of citizens
from one address; `production` refuses the generous per-address limits and the development keys.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from vaxflow_identity.domain.limits import LockoutPolicy, RateLimit
from vaxflow_servicekit.settings import ServiceSettings
from vaxflow_servicekit.sms import SmsSettings

_DEV_MARK = "development"
# Per-address limits above these are only for development and load simulation.
_STRICT_ADDRESS_CEILING = 1000


class IdentitySettings(ServiceSettings):
    """Everything identity can be told, from VAXFLOW_IDENTITY_* (and the shared VAXFLOW_*)."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_IDENTITY_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "identity"
    port: int = Field(
        default=8101, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )

    # Keys: HMAC of one-time codes, blind index of phone numbers, sealing of signing keys.
    otp_hmac_key: SecretStr = SecretStr("development-otp-hmac-key")
    phone_index_key: SecretStr = SecretStr("development-phone-index-key")
    key_encryption_key: SecretStr = SecretStr("development-key-encryption-key")

    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    citizen_refresh_ttl_s: int = Field(default=30 * 86400, ge=300)
    staff_refresh_ttl_s: int = Field(default=12 * 3600, ge=300)

    otp_ttl_s: int = Field(default=300, ge=30, le=3600)
    otp_max_attempts: int = Field(default=5, ge=1, le=20)
    otp_per_phone: int = Field(default=3, ge=1)
    otp_per_phone_window_s: int = Field(default=900, ge=1)
    # Per client address, for requesting codes, verifying them, and staff logins.
    address_limit: int = Field(default=100_000, ge=1)
    address_window_s: int = Field(default=60, ge=1)
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_s: int = Field(default=900, ge=1)
    login_lockout_s: int = Field(default=900, ge=1)

    signing_key_rotate_every_s: int = Field(default=30 * 86400, ge=3600)
    signing_key_publish_ahead_s: int = Field(default=360, ge=0)
    key_cache_s: float = Field(default=5.0, ge=0)
    key_check_interval_s: float = Field(default=60.0, gt=0)

    sms: SmsSettings = Field(default_factory=SmsSettings)

    @model_validator(mode="after")
    def _strict_in_production(self) -> IdentitySettings:
        if self.environment != "production":
            return self
        keys = (self.otp_hmac_key, self.phone_index_key, self.key_encryption_key)
        if any(_DEV_MARK in key.get_secret_value() for key in keys):
            raise ValueError("identity keys must be set outside development")
        if self.address_limit > _STRICT_ADDRESS_CEILING:
            raise ValueError("address_limit is a development value; set a strict one")
        return self

    @property
    def otp_phone_limit(self) -> RateLimit:
        """How many codes one phone may ask for in a window."""
        return RateLimit(self.otp_per_phone, self.otp_per_phone_window_s)

    @property
    def address_rate(self) -> RateLimit:
        """How many requests of one kind one client address may make in a window."""
        return RateLimit(self.address_limit, self.address_window_s)

    @property
    def lockout(self) -> LockoutPolicy:
        """When repeated staff login failures lock the username, and for how long."""
        return LockoutPolicy(
            self.login_max_failures, self.login_failure_window_s, self.login_lockout_s
        )

    @property
    def previous_key_kept_s(self) -> int:
        """How long a retired key stays published: until every token it signed has expired."""
        return self.access_token_ttl_s + self.auth.leeway_seconds + 60
