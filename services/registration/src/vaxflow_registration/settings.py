"""Registration's settings: keys of the national-ID protection, account and import limits.

Built once at start (`RegistrationSettings()` reads VAXFLOW_REGISTRATION_* and the shared
VAXFLOW_*) and passed down. `production` refuses the development keys.
"""

from __future__ import annotations

import re

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from vaxflow_servicekit.settings import ServiceSettings
from vaxflow_servicekit.sms import SmsSettings

_DEV_MARK = "development"
_MIB = 1024 * 1024
_KEY_ID = re.compile(r"[a-z0-9]{1,8}")


class RegistrationSettings(ServiceSettings):
    """Everything registration can be told, from VAXFLOW_REGISTRATION_* (and VAXFLOW_*)."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_REGISTRATION_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "registration"
    port: int = Field(
        default=8102, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )
    # The kit's body limit is one per process; it must let an import file through. JSON bodies
    # are small models, and the gateway keeps its own 1 MiB limit on the JSON prefixes.
    max_body_bytes: int = Field(default=64 * _MIB, ge=1024)

    # How many people (the account holder and family) one phone account may register.
    max_people_per_account: int = Field(default=6, ge=1, le=50)
    # Wrong guesses a phone account may make per day when claiming an imported record.
    max_claim_failures_per_day: int = Field(default=5, ge=1, le=100)

    # National ID protection: the HMAC key of the blind index (cannot change without
    # re-indexing every citizen) and the AES-GCM key, named by a key id stored with each
    # ciphertext so that it can be rotated.
    national_id_index_key: SecretStr = SecretStr("development-national-id-index-key-0001")
    national_id_encryption_key: SecretStr = SecretStr("development-national-id-aes-key-0001")
    national_id_key_id: str = Field(default="k1", pattern=r"^[a-z0-9]{1,8}$")
    # Keys retired by a rotation, kept only to open what they sealed until the re-encryption
    # job (`python -m vaxflow_registration.admin reseal-national-ids`) has rewritten every
    # ciphertext under the current key; a JSON object of key id to key, e.g. {"k1": "..."}.
    national_id_old_keys: dict[str, SecretStr] = {}

    # Dates of birth are checked against the calendar date here.
    local_timezone: str = "Asia/Ho_Chi_Minh"

    # Invitations are texted through the same sender as identity's codes (VAXFLOW_SMS_*).
    sms: SmsSettings = Field(default_factory=SmsSettings)

    # Where a citizen whose national ID is already registered is sent to recover access.
    recovery_url: str = "https://vaxflow.example/help/recover-access"

    import_max_bytes: int = Field(default=50 * _MIB, ge=1024)
    import_max_rows: int = Field(default=200_000, ge=1)
    # Rows per bulk insert, and bulk inserts sent at once: small batches several at a time keep
    # the database busy while the next batch is checked (measured best on the local store).
    import_batch_size: int = Field(default=1000, ge=1, le=10_000)
    import_writes_in_flight: int = Field(default=3, ge=1, le=16)
    import_max_running: int = Field(default=2, ge=1)
    import_stale_after_s: float = Field(default=120.0, gt=0)
    import_spool_dir: str | None = None

    health_book_group: str = "registration.health-book"
    # The consumer group appending other services' staff reads to the audit log; by default
    # `<health_book_group>.audit`, so a service given a group of its own gets both.
    audit_group: str | None = None
    # The consumer group texting reminders of a next dose; by default
    # `<health_book_group>.reminders`.
    reminder_group: str | None = None

    @model_validator(mode="after")
    def _old_keys_are_named_like_keys(self) -> RegistrationSettings:
        for key_id in self.national_id_old_keys:
            if not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"national_id_old_keys: key id {key_id!r} is not [a-z0-9]{{1,8}}")
        if self.national_id_key_id in self.national_id_old_keys:
            raise ValueError("national_id_old_keys must not hold the current national_id_key_id")
        return self

    @property
    def audit_consumer_group(self) -> str:
        """The audit consumer's group."""
        return self.audit_group or f"{self.health_book_group}.audit"

    @property
    def reminder_consumer_group(self) -> str:
        """The reminder consumer's group."""
        return self.reminder_group or f"{self.health_book_group}.reminders"

    @model_validator(mode="after")
    def _real_keys_in_production(self) -> RegistrationSettings:
        if self.environment != "production":
            return self
        keys = (
            self.national_id_index_key,
            self.national_id_encryption_key,
            *self.national_id_old_keys.values(),
        )
        if any(_DEV_MARK in key.get_secret_value() for key in keys):
            raise ValueError("national ID keys must be set outside development")
        if any(len(key.get_secret_value()) < 32 for key in keys):
            raise ValueError("national ID keys must be at least 32 characters")
        return self
