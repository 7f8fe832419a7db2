"""HTTP schemas of the identity API (requests `X...`, responses `...Read`), each with an example."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from vaxflow_identity.domain.otp import CODE_DIGITS
from vaxflow_identity.domain.phones import normalise_phone
from vaxflow_identity.domain.staff import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    USERNAME_PATTERN,
    Staff,
    StaffRole,
)
from vaxflow_identity.domain.tokens import TokenPair
from vaxflow_servicekit.models import IsoDateTime, StrictModel, examples

Phone = Annotated[
    str,
    Field(
        min_length=10,
        max_length=20,
        description="A Vietnamese mobile number: 0 and 9 digits (03, 05, 07, 08, 09) or +84 "
        "and 9 digits; spaces, dots and hyphens are ignored. Kept as +84 and 9 digits.",
    ),
    AfterValidator(normalise_phone),
]
ScopeId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
RefreshTokenText = Annotated[str, Field(min_length=16, max_length=256)]

_TOKENS_EXAMPLE = {
    "access_token": "eyJhbGciOiJFUzI1NiIsImtpZCI6IjIwMjYwMTAxLTNmMmE5YzFkNGU1YiIsInR5cCI6IkpXVCJ9"  # nosec B105  # OpenAPI example
    ".eyJpc3MiOiJodHRwczovL2lkZW50aXR5LnZheGZsb3cubG9jYWwiLCJzdWIiOiJhY2NfN2UxIn0.c2lnbmF0dXJl",
    "refresh_token": "k3Jm9xQ2vT8bW1nZ5pR7yL0cF4hD6sA2eG8uI1oP3tY",  # nosec B105  # OpenAPI example
    "token_type": "bearer",  # nosec B105  # token type name
    "expires_in": 900,
}
_STAFF_EXAMPLE = {
    "staff_id": "stf_5b0c3e1f9a7d4c2b8e6f1a3d5c7b9e0f",
    "username": "vaccinator.hcm0001",
    "role": "vaccinator",
    "site_id": "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01",
    "district": None,
    "created_at": "2026-01-15T08:30:00+00:00",
    "disabled": False,
}


class OtpRequest(StrictModel):
    """Ask for a one-time code by SMS."""

    model_config = examples({"phone": "0912345678"})

    phone: Phone


class OtpRequestedRead(BaseModel):
    """The code is on its way."""

    model_config = examples({"expires_in": 300})

    expires_in: int = Field(description="Seconds the code stays valid.")


class OtpVerify(StrictModel):
    """Log in with the code received by SMS."""

    model_config = examples({"phone": "+84912345678", "code": "482913"})

    phone: Phone
    code: str = Field(pattern=rf"^\d{{{CODE_DIGITS}}}$", description="The 6 digits of the SMS.")


class StaffLogin(StrictModel):
    """Staff login."""

    model_config = examples({"username": "vaccinator.hcm0001", "password": "correct-horse-battery"})  # nosec B105  # OpenAPI example

    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshTokenBody(StrictModel):
    """A refresh token to rotate or revoke."""

    model_config = examples({"refresh_token": "k3Jm9xQ2vT8bW1nZ5pR7yL0cF4hD6sA2eG8uI1oP3tY"})  # nosec B105  # OpenAPI example

    refresh_token: RefreshTokenText


class TokensRead(BaseModel):
    """An access token (JWT ES256) and a single-use refresh token."""

    model_config = examples(_TOKENS_EXAMPLE)

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int = Field(description="Seconds the access token stays valid.")

    @classmethod
    def of(cls, pair: TokenPair) -> TokensRead:
        """Render a token pair."""
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
        )


class StaffCreate(StrictModel):
    """A new staff account: site roles need `site_id`, `district_admin` needs `district`."""

    model_config = examples(
        {
            "username": "vaccinator.hcm0001",
            "password": "a-long-passphrase-2026",  # nosec B105  # OpenAPI example
            "role": "vaccinator",
            "site_id": "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01",
        },
        {
            "username": "district.760",
            "password": "another-long-passphrase",  # nosec B105  # OpenAPI example
            "role": "district_admin",
            "district": "760",
        },
    )

    username: str = Field(pattern=USERNAME_PATTERN, description="Lower case; 3 to 64 characters.")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    role: StaffRole
    site_id: ScopeId | None = None
    district: ScopeId | None = None


class StaffRead(BaseModel):
    """A staff account (never its password)."""

    model_config = examples(_STAFF_EXAMPLE)

    staff_id: str
    username: str
    role: StaffRole
    site_id: str | None
    district: str | None
    created_at: IsoDateTime
    disabled: bool

    @classmethod
    def of(cls, staff: Staff) -> StaffRead:
        """Render an account."""
        return cls(
            staff_id=staff.staff_id,
            username=staff.username,
            role=staff.role,
            site_id=staff.scope.site_id,
            district=staff.scope.district,
            created_at=staff.created_at,
            disabled=staff.disabled,
        )


class StaffPageRead(BaseModel):
    """One page of staff accounts, ordered by username."""

    model_config = examples({"items": [_STAFF_EXAMPLE], "page": 1, "page_size": 50, "total": 1})

    items: list[StaffRead]
    page: int
    page_size: int
    total: int


class JwkRead(BaseModel):
    """A public signing key (EC P-256, ES256)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                    "kid": "20260101-3f2a9c1d4e5b",
                    "use": "sig",
                    "alg": "ES256",
                }
            ]
        },
    )

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    use: Literal["sig"]
    alg: Literal["ES256"]


class JwksRead(BaseModel):
    """The keys that verify access tokens: the current, the next and recently retired ones."""

    model_config = examples(
        {
            "keys": [
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                    "kid": "20260101-3f2a9c1d4e5b",
                    "use": "sig",
                    "alg": "ES256",
                }
            ]
        }
    )

    keys: list[JwkRead]
