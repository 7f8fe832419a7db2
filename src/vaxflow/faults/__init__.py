"""`vaxflow faults`: a campaign day under a seeded schedule of faults, then proof (issue 11).

The simulator runs at a steady rate while service processes are killed and paused, Kafka and
FerretDB killed, Redis stopped, poison messages and replayed events produced, and consumers
and outbox relays crashed between effect and commit. Afterwards the system drains and the
checker proves that nothing the API acknowledged was lost or done twice, and nothing it
refused was done. The exit status is 1 when a check failed. See docs/faults.md.

    vaxflow faults --seed 7 --doses 300 --minutes 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaxflow.faults.config import KINDS, FaultsConfig

if TYPE_CHECKING:
    from vaxflow.simulate.config import SimulationConfig
    from vaxflow.stack.config import StackSettings


def configs(
    *,
    seed: int = 1,
    sites: int = 2,
    doses: int = 300,
    minutes: float = 5.0,
    faults: int = 12,
    kinds: tuple[str, ...] = KINDS,
    gateway: str = "",
    out: Path | None = None,
    redis_down_s: float = 60.0,
) -> tuple[FaultsConfig, SimulationConfig, StackSettings]:
    """The run's fault configuration, the simulator's, and the stack's settings."""
    from vaxflow.simulate import config_from
    from vaxflow.stack.config import StackSettings

    stack = StackSettings()
    hours = 2.0
    config = FaultsConfig(
        seed=seed,
        sites=sites,
        doses=doses,
        hours=hours,
        speedup=hours * 3600 / (minutes * 60),
        kinds=kinds,
        faults=faults,
        redis_down_s=redis_down_s,
        gateway_url=gateway or stack.gateway_url,
    )
    sim_args = argparse.Namespace(
        sites=sites,
        doses=doses,
        hours=hours,
        speedup=config.speedup,
        seed=seed,
        gateway=config.gateway_url,
        out=Path("-"),
        quiet=True,
    )
    simulation = replace(config_from(sim_args), out_path=None, after_checks=False)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out or stack.stack_dir / "faults" / f"result-{stamp}.json"
    return replace(config, out_path=out), simulation, stack


def _faults(args: argparse.Namespace) -> int:
    from vaxflow.faults.report import summary
    from vaxflow.faults.runner import run
    from vaxflow_servicekit.logging import configure_logging

    configure_logging("faults", "error")
    unknown = [k for k in (args.kinds or "").split(",") if k and k not in KINDS]
    if unknown:
        print(f"faults: unknown kinds {unknown}; the kinds are {', '.join(KINDS)}", file=sys.stderr)
        return 2
    config, simulation, stack = configs(
        seed=args.seed,
        sites=args.sites,
        doses=args.doses,
        minutes=args.minutes,
        faults=args.faults,
        kinds=tuple(k for k in args.kinds.split(",") if k) or KINDS,
        gateway=args.gateway,
        out=args.out,
        redis_down_s=args.redis_down,
    )
    try:
        result = asyncio.run(run(config, stack, simulation))
    except RuntimeError as error:  # the stack was not whole, or the simulator's set-up failed
        print(f"faults: {error}", file=sys.stderr)
        return 2
    print(summary(result))
    if config.out_path is not None:
        config.out_path.parent.mkdir(parents=True, exist_ok=True)
        config.out_path.write_text(json.dumps(result, indent=2, default=str), "utf-8")
        print(f"results: {config.out_path}")
    if args.json:
        print(json.dumps(result, default=str))
    if not result["passed"]:
        print("faults: CHECKS FAILED (see above)", file=sys.stderr)
        return 1
    return 0


def register(subparsers: Any) -> None:
    """Add the `faults` command."""
    command = subparsers.add_parser(
        "faults", help="a simulated campaign day under injected faults, then checked"
    )
    command.add_argument("--seed", type=int, default=1, help="seed of the fault schedule")
    command.add_argument("--sites", type=int, default=2, help="sites taking part (default 2)")
    command.add_argument("--doses", type=int, default=300, help="doses to give (default 300)")
    command.add_argument(
        "--minutes", type=float, default=5.0, help="real minutes the day lasts (default 5)"
    )
    command.add_argument("--faults", type=int, default=12, help="faults to inject (default 12)")
    command.add_argument(
        "--kinds", default="", help=f"comma-separated kinds (default all: {','.join(KINDS)})"
    )
    command.add_argument(
        "--redis-down", type=float, default=60.0, help="seconds Redis stays down (default 60)"
    )
    command.add_argument("--gateway", default="", help="gateway URL (default: the stack's)")
    command.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    command.add_argument("--json", action="store_true", help="also print the JSON result")
    command.set_defaults(handler=_faults)
