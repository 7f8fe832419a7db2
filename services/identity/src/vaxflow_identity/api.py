"""Identity's HTTP routes under /api/v1/auth: thin, each one call into a handler."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from vaxflow_identity.handlers import citizens, sessions, staff
from vaxflow_identity.handlers.context import Identity
from vaxflow_identity.schemas import (
    JwkRead,
    JwksRead,
    OtpRequest,
    OtpRequestedRead,
    OtpVerify,
    RefreshTokenBody,
    StaffCreate,
    StaffLogin,
    StaffPageRead,
    StaffRead,
    TokensRead,
)
from vaxflow_identity.settings import IdentitySettings
from vaxflow_servicekit.auth import Principal, require_roles
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def identity_of(request: Request) -> Identity:
    """The composition built at start-up."""
    identity: Identity = request.app.state.identity
    return identity


def _address(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip())) if text else None
    except ValueError:
        return None


def client_address(request: Request) -> str:
    """The caller's address: from the gateway's X-Real-IP / X-Forwarded-For when it relays.

    Those headers are believed only from a trusted proxy; the last X-Forwarded-For entry is the
    one the gateway added, the earlier ones are whatever the client sent.
    """
    settings: IdentitySettings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    if peer not in settings.trusted_proxies:
        return peer
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1]
    return _address(request.headers.get("x-real-ip")) or _address(forwarded) or peer


IdentityDep = Annotated[Identity, Depends(identity_of)]
ClientAddress = Annotated[str, Depends(client_address)]
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.post(
    "/otp/request",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a one-time login code by SMS",
    responses=problem_responses(429),
)
async def request_otp(
    body: OtpRequest, identity: IdentityDep, address: ClientAddress
) -> OtpRequestedRead:
    """At most 3 codes per phone per 15 minutes; a new code replaces the previous one."""
    expires_in = await citizens.request_code(identity, phone=body.phone, address=address)
    return OtpRequestedRead(expires_in=expires_in)


@router.post(
    "/otp/verify",
    summary="Log a citizen in with the SMS code",
    responses=problem_responses(401, 429),
)
async def verify_otp(body: OtpVerify, identity: IdentityDep, address: ClientAddress) -> TokensRead:
    """The token's `sub` is the phone's account; 5 wrong codes burn the code."""
    pair = await citizens.verify_code(identity, phone=body.phone, code=body.code, address=address)
    return TokensRead.of(pair)


@router.post("/staff/login", summary="Log a staff member in", responses=problem_responses(401, 429))
async def staff_login(
    body: StaffLogin, identity: IdentityDep, address: ClientAddress
) -> TokensRead:
    """Repeated failures lock the username for a while (429 with Retry-After)."""
    pair = await staff.login_staff(
        identity, username=body.username, password=body.password, address=address
    )
    return TokensRead.of(pair)


@router.post("/refresh", summary="Rotate a refresh token", responses=problem_responses(401))
async def refresh(body: RefreshTokenBody, identity: IdentityDep) -> TokensRead:
    """The token is used up; presenting it again revokes the whole login."""
    return TokensRead.of(await sessions.refresh_tokens(identity, refresh_token=body.refresh_token))


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a login's refresh tokens"
)
async def logout(body: RefreshTokenBody, identity: IdentityDep) -> Response:
    """Idempotent: an unknown or already revoked token changes nothing."""
    await sessions.revoke_tokens(identity, refresh_token=body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/jwks.json", summary="The public keys that verify access tokens")
async def jwks(identity: IdentityDep, response: Response) -> JwksRead:
    """Current, next and recently retired keys; verifiers may cache this for a few minutes."""
    response.headers["Cache-Control"] = "public, max-age=60"
    keys = await identity.keys.published()
    return JwksRead(keys=[JwkRead.model_validate(key) for key in keys])


@router.post(
    "/staff",
    status_code=status.HTTP_201_CREATED,
    summary="Create a staff account (admin)",
    responses=problem_responses(403, 409),
)
async def create_staff(body: StaffCreate, identity: IdentityDep, admin: Admin) -> StaffRead:
    """Site roles need a site_id, district_admin a district; national roles neither."""
    new = staff.NewStaff(body.username, body.password, body.role, body.site_id, body.district)
    return StaffRead.of(await staff.create_staff(identity, new, created_by=admin.subject))


@router.get("/staff", summary="List staff accounts (admin)", responses=problem_responses(403, 422))
async def list_staff(
    identity: IdentityDep,
    admin: Admin,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StaffPageRead:
    """Ordered by username."""
    items, total = await staff.list_staff(identity, page=page, page_size=page_size)
    return StaffPageRead(
        items=[StaffRead.of(item) for item in items], page=page, page_size=page_size, total=total
    )
