"""Identity's admin command: create staff accounts and rotate the signing keys.

    python -m vaxflow_identity.admin create-staff --username admin.hcm --role admin
    python -m vaxflow_identity.admin create-staff --username vac.0001 --role vaccinator \\
        --site-id 3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01 --password-stdin < password.txt
    python -m vaxflow_identity.admin rotate-keys [--now]

Without `--password-stdin` a strong password is generated and printed once. Settings come from
the environment, as for the service (VAXFLOW_MONGO_URL, VAXFLOW_IDENTITY_*).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import sys
from collections.abc import AsyncIterator, Sequence
from typing import get_args

from redis.asyncio import Redis

from vaxflow_identity.domain.staff import StaffRole
from vaxflow_identity.handlers.context import Identity
from vaxflow_identity.handlers.staff import NewStaff, create_staff
from vaxflow_identity.main import NEEDS, compose
from vaxflow_identity.settings import IdentitySettings
from vaxflow_servicekit.mongo import create_mongo_client, ensure_indexes
from vaxflow_servicekit.problems import ProblemError
from vaxflow_servicekit.runtime import Infrastructure

ADMIN_ACTOR = "admin-command"


def generate_password() -> str:
    """A random password of about 128 bits, easy to copy."""
    return secrets.token_urlsafe(16)


@contextlib.asynccontextmanager
async def opened(settings: IdentitySettings) -> AsyncIterator[Identity]:
    """The handlers' composition on fresh clients, closed on exit (for commands and the seed)."""
    infra = Infrastructure(settings)
    infra.mongo = create_mongo_client(settings.mongo)
    infra.redis = Redis.from_url(settings.redis.url, socket_timeout=settings.redis.socket_timeout_s)
    try:
        await ensure_indexes(infra.db, NEEDS.indexes)
        yield compose(infra, settings, redis_prefix="identity")
    finally:
        await infra.redis.aclose()
        await infra.mongo.close()


async def _create_staff(settings: IdentitySettings, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else generate_password()
    new = NewStaff(args.username, password, args.role, args.site_id, args.district)
    async with opened(settings) as identity:
        staff = await create_staff(identity, new, created_by=ADMIN_ACTOR)
    print(f"created {staff.username} ({staff.role}) as {staff.staff_id}")
    if not args.password_stdin:
        print(f"password: {password}")
    return 0


async def _rotate_keys(settings: IdentitySettings, args: argparse.Namespace) -> int:
    async with opened(settings) as identity:
        ring = await identity.keys.rotate(immediate=args.now)
    staged = f", next {ring.next.kid}" if ring.next else ""
    print(f"signing key {ring.current.kid}{staged}; published until retired")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    parser = argparse.ArgumentParser(prog="python -m vaxflow_identity.admin")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    create = commands.add_parser("create-staff", help="create a staff account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=get_args(StaffRole))
    create.add_argument("--site-id", help="for vaccinator and site_manager")
    create.add_argument("--district", help="for district_admin")
    create.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    create.set_defaults(run=_create_staff)
    rotate = commands.add_parser("rotate-keys", help="publish a new signing key")
    rotate.add_argument(
        "--now", action="store_true", help="sign with it at once (after a key compromise)"
    )
    rotate.set_defaults(run=_rotate_keys)
    return parser


def main(argv: Sequence[str] | None = None, settings: IdentitySettings | None = None) -> int:
    """Run one admin command; problems are printed, with exit status 1."""
    args = build_parser().parse_args(argv)
    try:
        status: int = asyncio.run(args.run(settings or IdentitySettings(), args))
    except ProblemError as error:
        reasons = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
        print(f"error: {error.detail}{' ' + reasons if reasons else ''}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
