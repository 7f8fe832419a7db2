"""Creating and reading sites and their sessions, within the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.domain.sessions import Session, SessionPlan, plan_session
from vaxflow_scheduling.domain.sites import Site
from vaxflow_scheduling.domain.stock import usable_lot
from vaxflow_scheduling.handlers.components import Components, log
from vaxflow_scheduling.handlers.problems import forbidden, invalid, not_found
from vaxflow_scheduling.store.sessions import StoredSession
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.problems import ProblemError


def may_manage_site(caller: Principal, site: Site) -> bool:
    """Admins anywhere, district admins in their district, site managers at their site."""
    if caller.role == "site_manager":
        return caller.scope.site_id == site.site_id
    return caller.role in ("admin", "district_admin") and caller.covers_district(
        site.area.district_code
    )


async def create_site(site: Site, caller: Principal, c: Components) -> Site:
    """Store a new site; district admins only within their district."""
    if not caller.covers_district(site.area.district_code):
        raise forbidden("You may create sites only within your district.")
    site = replace(site, created_at=c.now())
    if not await c.sites.add(site, caller.subject):
        raise ProblemError(409, "A site with this id exists.", slug="site-exists")
    if c.availability is not None:
        await c.availability.publish_site(site)
    return site


async def site_of(site_id: str, c: Components) -> Site:
    """The site, or 404."""
    site = await c.sites.get(site_id)
    if site is None:
        raise not_found("site")
    return site


@dataclass(frozen=True)
class CreateSession:
    """Open a session at a site."""

    site_id: str
    plan: SessionPlan
    session_id: str | None = None


async def create_session(cmd: CreateSession, caller: Principal, c: Components) -> StoredSession:
    """Plan and store a session; 422 for a day in the past or an unknown product."""
    site = await site_of(cmd.site_id, c)
    if not may_manage_site(caller, site):
        raise forbidden("You may open sessions only at sites in your scope.")
    try:
        session = plan_session(
            cmd.session_id or str(uuid.uuid4()),
            site,
            cmd.plan,
            today=c.today(),
            max_days_ahead=c.settings.max_days_ahead,
            tz=c.settings.local_timezone,
        )
    except RuleViolation as error:
        raise invalid(error) from None
    stored = await c.sessions.add(session, site.area, c.now(), site_label=site.label)
    await announce_session(stored, c)
    return stored


async def announce_session(stored: StoredSession, c: Components) -> None:
    """Put a session in the availability cache (the refresher does it too, within seconds)."""
    if c.availability is None:
        return
    try:
        await c.availability.publish(stored, c.now())
    except Exception as exc:
        log.warning("availability_write_failed", error=type(exc).__name__)


async def usable_lots(
    site_id: str, sessions: Sequence[Session], c: Components
) -> dict[str, list[Document]]:
    """For each session of a site, the lots of its product the site may use on its day.

    Lots suspended by monitoring, and lots expired by the session's date, are left out; the
    sessions and their appointments stay as they are.
    """
    held = await c.stock.lots_of(site_id)
    return {
        s.session_id: [
            lot
            for lot in held
            if lot.get("product_code") == s.product_code and usable_lot(lot, s.day)
        ]
        for s in sessions
    }
