"""`vaxflow-service`: the one entry point of the container image.

`vaxflow-service <name> --role api|worker|all` runs one service (its `vaxflow_<name>.main.main`);
`vaxflow-service create-topics` creates the contracts' topics and exits (the one-shot job of
docker-compose.yml; on Kubernetes Strimzi's KafkaTopic resources do it).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import cast

SERVICES: tuple[str, ...] = (
    "identity",
    "registration",
    "scheduling",
    "injection",
    "certificate",
    "monitoring",
    "warehouse",
)
ROLES: tuple[str, ...] = ("api", "worker", "all")
CREATE_TOPICS = "create-topics"


def entry_of(name: str) -> Callable[[Sequence[str] | None], None]:
    """Return the `main(argv)` of a service's `vaxflow_<name>.main` module."""
    module = importlib.import_module(f"vaxflow_{name}.main")
    return cast(Callable[[Sequence[str] | None], None], module.main)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaxflow-service",
        description="Run one VaxFlow service, or create the contracts' Kafka topics.",
    )
    parser.add_argument("name", choices=(*SERVICES, CREATE_TOPICS))
    parser.add_argument("--role", choices=ROLES, default="all", help="services only")
    parser.add_argument(
        "--partitions",
        type=int,
        default=int(os.environ.get("VAXFLOW_TOPIC_PARTITIONS", "6")),
        help="create-topics only: partitions of each new topic",
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="create-topics only: seconds to wait"
    )
    return parser


def create_topics(partitions: int, timeout: float) -> int:
    """Create the registry's topics on VAXFLOW_KAFKA_BOOTSTRAP; wait until each has leaders."""
    from vaxflow.stack.topics import ensure_topics, registry_names
    from vaxflow_servicekit.settings import KafkaSettings

    bootstrap = KafkaSettings().bootstrap
    names = registry_names()
    report = asyncio.run(
        asyncio.wait_for(ensure_topics(bootstrap, names, partitions), timeout=timeout)
    )
    print(f"topics created: {', '.join(report.created) or 'none'}")
    print(f"topics already there: {', '.join(report.existing) or 'none'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the service (or the topic job)."""
    args = build_parser().parse_args(argv)
    if args.name == CREATE_TOPICS:
        return create_topics(args.partitions, args.timeout)
    entry_of(args.name)(["--role", args.role])
    return 0


if __name__ == "__main__":
    sys.exit(main())
