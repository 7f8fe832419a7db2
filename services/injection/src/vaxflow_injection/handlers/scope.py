"""Who may act where: the caller's site, and the staff and citizens who may read a citizen."""

from __future__ import annotations

from uuid import UUID

from vaxflow_injection.domain.errors import NotFound, Refused
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.store import StoredDose
from vaxflow_servicekit.auth import NATIONAL_ROLES, SITE_ROLES, Principal


def site_of(staff: Principal, site_id: UUID | None) -> UUID:
    """The site a site-scoped caller acts at: theirs; another site named in the body is refused."""
    own = staff.scope.site_id
    if staff.role not in SITE_ROLES or own is None:
        raise Refused.one(
            "no_site_scope", "token", "Only staff of a site record at a site.", status=403
        )
    if site_id is not None and str(site_id) != own:
        raise Refused.one(
            "site_out_of_scope", "body.site_id", "You may record only at your own site.", status=403
        )
    return UUID(own)


async def covers_site(staff: Principal, site_id: UUID, c: Components) -> bool:
    """True when the caller's scope covers the site (its district learnt from the events)."""
    if staff.covers_site(str(site_id)):
        return True
    if staff.role != "district_admin":
        return False
    area = await c.reads.site_area(site_id)
    return (
        area is not None
        and area.district_code is not None
        and (staff.covers_district(area.district_code))
    )


async def may_read_citizen(
    caller: Principal, citizen_id: UUID, doses: list[StoredDose], c: Components
) -> None:
    """Refuse (as not found) a caller who may not read this citizen's doses.

    Citizens read the people of their phone account; staff read citizens with a dose at a site
    of their scope, or checked in at their site today; national roles read everyone.
    """
    if caller.role == "citizen":
        snapshot = await c.reads.citizen(citizen_id)
        if snapshot is None or snapshot.account_id != caller.subject:
            raise NotFound
        return
    if caller.role in NATIONAL_ROLES or await _covers_a_dose(caller, doses, c):
        return
    if caller.scope.site_id and await c.reads.check_in(
        citizen_id, UUID(caller.scope.site_id), c.local_date(c.now())
    ):
        return
    raise NotFound


async def _covers_a_dose(caller: Principal, doses: list[StoredDose], c: Components) -> bool:
    for site_id in {d.site_id for d in doses}:
        if await covers_site(caller, site_id, c):
            return True
    return False
