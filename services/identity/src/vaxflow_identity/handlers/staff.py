"""Staff: password login with lockout, and accounts created by an admin (API, command, seed)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from vaxflow_identity.domain.limits import LimitExceeded
from vaxflow_identity.domain.staff import (
    InvalidStaff,
    Staff,
    StaffRole,
    check_password,
    check_username,
    normalise_username,
    scope_for,
)
from vaxflow_identity.domain.tokens import Subject, TokenPair
from vaxflow_identity.handlers.context import Identity
from vaxflow_identity.handlers.sessions import issue_tokens
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.problems import FieldError, ProblemError, validation_problem

log = get_logger(__name__)
T = TypeVar("T")


def invalid_credentials() -> ProblemError:
    """The one answer to a wrong username, a wrong password or a disabled account."""
    return ProblemError(401, "The username or password is wrong.", slug="invalid-credentials")


@cache
def _decoy_hash(hasher: PasswordHasher) -> str:
    """A hash no password matches: unknown usernames cost the same time as known ones."""
    return hasher.hash(uuid.uuid4().hex)


def _verify(hasher: PasswordHasher, password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or _decoy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def _hashing(identity: Identity, work: Callable[..., T], *args: Any) -> T:
    """Run argon2 off the event loop, a few at a time: each hash takes tens of MiB and ms."""
    async with identity.hashing:
        return await asyncio.to_thread(work, *args)


async def _password_matches(identity: Identity, staff: Staff | None, password: str) -> bool:
    stored = staff.password_hash if staff else None
    matches = await _hashing(identity, _verify, identity.passwords, stored, password)
    return matches and staff is not None and not staff.disabled


async def login_staff(
    identity: Identity, *, username: str, password: str, address: str
) -> TokenPair:
    """Check the password and answer tokens; repeated failures lock the username.

    Unknown usernames are counted and locked like known ones, so neither the answer nor the
    lockout tells whether a username exists.
    """
    await identity.guard.admit("login-address", address, identity.settings.address_rate)
    name = normalise_username(username)
    user_index = identity.username_index(name)
    attempt = await _begin(identity, user_index, address)
    staff = await identity.staff.by_username(name)
    if not await _password_matches(identity, staff, password):
        await _failed(identity, staff, user_index, attempt, address)
        raise invalid_credentials()
    assert staff is not None
    await identity.guard.clear_login_failures(user_index)
    await identity.audit.record(
        "staff_login_succeeded", at=identity.clock(), staff_id=staff.staff_id, address=address
    )
    await _rehash_if_needed(identity, staff, password)
    return await issue_tokens(identity, Subject.of_staff(staff))


async def _begin(identity: Identity, user_index: str, address: str) -> int:
    try:
        return await identity.guard.begin_login(user_index, identity.settings.lockout)
    except LimitExceeded:
        await identity.audit.record(
            "staff_login_refused_locked", at=identity.clock(), user=user_index, address=address
        )
        raise


async def _failed(
    identity: Identity, staff: Staff | None, user_index: str, attempt: int, address: str
) -> None:
    who = {"staff_id": staff.staff_id} if staff else {"user": user_index}
    now = identity.clock()
    await identity.audit.record("staff_login_failed", at=now, address=address, **who)
    log.info("staff_login_failed", attempt=attempt, **who)
    policy = identity.settings.lockout
    if policy.locks_after(attempt):
        await identity.guard.lock_login(user_index, policy)
        await identity.audit.record("staff_locked", at=now, address=address, **who)
        log.warning("staff_locked", lockout_s=policy.lockout_s, **who)


async def _rehash_if_needed(identity: Identity, staff: Staff, password: str) -> None:
    if identity.passwords.check_needs_rehash(staff.password_hash):
        new_hash = await _hashing(identity, identity.passwords.hash, password)
        await identity.staff.set_password_hash(staff.staff_id, new_hash)


@dataclass(frozen=True, slots=True)
class NewStaff:
    """What an admin gives to create a staff account."""

    username: str
    password: str
    role: StaffRole
    site_id: str | None = None
    district: str | None = None


def _checked(new: NewStaff) -> tuple[str, NewStaff]:
    """The normalised username, or a 422 naming the field that breaks a rule."""
    try:
        username = check_username(new.username)
        check_password(new.password, username=username)
        scope_for(new.role, site_id=new.site_id, district=new.district)
    except InvalidStaff as exc:
        error = FieldError(field=f"body.{exc.field}", rule="staff_rule", message=str(exc))
        raise validation_problem([error]) from None
    return username, new


async def create_staff(identity: Identity, new: NewStaff, *, created_by: str) -> Staff:
    """Create an account (409 if the username is taken); audited."""
    username, _ = _checked(new)
    staff = Staff(
        staff_id="stf_" + uuid.uuid4().hex,
        username=username,
        role=new.role,
        scope=scope_for(new.role, site_id=new.site_id, district=new.district),
        password_hash=await _hashing(identity, identity.passwords.hash, new.password),
        created_at=identity.clock(),
        created_by=created_by,
    )
    if not await identity.staff.add(staff):
        raise ProblemError(409, "This username is taken.", slug="username-taken")
    await identity.audit.record(
        "staff_created",
        at=staff.created_at,
        staff_id=staff.staff_id,
        role=staff.role,
        site_id=staff.scope.site_id,
        district=staff.scope.district,
        created_by=created_by,
    )
    log.info("staff_created", staff_id=staff.staff_id, role=staff.role)
    return staff


async def ensure_staff(identity: Identity, new: NewStaff, *, created_by: str) -> bool:
    """Make sure the account exists with this password (for seeding); True if it was created."""
    existing = await identity.staff.by_username(normalise_username(new.username))
    if existing is None:
        await create_staff(identity, new, created_by=created_by)
        return True
    hasher = identity.passwords
    if not await _hashing(identity, _verify, hasher, existing.password_hash, new.password):
        new_hash = await _hashing(identity, hasher.hash, new.password)
        await identity.staff.set_password_hash(existing.staff_id, new_hash)
    return False


async def list_staff(identity: Identity, *, page: int, page_size: int) -> tuple[list[Staff], int]:
    """One page of accounts, ordered by username, and the total count."""
    return await identity.staff.page(skip=(page - 1) * page_size, limit=page_size)
