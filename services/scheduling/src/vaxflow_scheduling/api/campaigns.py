"""Routes of campaigns."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from vaxflow_scheduling.api.deps import ROLE, Anyone, ComponentsDep, Cursor, Limit, SiteAdmin
from vaxflow_scheduling.handlers.problems import forbidden, invalid_field, not_found
from vaxflow_scheduling.schemas import CampaignCreate, CampaignPage, CampaignRead
from vaxflow_servicekit.links import link, links
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import ProblemError, problem_responses

router = APIRouter(prefix="/api/v1", tags=["campaigns"])


@router.post(
    "/campaigns",
    status_code=201,
    summary="Create a campaign",
    description="Admins only. 422 naming a site that does not exist.",
    responses={
        **ROLE,
        201: links(
            ReadCampaign=link(
                "GET", "/api/v1/campaigns/{campaign_id}", campaign_id="$response.body#/campaign_id"
            )
        ),
        **problem_responses(409),
    },
)
async def create_campaign(
    body: CampaignCreate, caller: SiteAdmin, c: ComponentsDep, response: Response
) -> CampaignRead:
    """Create a campaign over existing sites."""
    if caller.role != "admin":
        raise forbidden("Only admins create campaigns.")
    for i, site_id in enumerate(body.site_ids):
        if await c.sites.get(str(site_id)) is None:
            raise invalid_field(f"site_ids.{i}", "known_site", "There is no such site.")
    doc = _document(body)
    if not await c.campaigns.add(doc | {"created_by": caller.subject, "created_at": c.now()}):
        raise ProblemError(409, "A campaign with this id exists.", slug="campaign-exists")
    response.headers["Location"] = f"/api/v1/campaigns/{doc['_id']}"
    return campaign_read(doc)


def _document(body: CampaignCreate) -> dict[str, Any]:
    return {
        "_id": str(body.campaign_id or uuid.uuid4()),
        "name": body.name,
        "starts_on": body.starts_on.isoformat(),
        "ends_on": body.ends_on.isoformat(),
        "dose_target": body.dose_target,
        "site_ids": [str(s) for s in body.site_ids],
        "priority_groups": sorted(set(body.priority_groups)),
        "min_age": body.min_age,
        "max_age": body.max_age,
    }


def campaign_read(doc: dict[str, Any]) -> CampaignRead:
    """A stored campaign as answered."""
    fields = {k: v for k, v in doc.items() if k in CampaignRead.model_fields}
    return CampaignRead.model_validate(fields | {"campaign_id": doc["_id"]})


@router.get("/campaigns", summary="List campaigns", responses=ROLE)
async def list_campaigns(
    _: Anyone, c: ComponentsDep, limit: Limit = 50, cursor: Cursor = None
) -> CampaignPage:
    """Campaigns in id order."""
    found = await c.campaigns.page(after=cursor, limit=limit)
    next_cursor = found[-1]["_id"] if len(found) == limit else None
    return CampaignPage(items=[campaign_read(d) for d in found], next_cursor=next_cursor)


@router.get(
    "/campaigns/{campaign_id}", summary="One campaign", responses={**ROLE, **problem_responses(404)}
)
async def read_campaign(campaign_id: Uuid, _: Anyone, c: ComponentsDep) -> CampaignRead:
    """A campaign."""
    doc = await c.campaigns.get(str(campaign_id))
    if doc is None:
        raise not_found("campaign")
    return campaign_read(doc)
