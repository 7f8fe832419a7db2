"""Bases and field types for HTTP schemas: strict request bodies, documented examples.

FastAPI validates a JSON body as Python data, where strict pydantic refuses ISO strings for
dates, datetimes and UUIDs. So `StrictModel` is strict (no `"12"` for an int, no `1` for a bool,
unknown fields refused) and its date, datetime and UUID fields use the types below, which take
ISO strings and refuse numbers (no `0` silently read as 1970-01-01). A plain `date` field on a
`StrictModel` refuses every request, which the first test of the route shows.

Every request and response model states a realistic example:

    class CitizenCreate(StrictModel):
        model_config = examples({"full_name": "Nguyễn Văn An", "date_of_birth": "1990-04-30"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Strict
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("iso_date", "Input should be a date as YYYY-MM-DD")


def _iso_datetime_only(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATETIME.match(value)):
        return value
    raise PydanticCustomError(
        "iso_datetime", "Input should be an ISO 8601 date-time with a UTC offset"
    )


IsoDate = Annotated[date, Strict(False), BeforeValidator(_iso_date_only)]
"""A calendar date, from `YYYY-MM-DD` or a `date`; never from a number."""

IsoDateTime = Annotated[AwareDatetime, Strict(False), BeforeValidator(_iso_datetime_only)]
"""An aware date-time, from ISO 8601 with offset or an aware `datetime`; never from a number."""

Uuid = Annotated[UUID, Strict(False)]
"""A UUID, from its string form or a `UUID`."""


class StrictModel(BaseModel):
    """Base for request bodies: unknown fields refused and no silent coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


def examples(*items: Mapping[str, Any]) -> ConfigDict:
    """Model config carrying OpenAPI examples; add keys via `ConfigDict(**examples(...), ...)`."""
    return ConfigDict(json_schema_extra={"examples": [dict(item) for item in items]})


def schemas_without_examples(openapi: Mapping[str, Any]) -> list[str]:
    """Name the component schemas of an OpenAPI document that carry no example."""
    schemas: Mapping[str, Mapping[str, Any]] = openapi.get("components", {}).get("schemas", {})
    return sorted(
        name
        for name, schema in schemas.items()
        if not schema.get("examples") and "example" not in schema and "enum" not in schema
    )
