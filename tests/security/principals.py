"""The callers of the authorisation matrix: real tokens for every principal issue 12 lists.

Citizens log in with a phone and the code the local SMS gateway wrote; the seeded demo staff log
in with their passwords. A district admin of another district (770) has no demo account, so their
token is signed with identity's own current key, exactly as identity would sign it; so are the
expired token. The "foreign key" token is well formed and unexpired but signed by a key identity
never published.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from vaxflow_identity.domain.keys import KeySealer, SigningKey
from vaxflow_identity.settings import IdentitySettings
from vaxflow_identity.store.keys import MongoKeyStore

from tests.e2e.gateway import seeded_staff
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from vaxflow.seed import DEMO_SITE, OTHER_DEMO_SITE
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.settings import AuthSettings

#: Every principal of the matrix, in the order the test walks them.
PRINCIPALS = (
    "citizen",  # the phone account of citizen A (owns the dose and certificate)
    "other_citizen",  # the phone account of citizen B (owns the appointment)
    "vaccinator_a",  # vaccinator of site A (district 760)
    "vaccinator_b",  # vaccinator of site B (district 770)
    "site_manager_a",  # site manager of site A
    "district_admin_a",  # district admin of 760, the district of site A and of the citizens
    "district_admin_other",  # district admin of 770: another district
    "mcc_operator",
    "admin",
    "anonymous",  # no Authorization header
    "expired",  # identity's key, expired an hour ago
    "foreign_key",  # signed by a key identity never published (admin role)
)
STAFF = (
    "vaccinator_a",
    "vaccinator_b",
    "site_manager_a",
    "district_admin_a",
    "district_admin_other",
    "mcc_operator",
    "admin",
)
UNAUTHENTICATED = ("anonymous", "expired", "foreign_key")
_DEMO_LOGINS = {
    "vaccinator_a": ("vaccinator", DEMO_SITE.site_id),
    "vaccinator_b": ("vaccinator", OTHER_DEMO_SITE.site_id),
    "site_manager_a": ("site_manager", DEMO_SITE.site_id),
    "district_admin_a": ("district_admin", None),
    "mcc_operator": ("mcc_operator", None),
    "admin": ("admin", None),
}


@dataclass
class Principals:
    """The bearer headers of every principal (anonymous: none)."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    key: SigningKey | None = None
    staff: list[dict[str, str]] = field(default_factory=list)  # the demo logins

    def __getitem__(self, name: str) -> dict[str, str]:
        return self.headers[name]

    def new_phone_account(self) -> str:
        """A new phone account (as identity would sign it), to hold people a test consumes.

        A phone account holds at most six people, so fresh objects go to accounts of their own.
        """
        assert self.key is not None
        name = f"acc_sec_{uuid.uuid4().hex[:16]}"
        claims = _claims(sub=name, role="citizen")
        token = jwt.encode(
            claims,
            self.key.private_key,
            algorithm="ES256",
            headers={"kid": self.key.kid, "typ": "JWT"},
        )
        self.headers[name] = _bearer(token)
        return name


async def identity_signing_key() -> SigningKey:
    """The key identity signs with now, read from its database."""
    settings = IdentitySettings()
    client = create_mongo_client(settings.mongo)
    try:
        sealer = KeySealer(settings.key_encryption_key.get_secret_value())
        ring = await MongoKeyStore(client[settings.database_name], sealer).load()
    finally:
        await client.close()
    assert ring is not None, "identity has no signing key yet (run `make up`)"
    return ring.current


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    auth = AuthSettings()
    base = {
        "iss": auth.issuer,
        "aud": auth.audience,
        "sub": f"staff_sec_{uuid.uuid4().hex[:8]}",
        "role": "district_admin",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 900,
    }
    return base | overrides


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def log_everyone_in(gateway: httpx.AsyncClient) -> Principals:
    """Tokens for all of `PRINCIPALS`."""
    staff = await seeded_staff()
    principals = Principals(staff=staff)
    principals.headers["citizen"] = await citizen_headers(gateway)
    principals.headers["other_citizen"] = await citizen_headers(gateway)
    for name, (role, site_id) in _DEMO_LOGINS.items():
        entry = next(
            e
            for e in staff
            if e["role"] == role and (site_id is None or e.get("site_id") == site_id)
        )
        principals.headers[name] = await staff_headers(gateway, entry)
    key = principals.key = await identity_signing_key()
    now = int(time.time())
    signed = {
        "district_admin_other": _claims(district=OTHER_DEMO_SITE.district),
        "expired": _claims(role="admin", iat=now - 3600, exp=now - 1800),
    }
    for name, claims in signed.items():
        token = jwt.encode(
            claims, key.private_key, algorithm="ES256", headers={"kid": key.kid, "typ": "JWT"}
        )
        principals.headers[name] = _bearer(token)
    principals.headers["foreign_key"] = _bearer(
        LocalTokenIssuer(kid=key.kid).token(subject="staff_forged", role="admin")
    )
    principals.headers["anonymous"] = {}
    assert set(principals.headers) == set(PRINCIPALS)
    return principals
