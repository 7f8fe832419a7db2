"""Routes of sites and their sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Query, Response

from vaxflow_scheduling.api.deps import (
    ROLE,
    Anyone,
    ComponentsDep,
    Cursor,
    Limit,
    Manager,
    SiteAdmin,
)
from vaxflow_scheduling.domain.doses import DoseSlot
from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.domain.sessions import SessionPlan
from vaxflow_scheduling.domain.sites import Area, Site, SiteKind
from vaxflow_scheduling.handlers import sites
from vaxflow_scheduling.handlers.problems import invalid, not_found
from vaxflow_scheduling.presenters import session_read, site_read
from vaxflow_scheduling.schemas import (
    SessionCreate,
    SessionPage,
    SessionRead,
    SiteCreate,
    SitePage,
    SiteRead,
)
from vaxflow_servicekit.links import link, links
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["sites"])
# Replaced by the handler with the time of creation.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A page of sessions goes on after `<date>|<session id>` (its `next_cursor`).
SessionCursor = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-\d{2}-\d{2}\|[^|]{1,100}$",
        description="`next_cursor` of the previous page.",
    ),
]
_SITE_ID = "$response.body#/site_id"
_SITE_LINKS = links(
    ReadSite=link("GET", "/api/v1/sites/{site_id}", site_id=_SITE_ID),
    OpenSession=link("POST", "/api/v1/sites/{site_id}/sessions", site_id=_SITE_ID),
    ListSessions=link("GET", "/api/v1/sites/{site_id}/sessions", site_id=_SITE_ID),
    ReadStock=link("GET", "/api/v1/sites/{site_id}/stock", site_id=_SITE_ID),
)
_SESSION_ID = "$response.body#/session_id"
_SESSION_LINKS = links(
    ReadSession=link("GET", "/api/v1/sessions/{session_id}", session_id=_SESSION_ID),
    JoinWaitlist=link("POST", "/api/v1/sessions/{session_id}/waitlist", session_id=_SESSION_ID),
)


@router.post(
    "/sites",
    status_code=201,
    summary="Create a site",
    description="Admins anywhere, district admins within their district (403 otherwise).",
    responses={**ROLE, 201: _SITE_LINKS, **problem_responses(409)},
)
async def create_site(
    body: SiteCreate, caller: SiteAdmin, c: ComponentsDep, response: Response
) -> SiteRead:
    """Create an injection site."""
    site = await sites.create_site(_site_of(body), caller, c)
    response.headers["Location"] = f"/api/v1/sites/{site.site_id}"
    return site_read(site)


def _site_of(body: SiteCreate) -> Site:
    try:
        return Site(
            site_id=str(body.site_id or uuid.uuid4()),
            name=body.name.strip(),
            kind=SiteKind(body.kind),
            area=Area(body.area.province_code, body.area.district_code, body.area.ward_code),
            address=body.address,
            opens=time.fromisoformat(body.opens),
            closes=time.fromisoformat(body.closes),
            slot_minutes=body.slot_minutes,
            daily_capacity=body.daily_capacity,
            latitude=body.latitude,
            longitude=body.longitude,
            created_at=_EPOCH,
        )
    except RuleViolation as error:
        raise invalid(error) from None


@router.get("/sites", summary="List sites", responses=ROLE)
async def list_sites(
    _: Anyone,
    c: ComponentsDep,
    district: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> SitePage:
    """Sites in id order, optionally of one district (3-digit code)."""
    found = await c.sites.page(district=district, after=cursor, limit=limit)
    next_cursor = found[-1].site_id if len(found) == limit else None
    return SitePage(items=[site_read(s) for s in found], next_cursor=next_cursor)


@router.get("/sites/{site_id}", summary="One site", responses={**ROLE, **problem_responses(404)})
async def read_site(site_id: Uuid, _: Anyone, c: ComponentsDep) -> SiteRead:
    """A site."""
    return site_read(await sites.site_of(str(site_id), c))


@router.post(
    "/sites/{site_id}/sessions",
    status_code=201,
    summary="Open a session at a site",
    description="Site managers of the site, district admins of its district, admins. 422 for "
    "a date in the past or too far ahead, an unknown product or no doses.",
    responses={**ROLE, 201: _SESSION_LINKS, **problem_responses(404)},
    tags=["sessions"],
)
async def create_session(
    site_id: Uuid, body: SessionCreate, caller: Manager, c: ComponentsDep, response: Response
) -> SessionRead:
    """Open a session with a capacity per slot."""
    plan = SessionPlan(
        day=body.date,
        product_code=body.product_code,
        doses=tuple(DoseSlot(d) for d in dict.fromkeys(body.doses)),
        slot_capacity=body.slot_capacity,
        campaign_id=str(body.campaign_id) if body.campaign_id else None,
        min_age=body.min_age,
    )
    stored = await sites.create_session(sites.CreateSession(str(site_id), plan), caller, c)
    response.headers["Location"] = f"/api/v1/sessions/{stored.session.session_id}"
    lots = await sites.usable_lots(str(site_id), [stored.session], c)
    return session_read(stored, lots[stored.session.session_id])


@router.get(
    "/sites/{site_id}/sessions",
    summary="A site's sessions from today on",
    responses={**ROLE, **problem_responses(404)},
    tags=["sessions"],
)
async def list_sessions(
    site_id: Uuid, _: Anyone, c: ComponentsDep, limit: Limit = 50, cursor: SessionCursor = None
) -> SessionPage:
    """Sessions by date, with live free places."""
    await sites.site_of(str(site_id), c)
    found = await c.sessions.of_site(str(site_id), since=c.today(), after=cursor, limit=limit)
    last = found[-1].session if found else None
    next_cursor = (
        f"{last.day.isoformat()}|{last.session_id}" if last and len(found) == limit else None
    )
    lots = await sites.usable_lots(str(site_id), [s.session for s in found], c)
    items = [session_read(s, lots[s.session.session_id]) for s in found]
    return SessionPage(items=items, next_cursor=next_cursor)


@router.get(
    "/sessions/{session_id}",
    summary="One session",
    responses={**ROLE, **problem_responses(404)},
    tags=["sessions"],
)
async def read_session(session_id: Uuid, _: Anyone, c: ComponentsDep) -> SessionRead:
    """A session with live free places."""
    stored = await c.sessions.get(str(session_id))
    if stored is None:
        raise not_found("session")
    lots = await sites.usable_lots(stored.session.site_id, [stored.session], c)
    return session_read(stored, lots[stored.session.session_id])
