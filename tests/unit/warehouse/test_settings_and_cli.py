"""Settings refuse the development key in production; the command line knows the analyses."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from vaxflow_warehouse.settings import WarehouseSettings

from vaxflow.cli import build_parser
from vaxflow.warehouse import data_dir
from vaxflow_events import TOPICS


def test_production_refuses_the_development_pseudonym_key() -> None:
    with pytest.raises(ValidationError, match="pseudonym_key must be set"):
        WarehouseSettings(environment="production", secret_key=SecretStr("s" * 40))


def test_production_refuses_a_short_pseudonym_key() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        WarehouseSettings(
            environment="production",
            secret_key=SecretStr("s" * 40),
            pseudonym_key=SecretStr("short-but-real"),
        )


def test_production_accepts_real_keys() -> None:
    settings = WarehouseSettings(
        environment="production",
        secret_key=SecretStr("s" * 40),
        pseudonym_key=SecretStr("k" * 40),
    )

    assert settings.port == 8107
    assert settings.topics == tuple(t.name for t in TOPICS)


def test_the_query_command_takes_an_analysis_and_a_format() -> None:
    args = build_parser().parse_args(["warehouse", "query", "aefi-per-lot", "--format", "json"])

    assert (args.analysis, args.format) == ("aefi-per-lot", "json")


def test_an_unknown_analysis_or_format_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["warehouse", "query", "everything"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["warehouse", "query", "doses-per-day", "--format", "xml"])


def test_a_relative_data_directory_is_under_the_repository(tmp_path: Path) -> None:
    settings = WarehouseSettings()

    assert data_dir(settings, None).is_absolute()
    assert data_dir(settings, None).parts[-3:] == (".stack", "warehouse", "data")
    assert data_dir(settings, tmp_path) == tmp_path
