"""Registration's admin command: re-encrypt national IDs under the current key.

    python -m vaxflow_registration.admin reseal-national-ids [--batch-size 500]

After a rotation (a new VAXFLOW_REGISTRATION_NATIONAL_ID_ENCRYPTION_KEY and _KEY_ID, the old
key moved into VAXFLOW_REGISTRATION_NATIONAL_ID_OLD_KEYS), the service opens both; this job
rewrites every ciphertext of an old key under the current one, printing its progress. It may
run while the service runs, be stopped, and be run again; when it reports nothing left, the old
key can be removed from the configuration. Settings come from the environment, as for the
service.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from vaxflow_registration.handlers.keys import ResealProgress, reseal_national_ids
from vaxflow_registration.protection import NationalIdProtector
from vaxflow_registration.settings import RegistrationSettings
from vaxflow_registration.store.citizens import MongoSealedIds
from vaxflow_servicekit.mongo import create_mongo_client


def _print(progress: ResealProgress) -> None:
    print(
        f"key {progress.key_id}: {progress.resealed} re-encrypted, "
        f"{progress.unreadable} unreadable, {progress.remaining} left",
        flush=True,
    )


async def reseal(settings: RegistrationSettings, batch_size: int) -> int:
    """Run the job; 1 when some ciphertexts could not be opened (they are left as they were)."""
    protector = NationalIdProtector.from_settings(settings)
    if not protector.old_key_ids:
        print(f"no old keys configured; every new ciphertext uses key {protector.key_id}")
        return 0
    client = create_mongo_client(settings.mongo)
    try:
        sealed = MongoSealedIds(client[settings.database_name])
        done = await reseal_national_ids(protector, sealed, batch_size=batch_size, report=_print)
    finally:
        await client.close()
    for progress in done:
        print(f"key {progress.key_id}: done, {progress.resealed} re-encrypted in this run")
    return 1 if any(p.unreadable for p in done) else 0


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    parser = argparse.ArgumentParser(prog="python -m vaxflow_registration.admin")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    job = commands.add_parser(
        "reseal-national-ids", help="re-encrypt national IDs sealed with an old key"
    )
    job.add_argument("--batch-size", type=int, default=500, help="citizens per batch")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command."""
    args = build_parser().parse_args(argv)
    return asyncio.run(reseal(RegistrationSettings(), args.batch_size))


if __name__ == "__main__":
    sys.exit(main())
