"""Settings: strict in production, generous limits only in development."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError
from vaxflow_identity.settings import IdentitySettings

STRONG = SecretStr("a-strong-production-key-0123456789")


def production(**overrides: object) -> IdentitySettings:
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": STRONG,
        "otp_hmac_key": STRONG,
        "phone_index_key": STRONG,
        "key_encryption_key": STRONG,
        "address_limit": 30,
    }
    return IdentitySettings(**(values | overrides))  # type: ignore[arg-type]


def test_production_with_its_own_keys_and_strict_limits_starts() -> None:
    assert production().address_rate.limit == 30


def test_production_refuses_the_development_keys() -> None:
    with pytest.raises(ValidationError, match="identity keys"):
        production(otp_hmac_key=SecretStr("development-otp-hmac-key"))


def test_production_refuses_the_development_address_limit() -> None:
    with pytest.raises(ValidationError, match="address_limit"):
        production(address_limit=100_000)


def test_development_defaults_let_a_simulator_log_in_thousands_from_one_address() -> None:
    settings = IdentitySettings(environment="development")

    assert settings.address_rate.limit >= 10_000
    assert settings.otp_phone_limit.limit == 3
    assert settings.otp_phone_limit.window_s == 900


def test_the_port_set_by_the_stack_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXFLOW_PORT", "18101")

    assert IdentitySettings().port == 18101


def test_retired_keys_outlive_the_tokens_they_signed() -> None:
    settings = IdentitySettings()

    assert settings.previous_key_kept_s > settings.access_token_ttl_s
