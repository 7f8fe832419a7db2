"""The CoWIN-compatible public availability API (`/api/v2`), with CoWIN's errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from vaxflow_scheduling.api.deps import ComponentsDep
from vaxflow_scheduling.domain.cowin import CowinError, parse_date, parse_number
from vaxflow_scheduling.handlers import cowin

router = APIRouter(prefix="/api/v2", tags=["cowin"])


class CowinErrorBody(BaseModel):
    """An error as CoWIN gave it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"errorCode": "APPOIN0018", "error": "Invalid date"}]}
    )

    errorCode: str
    error: str


_BAD: dict[int | str, dict[str, Any]] = {
    400: {"model": CowinErrorBody, "description": "CoWIN's error: `errorCode` and `error`."}
}
_EXAMPLE_NOTE = (
    " Provinces are states (`state_id` = province code), district-level units are districts "
    "(`district_id` = district code), wards are pincodes (`pincode` = ward code)."
)


async def _answer(build: Callable[[], Awaitable[dict[str, Any]]]) -> JSONResponse:
    try:
        return JSONResponse(await build())
    except CowinError as error:
        return JSONResponse({"errorCode": error.code, "error": error.message}, status_code=400)


@router.get("/admin/location/states", summary="States (provinces)", responses=_BAD)
async def states(c: ComponentsDep) -> JSONResponse:
    """CoWIN's state list (provinces with sites)."""
    return await _answer(lambda: cowin.states(c))


@router.get("/admin/location/districts/{state_id}", summary="Districts of a state", responses=_BAD)
async def districts(state_id: int, c: ComponentsDep) -> JSONResponse:
    """CoWIN's district list of a state (province)."""
    return await _answer(lambda: cowin.districts(state_id, c))


@router.get(
    "/appointment/sessions/public/findByDistrict",
    summary="One day's sessions in a district",
    description="`district_id` (district code), `date` DD-MM-YYYY." + _EXAMPLE_NOTE,
    responses=_BAD,
)
async def find_by_district(
    c: ComponentsDep, district_id: str | None = None, date: str | None = None
) -> JSONResponse:
    """CoWIN's findByDistrict."""

    async def build() -> dict[str, Any]:
        district = parse_number(district_id, 3, "APPOIN0044", "district id")
        return await cowin.find(parse_date(date), c, field="district_code", value=district)

    return await _answer(build)


@router.get(
    "/appointment/sessions/public/findByPin",
    summary="One day's sessions in a ward",
    description="`pincode` (ward code), `date` DD-MM-YYYY." + _EXAMPLE_NOTE,
    responses=_BAD,
)
async def find_by_pin(
    c: ComponentsDep, pincode: str | None = None, date: str | None = None
) -> JSONResponse:
    """CoWIN's findByPin."""

    async def build() -> dict[str, Any]:
        ward = parse_number(pincode, 5, "APPOIN0045", "pincode")
        return await cowin.find(parse_date(date), c, field="ward_code", value=ward)

    return await _answer(build)


@router.get(
    "/appointment/sessions/public/calendarByDistrict",
    summary="Seven days of sessions per center in a district",
    description="`district_id`, `date` DD-MM-YYYY (the first of the 7 days)." + _EXAMPLE_NOTE,
    responses=_BAD,
)
async def calendar_by_district(
    c: ComponentsDep, district_id: str | None = None, date: str | None = None
) -> JSONResponse:
    """CoWIN's calendarByDistrict."""

    async def build() -> dict[str, Any]:
        district = parse_number(district_id, 3, "APPOIN0044", "district id")
        return await cowin.calendar(parse_date(date), c, field="district_code", value=district)

    return await _answer(build)


@router.get(
    "/appointment/sessions/public/calendarByPin",
    summary="Seven days of sessions per center in a ward",
    description="`pincode`, `date` DD-MM-YYYY (the first of the 7 days)." + _EXAMPLE_NOTE,
    responses=_BAD,
)
async def calendar_by_pin(
    c: ComponentsDep, pincode: str | None = None, date: str | None = None
) -> JSONResponse:
    """CoWIN's calendarByPin."""

    async def build() -> dict[str, Any]:
        ward = parse_number(pincode, 5, "APPOIN0045", "pincode")
        return await cowin.calendar(parse_date(date), c, field="ward_code", value=ward)

    return await _answer(build)
