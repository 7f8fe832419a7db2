"""`vaxflow simulate`: a campaign day driven through the gateway's public API (issue 10).

Citizens log in with the code from the SMS outbox, register, book (or walk in, or are invited),
come to the site when due (open loop: each arrival is sent at its time, whatever the others
are doing), are screened (some postponed or referred), vaccinated and observed (some with mild,
rarely serious reactions), then fetch, download and present their certificates. Site managers
receive stock, invite people and record wastage. Afterwards the outcome is checked and a
report is printed and written as JSON, with a PNG chart of throughput and consumer lag beside
it; the exit status is 1 when a check failed.

    vaxflow simulate --sites 2 --doses 200 --hours 1 --speedup 60 --seed 1
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.report import summary


def config_from(args: argparse.Namespace) -> SimulationConfig:
    """The run's configuration from the command line and the stack's settings."""
    from vaxflow.stack.config import StackSettings
    from vaxflow_servicekit.sms import SmsSettings

    stack = StackSettings()
    outbox = SmsSettings().outbox_path
    config = SimulationConfig(
        sites=args.sites,
        doses=args.doses,
        hours=args.hours,
        speedup=args.speedup,
        seed=args.seed,
        gateway_url=args.gateway or stack.gateway_url,
        credentials_path=stack.stack_dir / "demo-credentials.json",
        outbox_path=outbox if outbox.is_absolute() else stack.root / outbox,
        staff_path=stack.stack_dir / "simulate" / "staff.json",
        progress=not args.quiet,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or stack.stack_dir / "simulate" / f"result-{stamp}.json"
    return replace(config, out_path=out)


def _simulate(args: argparse.Namespace) -> int:
    from vaxflow.simulate.runner import simulate
    from vaxflow.simulate.setup import SetupError
    from vaxflow_servicekit.logging import configure_logging

    configure_logging("simulate", "warning")
    config = config_from(args)
    try:
        result: dict[str, Any] = asyncio.run(simulate(config))
    except SetupError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 2
    print(summary(result))  # names the chart (PNG) written beside the JSON
    if config.out_path is not None:
        print(f"results: {config.out_path}")
    if not result["passed"]:
        print("simulate: CHECKS FAILED (see above)", file=sys.stderr)
        return 1
    return 0


def register(subparsers: Any) -> None:
    """Add the `simulate` command."""
    from pathlib import Path

    command = subparsers.add_parser(
        "simulate", help="drive a simulated campaign day through the gateway, then check it"
    )
    command.add_argument("--sites", type=int, default=2, help="sites taking part (default 2)")
    command.add_argument("--doses", type=int, default=200, help="doses to give (default 200)")
    command.add_argument("--hours", type=float, default=1.0, help="simulated hours (default 1)")
    command.add_argument(
        "--speedup", type=float, default=60.0, help="simulated seconds per real second (60)"
    )
    command.add_argument("--seed", type=int, default=1, help="random seed of the schedule")
    command.add_argument("--gateway", default="", help="gateway URL (default: the stack's)")
    command.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    command.add_argument("--quiet", action="store_true", help="no progress display")
    command.set_defaults(handler=_simulate)
