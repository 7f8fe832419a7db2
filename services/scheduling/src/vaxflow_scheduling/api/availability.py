"""The public availability route, served from Redis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from vaxflow_scheduling.api.deps import ComponentsDep, Cursor, Limit
from vaxflow_scheduling.handlers.availability import (
    AvailabilityQuery,
    available,
    cached_answer,
    keep_answer,
)
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.schemas import (
    AvailabilityRead,
    AvailabilitySession,
    AvailabilitySlot,
)
from vaxflow_scheduling.store.availability import SessionAvailability
from vaxflow_servicekit.models import IsoDate, Uuid
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["availability"])


@router.get(
    "/availability",
    summary="Free places per site, session and slot (public)",
    description="All filters optional; without `date`, the coming days from today. Served from "
    "Redis: each session carries `computed_at`, the time its figure was read from the database "
    "(bookings write it at once; a refresher rewrites every session every few seconds).",
    responses=problem_responses(503),
    response_model=AvailabilityRead,
)
async def availability(
    c: ComponentsDep,
    district: Annotated[str | None, Query(pattern=r"^\d{3}$")] = None,
    site_id: Uuid | None = None,
    date: IsoDate | None = None,
    product: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    cursor: Annotated[Cursor, Query(pattern=r"^\d{1,6}$")] = None,
) -> Response:
    """Free places, paginated by position; identical reads share one answer briefly."""
    query = AvailabilityQuery(district, str(site_id) if site_id else None, date, product)
    key = (query, limit, cursor, c.today())
    body = cached_answer(key, c)
    if body is None:
        body = (await _page(query, limit, cursor, c)).model_dump_json().encode()
        keep_answer(key, body, c)
    return Response(body, media_type="application/json")


async def _page(
    query: AvailabilityQuery, limit: int, cursor: str | None, c: Components
) -> AvailabilityRead:
    found = await available(query, c)
    start = int(cursor or 0)
    page = found[start : start + limit]
    more = start + limit < len(found)
    return AvailabilityRead(
        read_at=c.now(),
        items=[_session(a) for a in page],
        next_cursor=str(start + limit) if more else None,
    )


def _session(a: SessionAvailability) -> AvailabilitySession:
    s = a.session
    slots = [
        AvailabilitySlot(
            slot=x["key"],
            start=x["start"],
            end=x["end"],
            capacity=x["capacity"],
            free=a.free.get(x["key"], x["capacity"]),
        )
        for x in s["slots"]
    ]
    return AvailabilitySession(
        site_id=s["site_id"],
        session_id=s["session_id"],
        district=s["area"].get("district_code") or "",
        date=s["date"],
        product_code=s["product_code"],
        doses=s["doses"],
        min_age=s["min_age"],
        free=sum(x.free for x in slots),
        slots=slots,
        computed_at=a.computed_at,
    )
