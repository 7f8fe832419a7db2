"""Who may report about a dose and read a case: the citizen's own phone account, staff whose
scope covers the dose's site (its district learnt from the dose), and the national roles.
"""

from __future__ import annotations

from uuid import UUID

from vaxflow_monitoring.handlers.components import Components
from vaxflow_servicekit.auth import NATIONAL_ROLES, SITE_ROLES, Principal
from vaxflow_servicekit.mongo import Document

STAFF_REPORTERS = ("vaccinator", "site_manager", "district_admin", "mcc_operator", "admin")


def covers(staff: Principal, site_id: str | None, district_code: str | None) -> bool:
    """True when a staff member's scope covers a site (in a district)."""
    if staff.role in NATIONAL_ROLES:
        return True
    if site_id is None:
        return False
    return staff.covers_site(site_id, district=district_code)


async def holds_citizen(caller: Principal, citizen_id: UUID, c: Components) -> bool:
    """True when a citizen caller's phone account holds this citizen."""
    return caller.role == "citizen" and await c.reads.account_of(citizen_id) == caller.subject


async def may_read_case(caller: Principal, case: Document, c: Components) -> bool:
    """The citizen's own account, and staff whose scope covers the case's site."""
    if caller.role == "citizen":
        return await holds_citizen(caller, UUID(case["citizen_id"]), c)
    return covers(caller, case.get("site_id"), case.get("district_code"))


def listing_scope(staff: Principal) -> Document:
    """The equality filter limiting a staff member's case list to their scope."""
    if staff.role in NATIONAL_ROLES:
        return {}
    nothing = {"_id": None}
    if staff.role in SITE_ROLES:
        return {"site_id": staff.scope.site_id} if staff.scope.site_id else nothing
    if staff.role == "district_admin" and staff.scope.district:
        return {"district_code": staff.scope.district}
    return nothing
