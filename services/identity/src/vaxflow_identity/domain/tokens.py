"""Access tokens (ES256 JWTs with the claims servicekit's TokenVerifier requires) and refresh
tokens (opaque random strings, kept only as their SHA-256).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from vaxflow_identity.domain.staff import Staff, StaffRole

SubjectKind = Literal["citizen", "staff"]
TokenRole = Literal["citizen"] | StaffRole
ALGORITHM = "ES256"


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a token speaks for: a citizen's phone account or a staff member, with role and scope."""

    subject_id: str
    kind: SubjectKind
    role: TokenRole
    site_id: str | None = None
    district: str | None = None

    @classmethod
    def citizen(cls, account_id: str) -> Subject:
        """The phone account of one or more citizens (a phone may hold several people)."""
        return cls(subject_id=account_id, kind="citizen", role="citizen")

    @classmethod
    def of_staff(cls, staff: Staff) -> Subject:
        """A staff member with the role and scope of their account."""
        scope = staff.scope
        return cls(staff.staff_id, "staff", staff.role, scope.site_id, scope.district)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who issues and who accepts the tokens."""

    issuer: str
    audience: str


def access_claims(
    subject: Subject, audience: Audience, *, now: datetime, ttl_s: int
) -> dict[str, Any]:
    """The claim set: iss, aud, sub, role, jti, iat, exp, and site_id/district when scoped."""
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": audience.issuer,
        "aud": audience.audience,
        "sub": subject.subject_id,
        "role": subject.role,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    scope = {"site_id": subject.site_id, "district": subject.district}
    return claims | {key: value for key, value in scope.items() if value is not None}


def sign(claims: dict[str, Any], key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """Sign a claim set with ES256, naming the key in the header."""
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def new_refresh_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    """What is stored of a refresh token: its SHA-256 (the token itself is never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A stored refresh token: one link in its family's rotation chain."""

    token_hash: str
    family_id: str
    subject: Subject
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        """Neither used (rotated), revoked nor expired."""
        return self.revoked_at is None and now < self.expires_at


def refresh_token_for(
    token: str, subject: Subject, *, family_id: str, now: datetime, ttl_s: int
) -> RefreshToken:
    """The stored record of a new refresh token in a family."""
    return RefreshToken(
        token_hash=refresh_token_hash(token),
        family_id=family_id,
        subject=subject,
        issued_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a login or refresh answers."""

    access_token: str
    refresh_token: str
    expires_in: int
