"""Saturation of the dose pipeline, with the component limits, in one run (`make bench`).

1. The component limits: `bench/components.py`'s measures (raw Kafka, FerretDB, Redis and ECDSA
   rates), counts scaled by `--component-scale`.
2. The ramp: doses arrive through the gateway at `--start-rate` doses per second, then twice
   that, and so on up to `--max-rate`, each rate for `--step-seconds`. Arrivals are open loop
   (each `POST /api/v1/doses` is sent when it is due, whatever the earlier ones are doing), from
   the main demo site's vaccinator, spread over 64 loopback addresses so the gateway's
   per-client limit does not cap the site. Before each step its citizens are written straight
   into injection's read models as `bench/injection.py` does (registered, checked in, screened
   eligible, the lot at the site), so a step measures recording doses and issuing their
   certificates, not registration. Each dose's certificate is read back from the certificate
   topic (CertificateIssued, by dose id).

   Dose to certificate: the moment the certificate was stored (its CertificateIssued's
   `occurred_at`) minus the moment the dose call was sent (one machine, one clock). A step
   passes when every dose was answered 201, every certificate was issued within
   `--drain-seconds` of the step's last answer, and the p99 of dose to certificate is at most
   2 s. The ramp stops at the first step that fails; the sustained rate
   is the last step that passed.

   CPU per dose: every process's CPU time over each step (from the first call to the last
   certificate), less the idle background measured for `--idle-seconds` before the ramp, by
   part of the system (`bench/cpu.py`), per dose recorded. The machine's cores divided by it
   are the ceiling: the most doses per second these cores could carry at that cost.

Prints one JSON document (progress goes to standard error), keeps it in
`.stack/bench/saturation-<time>.json` and appends a dated section to `docs/benchmarks.md` (not
with `--no-doc`). The doses stay in the stack's databases
like any others.

    uv run python bench/saturation.py [--step-seconds 30] [--start-rate 2] [--max-rate 1024]
        [--component-scale 1.0] [--note "what else ran on the machine"]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import components
import cpu
import httpx
import injection
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from vaxflow_events import REGISTRY, CertificateIssued, topic_for
from vaxflow_servicekit.settings import KafkaSettings

ROOT = Path(__file__).resolve().parents[1]
P99_LIMIT_S = 2.0
ADDRESSES = 64
PRODUCT = injection.PRODUCT


@dataclass
class Dose:
    """One dose call of a step: when it was sent, how it was answered."""

    citizen: str
    sent_at: float  # wall clock (time.time())
    late_s: float  # how long after its due time it was sent
    status: int = 0  # 0: no answer (transport error)
    latency_s: float | None = None
    dose_id: str | None = None
    recorded_at: datetime | None = None


class Certificates:
    """CertificateIssued read from the certificate topic as they come, by dose id.

    `issued`: the event's `occurred_at` (taken by the certificate service just before it stores
    the certificate; the payload's `issued_at` is signed in whole seconds, too coarse here);
    `read`: when this process read the event from the topic (wall clock).
    """

    def __init__(self, kafka: KafkaSettings) -> None:
        self._kafka = kafka
        self.issued: dict[str, datetime] = {}
        self.read: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self.arrived = asyncio.Event()  # set whenever certificates were read

    async def start(self) -> None:
        """Take every partition's end as the start, then read in the background."""
        topic = topic_for(CertificateIssued).name
        admin = AIOKafkaAdminClient(bootstrap_servers=self._kafka.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = [
            TopicPartition(topic, p["partition"])
            for t in described
            if not t.get("error_code")
            for p in t.get("partitions", [])
        ]
        if not partitions:
            raise SystemExit(f"saturation: topic {topic} not found: is the stack up?")
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap, group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:  # the positions are fixed before any dose is sent
            await consumer.position(partition)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._consumer is not None
        while True:
            batch = await self._consumer.getmany(timeout_ms=200, max_records=2000)
            now = time.time()
            for messages in batch.values():
                for message in messages:
                    try:
                        envelope = REGISTRY.parse(message.value or b"")
                    except ValueError:  # not ours to judge: another engineer's test message
                        continue
                    if isinstance(envelope.payload, CertificateIssued):
                        dose_id = str(envelope.payload.dose_id)
                        self.issued.setdefault(dose_id, envelope.occurred_at)
                        self.read.setdefault(dose_id, now)
            if batch:
                self.arrived.set()

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()


def _clients() -> list[httpx.AsyncClient]:
    """One client per loopback address (127.30.0.1 ...), so each counts as its own client."""
    return [
        httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(local_address=f"127.30.0.{1 + i}"),
            base_url=injection._gateway(),
            timeout=30,
        )
        for i in range(ADDRESSES)
    ]


async def _send(client: httpx.AsyncClient, dose: Dose, token: str, lot: str) -> None:
    body = {
        "citizen_id": dose.citizen,
        "product_code": PRODUCT,
        "lot_number": lot,
        "body_site": "left_deltoid",
    }
    started = time.perf_counter()
    try:
        response = await client.post(
            "/api/v1/doses", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError:
        dose.latency_s = time.perf_counter() - started
        return
    dose.latency_s = time.perf_counter() - started
    dose.status = response.status_code
    if response.status_code == 201:
        answer = response.json()
        dose.dose_id = str(answer["dose_id"])
        dose.recorded_at = datetime.fromisoformat(answer["recorded_at"])


async def _arrivals(
    rate: float, citizens: list[str], clients: list[httpx.AsyncClient], token: str, lot: str
) -> list[Dose]:
    """Send one dose per citizen at `rate` per second, each when due (open loop)."""
    doses: list[Dose] = []
    tasks: list[asyncio.Task[None]] = []
    started = time.monotonic()
    for i, citizen in enumerate(citizens):
        due = started + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        dose = Dose(citizen, time.time(), max(0.0, time.monotonic() - due))
        doses.append(dose)
        tasks.append(asyncio.create_task(_send(clients[i % len(clients)], dose, token, lot)))
    await asyncio.gather(*tasks)
    return doses


async def _drained(certificates: Certificates, dose_ids: set[str], seconds: float) -> float:
    """Wait until every dose's certificate was read (or `seconds` passed); the wait."""
    started = time.monotonic()
    while not dose_ids <= certificates.issued.keys():
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        certificates.arrived.clear()  # (no await since the check: nothing arrived meanwhile)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(certificates.arrived.wait(), left)
    return time.monotonic() - started


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p95, p99 (nearest rank) and max, rounded to the millisecond; None when empty."""
    ordered = sorted(values)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1], 3)

    return {
        "p50": rank(50),
        "p95": rank(95),
        "p99": rank(99),
        "max": round(ordered[-1], 3) if ordered else None,
    }


def verdict(step: dict[str, Any]) -> str | None:
    """Why a step failed, or None when it passed."""
    if step["errors"]:
        return f"{step['errors']} dose calls not answered 201 ({step['statuses']})"
    if step["certificates_missing"]:
        return f"{step['certificates_missing']} certificates not issued within the drain time"
    p99 = step["dose_to_certificate_s"]["p99"]
    if p99 is None or p99 > P99_LIMIT_S:
        return f"p99 dose to certificate {p99} s is over {P99_LIMIT_S:g} s"
    return None


def _step_figures(
    rate: float,
    doses: list[Dose],
    sending_s: float,
    drain_s: float,
    issued: dict[str, datetime],
    read: dict[str, float] | None = None,
    cpu_ms: dict[str, float] | None = None,
) -> dict[str, Any]:
    ok = [d for d in doses if d.status == 201]
    statuses: dict[str, int] = {}
    for d in doses:
        statuses[str(d.status)] = statuses.get(str(d.status), 0) + 1
    to_certificate = [issued[d.dose_id].timestamp() - d.sent_at for d in ok if d.dose_id in issued]
    recorded_to_issued = [
        (issued[d.dose_id] - d.recorded_at).total_seconds()
        for d in ok
        if d.dose_id in issued and d.recorded_at is not None
    ]
    read = read or {}
    to_event_read = [read[d.dose_id] - d.sent_at for d in ok if d.dose_id in read]
    step: dict[str, Any] = {
        "offered_doses_per_second": rate,
        "sent": len(doses),
        "recorded": len(ok),
        "errors": len(doses) - len(ok),
        "statuses": statuses,
        "recorded_per_second": round(len(ok) / sending_s, 2) if sending_s else None,
        "sending_seconds": round(sending_s, 2),
        "sent_late_max_s": round(max((d.late_s for d in doses), default=0.0), 3),
        "drain_seconds": round(drain_s, 2),
        "certificates": len(to_certificate),
        "certificates_missing": len(ok) - len(to_certificate),
        "dose_call_s": percentiles([d.latency_s for d in doses if d.latency_s is not None]),
        "dose_to_certificate_s": percentiles(to_certificate),
        "recorded_to_issued_s": percentiles(recorded_to_issued),
        "dose_to_event_read_s": percentiles(to_event_read),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_ms_per_dose": cpu_ms or {},
        "cpu_ms_per_dose_total": round(
            sum(ms for part, ms in (cpu_ms or {}).items() if part != cpu.LOAD_GENERATOR), 2
        ),
        "ceiling_doses_per_second": cpu.ceiling(cpu_ms or {}, os.cpu_count() or 1),
    }
    step["failed_because"] = verdict(step)
    step["passed"] = step["failed_because"] is None
    return step


async def run_step(
    rate: float,
    seconds: float,
    drain_limit_s: float,
    clients: list[httpx.AsyncClient],
    certificates: Certificates,
    idle_rate: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One rate for `seconds`: prepare its citizens, send, wait for the certificates, judge."""
    lot = f"SAT{uuid.uuid4().hex[:6].upper()}"
    citizens = await injection.scene(max(1, round(rate * seconds)), lot)
    token = await asyncio.to_thread(injection.staff_token)  # fresh each step: tokens expire
    before = cpu.snapshot()
    started = time.monotonic()
    doses = await _arrivals(rate, citizens, clients, token, lot)
    sending_s = time.monotonic() - started
    expected = {d.dose_id for d in doses if d.dose_id is not None}
    drain_s = await _drained(certificates, expected, drain_limit_s)
    used = cpu.spent(before, cpu.snapshot())
    cpu_ms = cpu.per_unit(
        used,
        sum(1 for d in doses if d.status == 201),
        idle_rate=idle_rate,
        seconds=time.monotonic() - started,
    )
    return _step_figures(
        rate, doses, sending_s, drain_s, certificates.issued, certificates.read, cpu_ms
    )


async def idle_background(seconds: float) -> dict[str, float]:
    """CPU seconds per second each part spends with no doses coming (relays polling, Kafka)."""
    if seconds <= 0:
        return {}
    before = cpu.snapshot()
    await asyncio.sleep(seconds)
    return {part: used / seconds for part, used in cpu.spent(before, cpu.snapshot()).items()}


async def ramp(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Double the rate from `--start-rate` until a step fails or `--max-rate` was run."""
    clients = _clients()
    certificates = Certificates(KafkaSettings())
    await certificates.start()
    steps: list[dict[str, Any]] = []
    try:
        args.idle_rate = await idle_background(args.idle_seconds)
        rate = args.start_rate
        while rate <= args.max_rate:
            step = await run_step(
                rate, args.step_seconds, args.drain_seconds, clients, certificates, args.idle_rate
            )
            steps.append(step)
            print(_progress(step), file=sys.stderr, flush=True)
            if not step["passed"]:
                break
            rate *= 2
    finally:
        await certificates.stop()
        await asyncio.gather(*(c.aclose() for c in clients))
    return steps


def _progress(step: dict[str, Any]) -> str:
    c = step["dose_to_certificate_s"]
    mark = "pass" if step["passed"] else f"FAIL: {step['failed_because']}"
    return (
        f"saturation: {step['offered_doses_per_second']:g} doses/s offered, "
        f"{step['recorded']}/{step['sent']} recorded, dose to certificate p50 {c['p50']} s "
        f"p99 {c['p99']} s, CPU {step['cpu_ms_per_dose_total']} ms/dose "
        f"(ceiling {step['ceiling_doses_per_second']}/s), load {step['load_average_1m']}: {mark}"
    )


def component_rates(figures: dict[str, Any]) -> dict[str, float]:
    """Every raw rate of the component limits, flattened: "ferretdb.insert_one" -> per second."""
    rates: dict[str, float] = {}
    for component, measures in figures.items():
        if not isinstance(measures, dict):
            continue
        for name, measure in measures.items():
            if isinstance(measure, dict) and "per_second" in measure:
                rates[f"{component}.{name}"] = float(measure["per_second"])
    return rates


def summarise(steps: list[dict[str, Any]], limits: dict[str, Any]) -> dict[str, Any]:
    """The sustained rate, why the ramp stopped, and its ratio to each component's limit."""
    passed = [s for s in steps if s["passed"]]
    sustained = passed[-1]["offered_doses_per_second"] if passed else 0.0
    failed = next((s for s in steps if not s["passed"]), None)
    rates = component_rates(limits)
    slowest = min(rates, key=lambda name: rates[name]) if rates else None
    costed = [s for s in steps if s.get("cpu_ms_per_dose")]
    busiest = max(costed, key=lambda s: s["recorded"], default=None)
    return {
        "sustained_doses_per_second": sustained,
        "cpu_cost": (
            {
                "at_offered_doses_per_second": busiest["offered_doses_per_second"],
                "ms_per_dose": busiest["cpu_ms_per_dose"],
                "ms_per_dose_total": busiest["cpu_ms_per_dose_total"],
                "ceiling_doses_per_second": busiest["ceiling_doses_per_second"],
            }
            if busiest is not None
            else None
        ),
        "stopped_because": failed["failed_because"] if failed else "the maximum rate passed",
        "slowest_component": (
            {"name": slowest, "per_second": rates[slowest]} if slowest is not None else None
        ),
        "ratio_to_slowest_component": (
            round(sustained / rates[slowest], 4) if slowest is not None else None
        ),
        "ratio_to_each_component": {n: round(sustained / r, 4) for n, r in rates.items() if r},
    }


def _uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    """Component limits first (each on its own), then the ramp; one document."""
    started = datetime.now(UTC)
    uptime_start = _uptime()
    limits = await components.main(args.component_scale) if args.component_scale > 0 else {}
    uptime_between = _uptime()
    steps = await ramp(args)
    return {
        "benchmark": "saturation of the dose pipeline through the gateway, and component limits",
        "measured_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            "uptime_at_start": uptime_start,
            "uptime_before_ramp": uptime_between,
            "uptime_at_end": _uptime(),
            "note": args.note,
        },
        "parameters": {
            "step_seconds": args.step_seconds,
            "start_rate": args.start_rate,
            "max_rate": args.max_rate,
            "drain_seconds": args.drain_seconds,
            "component_scale": args.component_scale,
            "idle_seconds": args.idle_seconds,
            "idle_cpu_per_second": {k: round(v, 4) for k, v in args.idle_rate.items()},
            "p99_limit_s": P99_LIMIT_S,
            "addresses": ADDRESSES,
        },
        **summarise(steps, limits),
        "steps": steps,
        "components": limits,
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.0f}"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _load(uptime: str) -> str:
    """The load averages of an `uptime` line."""
    return uptime.rpartition("load average:")[2].strip() or uptime


def markdown(result: dict[str, Any], command: str) -> str:
    """The dated section for docs/benchmarks.md."""
    m, p = result["machine"], result["parameters"]
    intro = (
        f"`{command}`: doses offered through the gateway at {p['start_rate']:g}, "
        f"{p['start_rate'] * 2:g}, ... doses per second, {p['step_seconds']:g} s each "
        f"(open loop, {p['addresses']} client addresses, citizens prepared in injection's read "
        f"models before each step), until the p99 from the dose call to its certificate being "
        f"stored passed {p['p99_limit_s']:g} s or a call or certificate failed; component "
        f"limits at scale {p['component_scale']:g} in the same run, before the ramp. "
        f"Load average (1, 5, 15 minutes, from `uptime`) at the start "
        f"{_load(m['uptime_at_start'])}, before the ramp {_load(m['uptime_before_ramp'])}, "
        f"at the end {_load(m['uptime_at_end'])}." + (f" {m['note']}" if m["note"] else "")
    )
    lines = [
        "",
        f"## Saturation of the dose pipeline (`make bench`), {result['measured_at']}",
        "",
        *textwrap.wrap(intro, 100, break_on_hyphens=False),
        "",
        "| offered doses/s | sent | 201 | recorded/s | dose call p50 / p99 (ms) "
        "| dose → certificate p50 / p95 / p99 / max (s) | certificates missing | load (1 min) "
        "| step |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for s in result["steps"]:
        call, cert = s["dose_call_s"], s["dose_to_certificate_s"]
        lines.append(
            f"| {s['offered_doses_per_second']:g} | {s['sent']} | {s['recorded']} "
            f"| {s['recorded_per_second']} | {_ms(call['p50'])} / {_ms(call['p99'])} "
            f"| {_s(cert['p50'])} / {_s(cert['p95'])} / {_s(cert['p99'])} / {_s(cert['max'])} "
            f"| {s['certificates_missing']} | {s['load_average_1m']} "
            f"| {'passed' if s['passed'] else 'failed: ' + str(s['failed_because'])} |"
        )
    slowest = result["slowest_component"]
    verdict_text = (
        f"**Sustained: {result['sustained_doses_per_second']:g} doses per second** "
        f"(the ramp stopped: {result['stopped_because']})."
    )
    if slowest is not None:
        verdict_text += (
            f" The slowest raw component limit of the same run is {slowest['name']} at "
            f"{slowest['per_second']:,.1f} per second: end to end / slowest component = "
            f"{result['ratio_to_slowest_component']:g}."
        )
    lines += ["", *textwrap.wrap(verdict_text, 100, break_on_hyphens=False)]
    lines += _cpu_lines(result)
    if slowest is not None:
        lines += [
            "",
            "| component (same run) | per second | end to end / component |",
            "| --- | ---: | ---: |",
        ]
        rates = component_rates(result["components"])
        lines += [
            f"| {name} | {rate:,.1f} | {result['ratio_to_each_component'].get(name, '-')} |"
            for name, rate in rates.items()
        ]
    return "\n".join(lines) + "\n"


def _cpu_lines(result: dict[str, Any]) -> list[str]:
    """The CPU cost of one dose by part, and the ceiling it sets on this machine's cores."""
    cost = result.get("cpu_cost")
    if not cost:
        return []
    text = (
        f"CPU per dose at {cost['at_offered_doses_per_second']:g} doses/s offered (the step with "
        f"the most doses; every process's CPU time over the step, less the idle background, per "
        f"dose recorded): **{cost['ms_per_dose_total']:g} ms** without the load generator, so "
        f"the machine's {result['machine']['cpus']} cores carry at most "
        f"**{cost['ceiling_doses_per_second']} doses per second** at this cost."
    )
    lines = ["", *textwrap.wrap(text, 100, break_on_hyphens=False), ""]
    lines += ["| part | CPU ms per dose |", "| --- | ---: |"]
    lines += [f"| {part} | {ms:,.2f} |" for part, ms in cost["ms_per_dose"].items()]
    return lines


def main() -> None:
    """Parse the arguments, run, print and keep the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step-seconds", type=float, default=30.0, help="seconds per rate")
    parser.add_argument("--start-rate", type=float, default=2.0, help="first rate, doses/s")
    parser.add_argument("--max-rate", type=float, default=1024.0, help="last rate, doses/s")
    parser.add_argument(
        "--drain-seconds", type=float, default=30.0, help="wait for a step's certificates"
    )
    parser.add_argument(
        "--component-scale", type=float, default=1.0, help="component counts (0: skip them)"
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=10.0, help="idle background measure (0: none)"
    )
    parser.add_argument("--note", default="", help="a sentence for the docs (what else ran)")
    parser.add_argument("--no-doc", action="store_true", help="do not append to the docs")
    args = parser.parse_args()
    result = asyncio.run(bench(args))
    text = json.dumps(result, indent=2)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = ROOT / ".stack" / "bench" / f"saturation-{stamp}.json"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(text, "utf-8")
    print(f"saturation: results kept in {kept.relative_to(ROOT)}", file=sys.stderr)
    if not args.no_doc:
        command = (
            f"make bench BENCH_ARGS='--step-seconds {args.step_seconds:g} "
            f"--start-rate {args.start_rate:g} --max-rate {args.max_rate:g} "
            f"--drain-seconds {args.drain_seconds:g} --component-scale {args.component_scale:g} "
            f"--idle-seconds {args.idle_seconds:g}'"
        )
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as doc:
            doc.write(markdown(result, command))
        print("saturation: section appended to docs/benchmarks.md", file=sys.stderr)


if __name__ == "__main__":
    main()
