"""Composition root and process entry: `python -m vaxflow_warehouse.main`.

The warehouse has no public API: its HTTP side serves only /healthz, /readyz and /metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.runtime import (
    Infrastructure,
    Needs,
    Role,
    Worker,
    for_role,
    infrastructure,
    run_service,
    workers,
)
from vaxflow_warehouse import __version__
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import RowShaper
from vaxflow_warehouse.handlers.ingest import Ingest, settle_collector, shaping_pool
from vaxflow_warehouse.settings import WarehouseSettings
from vaxflow_warehouse.store.ranges import RangeStore
from vaxflow_warehouse.workers.members import Members
from vaxflow_warehouse.workers.sink import WarehouseSink

DESCRIPTION = "The warehouse sink: every event stream, exactly once, pseudonymised, as Parquet."


def ingest_for(settings: WarehouseSettings, store: RangeStore | None = None) -> Ingest:
    """The ingest of a data directory (the configured one unless given)."""
    key = settings.pseudonym_key.get_secret_value().encode()
    return Ingest(
        RowShaper(Pseudonymiser(key)),
        store or RangeStore(settings.data_dir),
        pool=shaping_pool(settings.shaping_processes, key),
    )


def policy_for(settings: WarehouseSettings) -> BatchPolicy:
    """The batching rule of the settings."""
    return BatchPolicy(max_rows=settings.batch_max_rows, max_seconds=settings.batch_max_seconds)


def sink_for(settings: WarehouseSettings, producer: AIOKafkaProducer) -> WarehouseSink:
    """A member of the sink's group, dead-lettering through `producer`."""
    store = RangeStore(settings.data_dir)
    return WarehouseSink(
        kafka=settings.kafka,
        group=settings.group,
        topics=settings.topics,
        ingest=ingest_for(settings, store),
        store=store,
        policy=policy_for(settings),
        producer=producer,
        fetch_max_records=settings.fetch_max_records,
    )


def _worker_factory(settings: WarehouseSettings) -> Callable[[Infrastructure], Sequence[Worker]]:
    def factory(infra: Infrastructure) -> Sequence[Worker]:
        assert infra.producer is not None, "the sink dead-letters with the kit's producer"
        sink = sink_for(settings, infra.producer)
        settle_collector()  # this process ingests from now on
        if settings.sink_processes == 1:
            return [sink]
        return [sink, Members(settings, settings.sink_processes - 1, sink_for)]

    return factory


def build_app(settings: WarehouseSettings, role: Role = "all") -> FastAPI:
    """The warehouse process: probes and metrics over HTTP, the sink as its worker."""
    return create_app(
        settings,
        title="VaxFlow warehouse",
        version=__version__,
        description=DESCRIPTION,
        lifespan=[
            infrastructure(settings, Needs(mongo=False, kafka=True)),
            *for_role(role, api=[], worker=[workers(_worker_factory(settings))]),
        ],
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the sink with settings from the environment."""
    settings = WarehouseSettings()
    run_service(settings, lambda _, role: build_app(settings, role), argv)


if __name__ == "__main__":
    main()
