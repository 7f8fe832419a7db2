"""Log lines are JSON with the service and the bound ids, and never carry personal data."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import httpx

from vaxflow_servicekit.logging import (
    REDACTED,
    bind_request_context,
    clear_request_context,
    get_logger,
    log_context,
)

from .conftest import SERVICE


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_line_is_json_with_timestamp_level_event_and_service(log_stream: io.StringIO) -> None:
    get_logger("test").info("dose_recorded", dose_id="d-1")

    [line] = lines(log_stream)
    assert line["event"] == "dose_recorded"
    assert line["level"] == "info"
    assert line["service"] == SERVICE
    assert line["dose_id"] == "d-1"
    assert line["timestamp"].endswith("Z")


def test_personal_data_is_redacted_at_any_depth(log_stream: io.StringIO) -> None:
    get_logger("test").info(
        "citizen_registered",
        citizen_id="c-1",
        national_id="079123456789",
        phone="+84912345678",
        citizen={"full_name": "Nguyễn Văn An", "Date-Of-Birth": "1990-04-30", "district": "Q1"},
        contacts=[{"address": "12 Lê Lợi"}, {"otp": "123456"}],
        refresh_token="eyJ...",
    )

    [line] = lines(log_stream)
    raw = log_stream.getvalue()
    for secret in ("079123456789", "+84912345678", "Nguyễn", "1990-04-30", "Lê Lợi", "123456"):
        assert secret not in raw
    assert line["national_id"] == REDACTED
    assert line["refresh_token"] == REDACTED
    assert line["citizen"] == {"full_name": REDACTED, "Date-Of-Birth": REDACTED, "district": "Q1"}
    assert line["contacts"] == [{"address": REDACTED}, {"otp": REDACTED}]
    assert line["citizen_id"] == "c-1"


def test_standard_library_logs_share_the_format_and_redaction(log_stream: io.StringIO) -> None:
    logging.getLogger("aiokafka.consumer").warning("rebalance", extra={"phone": "+84912345678"})

    [line] = lines(log_stream)
    assert line["event"] == "rebalance"
    assert line["logger"] == "aiokafka.consumer"
    assert line["service"] == SERVICE
    assert line["phone"] == REDACTED


def test_pymongo_debug_never_reaches_the_log(log_stream: io.StringIO) -> None:
    logging.getLogger("pymongo.command").debug("insert", extra={"doc": {"x": 1}})

    assert lines(log_stream) == []


def test_bound_ids_appear_on_every_line_until_cleared(log_stream: io.StringIO) -> None:
    bind_request_context(request_id="req-12345678", correlation_id="corr-1234567")
    get_logger("test").info("first")
    logging.getLogger("uvicorn.error").info("second")
    clear_request_context()
    get_logger("test").info("third")

    first, second, third = lines(log_stream)
    assert first["request_id"] == second["request_id"] == "req-12345678"
    assert first["correlation_id"] == second["correlation_id"] == "corr-1234567"
    assert "request_id" not in third


def test_log_context_binds_for_a_block_only(log_stream: io.StringIO) -> None:
    with log_context(event_id="evt-1", correlation_id=None):
        get_logger("test").info("handled")
    get_logger("test").info("after")

    handled, after = lines(log_stream)
    assert handled["event_id"] == "evt-1"
    assert "correlation_id" not in handled
    assert "event_id" not in after


async def test_each_request_logs_its_ids_and_route_template(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get(
        "/api/v1/citizens/c-0042",
        headers={"X-Request-ID": "req-abcdef12", "X-Correlation-ID": "corr-abcdef12"},
    )

    access = next(line for line in lines(log_stream) if line["event"] == "http_request")
    assert response.status_code == 200
    assert access["request_id"] == "req-abcdef12"
    assert access["correlation_id"] == "corr-abcdef12"
    assert access["route"] == "/api/v1/citizens/{citizen_id}"
    assert access["status"] == 200
    assert "c-0042" not in log_stream.getvalue()
