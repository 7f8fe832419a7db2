"""Staff accounts: usernames, roles and the scope each role requires, password rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

StaffRole = Literal["vaccinator", "site_manager", "district_admin", "mcc_operator", "admin"]
STAFF_ROLES: tuple[StaffRole, ...] = get_args(StaffRole)
SITE_ROLES: frozenset[StaffRole] = frozenset({"vaccinator", "site_manager"})
DISTRICT_ROLES: frozenset[StaffRole] = frozenset({"district_admin"})

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
_USERNAME = re.compile(USERNAME_PATTERN)
MIN_PASSWORD_LENGTH = 12
# argon2 hashes whatever it is given; a bound keeps one request from costing seconds.
MAX_PASSWORD_LENGTH = 256


class InvalidStaff(ValueError):
    """A staff account that breaks a rule; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class StaffScope:
    """Where a staff member acts: one site, one district, or (national roles) everywhere."""

    site_id: str | None = None
    district: str | None = None


def scope_for(role: StaffRole, *, site_id: str | None, district: str | None) -> StaffScope:
    """The scope a role requires: site roles a site, district roles a district, others none."""
    if role in SITE_ROLES:
        _require("site_id", site_id, role)
        _forbid("district", district, role)
    elif role in DISTRICT_ROLES:
        _require("district", district, role)
        _forbid("site_id", site_id, role)
    else:
        _forbid("site_id", site_id, role)
        _forbid("district", district, role)
    return StaffScope(site_id=site_id, district=district)


def _require(field: str, value: str | None, role: str) -> None:
    if not value:
        raise InvalidStaff(field, f"the role {role} needs a {field}")


def _forbid(field: str, value: str | None, role: str) -> None:
    if value:
        raise InvalidStaff(field, f"the role {role} takes no {field}")


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively; they are kept in lower case."""
    return username.strip().lower()


def check_username(username: str) -> str:
    """Return the normalised username, or raise InvalidStaff."""
    normalised = normalise_username(username)
    if not _USERNAME.fullmatch(normalised):
        raise InvalidStaff("username", "3 to 64 of a-z, 0-9, '.', '_', '-', starting alphanumeric")
    return normalised


def check_password(password: str, *, username: str) -> None:
    """Refuse passwords that are short, overlong, or contain the username."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidStaff(
            "password", f"between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters"
        )
    if username in password.lower():
        raise InvalidStaff("password", "must not contain the username")


@dataclass(frozen=True, slots=True)
class Staff:
    """A staff account as stored; `password_hash` is an argon2 PHC string."""

    staff_id: str
    username: str
    role: StaffRole
    scope: StaffScope
    password_hash: str
    created_at: datetime
    created_by: str
    disabled: bool = False
