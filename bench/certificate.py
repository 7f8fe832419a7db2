"""Certificates on this machine: issuing from the event stream, verifying, rendering QR codes.

1. Issuing from the stream: `--doses` DoseAdministered events are put on a topic of the
   bench's own; the certificate service's real app (role `worker`: dose consumer and outbox
   relay) runs in process on a fresh database of the running stack (`make up`), builds, signs
   and stores a certificate per dose and publishes CertificateIssued. Reported: certificates
   per second from the first event to the last CertificateIssued on the topic, and the
   latency of each dose (from the moment its DoseAdministered was sent to the moment its
   CertificateIssued was read back from Kafka), p50/p99. The doses go all at once (a backlog:
   the latency is mostly waiting), or `--rate` a second, open loop (the latency at that load).
2. The pure parts on one core: building and signing (payload, schema check, CBOR, ES256,
   zlib, Base45), verification of a VaxFlow certificate (every step, schema included), and
   QR renders (PNG, uncached).

Prints one JSON document; everything it creates is removed.

    uv run python bench/certificate.py [--doses 5000] [--seconds 3] [--timeout-s 300] [--rate 0]

`--doses 0` measures only the pure parts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cpu
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from vaxflow_certificate.consumers import Topics
from vaxflow_certificate.domain.issuing import IssuePolicy, issue
from vaxflow_certificate.domain.payload import Dose, Person
from vaxflow_certificate.domain.qr import qr_png
from vaxflow_certificate.domain.verifier import Verifier
from vaxflow_certificate.main import build_app, load_keys
from vaxflow_certificate.settings import CertificateSettings

from vaxflow_events import REGISTRY, AdminArea, DoseAdministered, Envelope
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.kafka import create_producer, ensure_topics
from vaxflow_servicekit.logging import configure_logging
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.settings import KafkaSettings

PERSON = Person("Nguyễn", "Văn An", "NGUYEN", "VAN<AN", datetime(1985, 3, 14).date())
DOSE = Dose(
    "EU/1/20/1528", "ORG-100030215", "1119349007", "840539006", 1, 2, datetime(2026, 2, 1).date()
)


def per_second(work: Callable[[int], object], seconds: float) -> tuple[float, float]:
    """How many calls of `work` fit in a second (run for about `seconds`): per second of
    wall-clock time, and per second of this process's CPU time (what one core does when
    other work on the machine takes turns with it)."""
    done, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for _ in range(50):
            work(done)
            done += 1
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    return round(done / wall, 1), round(done / cpu_s, 1)


def pure_figures(key_dir: Path, seconds: float) -> dict[str, float]:
    """Issuing, verification and QR renders per second on one core."""
    keys = load_keys(CertificateSettings(environment="development", key_dir=key_dir))
    signer, now, policy = keys.signers[0], datetime.now(UTC), IssuePolicy()

    def sign(_: int) -> object:
        return issue(
            PERSON,
            DOSE,
            booster=False,
            certificate_id=uuid.uuid4(),
            signer=signer,
            now=now,
            policy=policy,
        )

    texts = [
        issue(
            PERSON,
            DOSE,
            booster=False,
            certificate_id=uuid.uuid4(),
            signer=signer,
            now=now,
            policy=policy,
        ).hc1
        for _ in range(100)
    ]
    verifier = Verifier.trusting(keys.trusted)

    def verify(n: int) -> object:
        outcome = verifier.verify(texts[n % 100], now)
        assert outcome.valid
        return outcome

    figures: dict[str, float] = {}
    for name, work in (
        ("issue", sign),
        ("verify", verify),
        ("qr_png_renders", lambda n: qr_png(texts[n % 100])),
    ):
        wall, cpu_bound = per_second(work, seconds)
        figures[f"{name}_per_s_one_core"] = wall
        figures[f"{name}_per_cpu_s"] = cpu_bound
    return figures | {"hc1_chars": len(texts[0])}


def dose_events(count: int) -> list[Envelope[Any]]:
    """`count` DoseAdministered envelopes for distinct citizens and doses."""
    example = EXAMPLES["DoseAdministered"]
    assert isinstance(example, DoseAdministered)
    area = AdminArea(province_code="79", district_code="760", ward_code="26734")
    return [
        Envelope.new(
            example.model_copy(
                update={"dose_id": uuid.uuid4(), "citizen_id": uuid.uuid4(), "site_area": area}
            ),
            producer="injection",
        )
        for _ in range(count)
    ]


async def read_issued(
    kafka: KafkaSettings, topic: str, count: int, timeout_s: float
) -> dict[str, float]:
    """Read `count` CertificateIssued; the wall-clock time each was read, by dose id."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka.bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    seen: dict[str, float] = {}
    deadline = time.time() + timeout_s
    try:
        while len(seen) < count and time.time() < deadline:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.time()
            for messages in batch.values():
                for message in messages:
                    envelope = REGISTRY.parse(message.value or b"")
                    seen.setdefault(str(envelope.payload.dose_id), now)
    finally:
        await consumer.stop()
    return seen


async def send_doses(
    producer: AIOKafkaProducer, topic: str, doses: int, rate: float
) -> dict[str, float]:
    """Put `doses` DoseAdministered on the topic, all at once (rate 0) or `rate` a second (each
    made when it is due, open loop); the time each was sent, by dose id."""
    sent_at: dict[str, float] = {}
    started = time.time()
    for n in range(doses):
        if rate > 0 and (due := started + n / rate) > time.time():
            await asyncio.sleep(due - time.time())
        [envelope] = dose_events(1)
        sent_at[str(envelope.payload.dose_id)] = time.time()
        await producer.send(
            topic, envelope.to_bytes(), key=envelope.key.encode(), headers=envelope.headers()
        )
    await producer.flush()
    return sent_at


async def stream_figures(
    doses: int, key_dir: Path, timeout_s: float, rate: float = 0.0
) -> dict[str, Any]:
    """Issue certificates for `doses` DoseAdministered events through the worker role."""
    kafka = KafkaSettings()
    run = uuid.uuid4().hex[:8]
    topics = Topics(
        dose=f"bench.{run}.dose.v1",
        citizen=f"bench.{run}.citizen.v1",
        certificate=f"bench.{run}.certificate.v1",
    )
    await ensure_topics(kafka, [topics.dose, topics.citizen, topics.certificate], partitions=6)
    database = f"bench_certificate_{run}"
    settings = CertificateSettings(
        environment="test",
        mongo_database=database,
        key_dir=key_dir,
        dose_group=f"bench.{run}.doses",
        holder_group=f"bench.{run}.holders",
        log_level="warning",
    )
    producer = create_producer(kafka)
    await producer.start()
    try:
        app = build_app(settings, "worker", topics=topics)
        async with app.router.lifespan_context(app):
            reader = asyncio.create_task(
                read_issued(kafka, topics.certificate, doses, timeout_s=timeout_s)
            )
            before = cpu.snapshot()
            started = time.time()
            sent_at = await send_doses(producer, topics.dose, doses, rate)
            published = time.time()
            seen = await reader
            finished = max(seen.values(), default=time.time())
            used = cpu.spent(before, cpu.snapshot())
    finally:
        await producer.stop()
        await _cleanup(kafka, settings, [topics.dose, topics.citizen, topics.certificate])
    latencies = sorted(seen[d] - sent_at[d] for d in seen)
    return {
        "doses": doses,
        "rate_per_s": rate or "all at once",
        "certificates_issued": len(seen),
        "publish_s": round(published - started, 2),
        "issued_per_s_from_stream": round(len(seen) / (finished - started), 1),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p99_s": round(latencies[int(len(latencies) * 0.99) - 1], 3) if latencies else None,
        "latency_max_s": round(latencies[-1], 3) if latencies else None,
        # The worker runs in this process: its CPU is the load generator's, with the
        # publishing of the doses and the reading of the certificates.
        "cpu_ms_per_certificate": cpu.per_unit(used, len(seen)),
    }


async def _cleanup(kafka: KafkaSettings, settings: CertificateSettings, topics: list[str]) -> None:
    client = create_mongo_client(settings.mongo)
    try:
        await client.drop_database(settings.database_name)
    finally:
        await client.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    with contextlib.suppress(Exception):
        existing = set(await admin.list_topics())
        doomed = [
            t
            for t in [*topics, f"{settings.dose_group}.dlq", f"{settings.holder_group}.dlq"]
            if t in existing
        ]
        await admin.delete_topics(doomed)
    await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doses", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--timeout-s", type=float, default=300.0, help="give up waiting after")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="doses a second (0: all at once, the default)"
    )
    args = parser.parse_args()
    configure_logging("bench-certificate", "warning")
    with tempfile.TemporaryDirectory() as keys:
        report = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "pure": pure_figures(Path(keys), args.seconds),
            "stream": asyncio.run(stream_figures(args.doses, Path(keys), args.timeout_s, args.rate))
            if args.doses
            else None,
        }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
