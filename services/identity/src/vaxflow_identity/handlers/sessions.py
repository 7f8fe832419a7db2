"""Tokens: issue a pair at login, rotate the refresh token, revoke a login's family."""

from __future__ import annotations

import uuid

from vaxflow_identity.domain.tokens import (
    RefreshToken,
    Subject,
    TokenPair,
    access_claims,
    new_refresh_token,
    refresh_token_for,
    refresh_token_hash,
    sign,
)
from vaxflow_identity.handlers.context import Identity
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.problems import ProblemError

log = get_logger(__name__)


def invalid_refresh_token() -> ProblemError:
    """The one answer to a refresh token that is unknown, expired, used or revoked."""
    return ProblemError(
        401, "The refresh token is not valid; log in again.", slug="invalid-refresh-token"
    )


def _refresh_ttl(identity: Identity, subject: Subject) -> int:
    settings = identity.settings
    return (
        settings.citizen_refresh_ttl_s
        if subject.kind == "citizen"
        else settings.staff_refresh_ttl_s
    )


async def _access_token(identity: Identity, subject: Subject) -> str:
    key = await identity.keys.signing_key()
    claims = access_claims(
        subject, identity.audience, now=identity.clock(), ttl_s=identity.settings.access_token_ttl_s
    )
    return sign(claims, key.private_key, key.kid)


async def _pair(identity: Identity, subject: Subject, *, family_id: str | None) -> TokenPair:
    """A new access token and refresh token; a new family when `family_id` is None (a login)."""
    token = new_refresh_token()
    record = refresh_token_for(
        token,
        subject,
        family_id=family_id or uuid.uuid4().hex,
        now=identity.clock(),
        ttl_s=_refresh_ttl(identity, subject),
    )
    if family_id is None:
        await identity.sessions.start_family(record)
    else:
        await identity.sessions.add(record)
    access = await _access_token(identity, subject)
    return TokenPair(access, token, identity.settings.access_token_ttl_s)


async def issue_tokens(identity: Identity, subject: Subject) -> TokenPair:
    """The tokens of a new login."""
    return await _pair(identity, subject, family_id=None)


async def refresh_tokens(identity: Identity, *, refresh_token: str) -> TokenPair:
    """Rotate: the presented token is used up and replaced; a reused token revokes its family."""
    now = identity.clock()
    stored = await identity.sessions.get(refresh_token_hash(refresh_token))
    if stored is None or now >= stored.expires_at:
        raise invalid_refresh_token()
    if await identity.sessions.is_family_revoked(stored.family_id):
        raise invalid_refresh_token()
    if not await identity.sessions.use(stored.token_hash, now=now):
        await _revoke_reused(identity, stored)
        raise invalid_refresh_token()
    subject = await _current_subject(identity, stored)
    return await _pair(identity, subject, family_id=stored.family_id)


async def _revoke_reused(identity: Identity, stored: RefreshToken) -> None:
    """A used token came back: someone holds a copy, so the whole login is cut off."""
    now = identity.clock()
    await identity.sessions.revoke_family(stored.family_id, now=now, reason="reuse")
    await identity.audit.record(
        "refresh_token_reused",
        at=now,
        subject_id=stored.subject.subject_id,
        family_id=stored.family_id,
    )
    log.warning("refresh_token_reused", subject_id=stored.subject.subject_id)


async def _current_subject(identity: Identity, stored: RefreshToken) -> Subject:
    """Staff get their account's current role and scope; a disabled account cannot refresh."""
    if stored.subject.kind == "citizen":
        return stored.subject
    staff = await identity.staff.by_id(stored.subject.subject_id)
    if staff is None or staff.disabled:
        await identity.sessions.revoke_family(
            stored.family_id, now=identity.clock(), reason="staff"
        )
        raise invalid_refresh_token()
    return Subject.of_staff(staff)


async def revoke_tokens(identity: Identity, *, refresh_token: str) -> None:
    """Log out: revoke the login the token belongs to (unknown tokens change nothing)."""
    stored = await identity.sessions.get(refresh_token_hash(refresh_token))
    if stored is not None:
        await identity.sessions.revoke_family(
            stored.family_id, now=identity.clock(), reason="logout"
        )
