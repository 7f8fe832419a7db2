"""`vaxflow stack up|down|status|start|stop`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from vaxflow.stack import control
from vaxflow.stack.errors import StackError, StackErrors

Handler = Callable[[argparse.Namespace], int]


def register(subparsers: Any) -> None:
    """Add the `stack` command group."""
    stack = subparsers.add_parser(
        "stack", help="run the local stack (Kafka, FerretDB, Redis, gateway)"
    )
    commands = stack.add_subparsers(dest="stack_command", required=True, metavar="ACTION")

    cmd = commands.add_parser("up", help="start everything (or --only some parts) and wait")
    cmd.add_argument(
        "--only",
        type=_names,
        default=(),
        metavar="NAMES",
        help="comma-separated parts, e.g. kafka,ferretdb",
    )
    cmd.set_defaults(handler=_guarded(_up))

    cmd = commands.add_parser("down", help="stop everything the stack started")
    cmd.set_defaults(handler=_guarded(_down))

    cmd = commands.add_parser("status", help="show what runs, with pids")
    cmd.set_defaults(handler=_guarded(_status))

    for action, function, text in (
        ("start", _start, "start one part and wait until it answers"),
        ("stop", _stop, "stop one part"),
    ):
        cmd = commands.add_parser(action, help=text)
        cmd.add_argument("name", help="kafka, ferretdb, redis, gateway or a service")
        cmd.set_defaults(handler=_guarded(function))


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _guarded(function: Handler) -> Handler:
    """Turn stack errors into a clear message and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return function(args)
        except ValidationError as invalid:
            print(f"FAILED: invalid VAXFLOW_STACK_* setting\n{invalid}", file=sys.stderr)
        except StackErrors as many:
            for one in many.errors:
                print(one.report(), file=sys.stderr)
        except StackError as error:
            print(error.report(), file=sys.stderr)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
        return 1

    return run


def _up(args: argparse.Namespace) -> int:
    began = time.monotonic()
    control.up(only=args.only)
    print(f"Up in {time.monotonic() - began:.1f} s.")
    return 0


def _down(args: argparse.Namespace) -> int:
    killed = control.down()
    for name in killed:
        print(f"{name}: was still running after the supervisor stopped; stopped it by pid")
    print("The stack is down.")
    return 0


def _status(args: argparse.Namespace) -> int:
    rows = control.status()
    if rows is None:
        print("The stack is not running.")
        return 3
    for row in rows:
        pid = str(row.pid) if row.pid else "-"
        print(f"{row.name:<12} {row.state:<9} pid {pid:<8} {row.description}")
    return 0 if all(row.state == "RUNNING" for row in rows) else 3


def _start(args: argparse.Namespace) -> int:
    control.start(args.name)
    return 0


def _stop(args: argparse.Namespace) -> int:
    control.stop(args.name)
    print(f"{args.name}: stopped")
    return 0
