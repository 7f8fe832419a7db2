"""The `vaxflow` command: one subcommand group per module (stack today; seed, dcc later)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vaxflow import dcc, envfile, faults, seed, simulate, warehouse
from vaxflow.stack import commands as stack_commands

# Each module adds its subcommands with `register(subparsers)` and sets `handler` on them.
COMMAND_MODULES = (stack_commands, seed, envfile, dcc, warehouse, simulate, faults)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaxflow", description="VaxFlow command line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
