"""The certificate service's worker role as a process of its own, so a test can crash it.

Fault points come from the environment (`VAXFLOW_FAULT_POINTS`), as under the stack; the
database, topics, consumer groups and keys from the arguments. Runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path

from vaxflow_certificate.consumers import Topics
from vaxflow_certificate.main import build_app
from vaxflow_certificate.settings import CertificateSettings


async def run(settings: CertificateSettings, topics: Topics) -> None:
    """Run the worker role until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    app = build_app(settings, "worker", topics=topics)
    async with app.router.lifespan_context(app):
        await stop.wait()


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--key-dir", required=True)
    parser.add_argument("--dose-group", required=True)
    parser.add_argument("--holder-group", required=True)
    parser.add_argument("--topics", required=True, help="the Topics fields, as JSON")
    args = parser.parse_args()
    settings = CertificateSettings(
        environment="test",
        mongo_database=args.database,
        key_dir=Path(args.key_dir),
        dose_group=args.dose_group,
        holder_group=args.holder_group,
        log_level="warning",
    )
    asyncio.run(run(settings, Topics(**json.loads(args.topics))))


if __name__ == "__main__":
    main()
