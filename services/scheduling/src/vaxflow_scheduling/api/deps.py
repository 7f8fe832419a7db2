"""What the routes share: the components, the caller types, pagination parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from vaxflow_scheduling.handlers.components import Components
from vaxflow_servicekit.auth import Principal, require_roles
from vaxflow_servicekit.problems import problem_responses


def components(request: Request) -> Components:
    """The handlers' components, built at start-up."""
    c: Components = request.app.state.components
    return c


ComponentsDep = Annotated[Components, Depends(components)]
CitizenCaller = Annotated[Principal, Depends(require_roles("citizen"))]
Manager = Annotated[Principal, Depends(require_roles("site_manager", "district_admin", "admin"))]
SiteAdmin = Annotated[Principal, Depends(require_roles("district_admin", "admin"))]
SiteStaff = Annotated[
    Principal, Depends(require_roles("vaccinator", "site_manager", "district_admin", "admin"))
]
Staff = Annotated[
    Principal,
    Depends(require_roles("vaccinator", "site_manager", "district_admin", "mcc_operator", "admin")),
]
Anyone = Annotated[
    Principal,
    Depends(
        require_roles(
            "citizen", "vaccinator", "site_manager", "district_admin", "mcc_operator", "admin"
        )
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
]
ROLE = problem_responses(403)
