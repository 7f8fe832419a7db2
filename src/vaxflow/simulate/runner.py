"""A campaign day: set up, let every citizen's day run when due, check the outcome, report."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from vaxflow.simulate import checks
from vaxflow.simulate.actors import Citizen, SimSite, Staff, plans
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.gateway import Gateway, address
from vaxflow.simulate.journey import Context, citizen_day
from vaxflow.simulate.metrics import Recorder, distribution
from vaxflow.simulate.otp import OtpInbox
from vaxflow.simulate.people import People
from vaxflow.simulate.progress import Progress
from vaxflow.simulate.report import write_result
from vaxflow.simulate.setup import (
    SetupError,
    demo_admin,
    first_receipt,
    receive,
    site_staff,
    todays_sessions,
)

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
WASTAGE = ("opened_vial_expired", "breakage")
LAG_SAMPLE_S = 2.0


async def simulate(config: SimulationConfig, recorder: Recorder | None = None) -> dict[str, Any]:
    """Run one simulated campaign day against the running stack; the result document.

    Pass a recorder to watch the run while it goes (the fault suite reads its history). With
    `config.out_path`, the result is written there as JSON with its chart beside it (PNG).
    """
    recorder = recorder or Recorder()
    gateway = Gateway(config.gateway_url, recorder, config.request_timeout_s)
    try:
        result = await _simulate(config, recorder, gateway)
    except SetupError as error:
        raise SetupError("; ".join([str(error), *recorder.failures[-3:]])) from error
    finally:
        await gateway.aclose()
    if config.out_path is not None:
        write_result(result, config.out_path)
    return result


async def _simulate(config: SimulationConfig, recorder: Recorder, gw: Gateway) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    today = datetime.now(LOCAL).date()
    run_id = secrets.token_hex(4).upper()
    admin = demo_admin(config)
    sessions = (await todays_sessions(gw, today))[: config.sites]
    if not sessions:
        raise SetupError(f"no session on {today} in the availability: run `vaxflow seed`")
    staff = await site_staff(gw, config, admin, [s["site_id"] for s in sessions])
    sites = [
        SimSite(
            site_id=s["site_id"],
            session_id=s["session_id"],
            product_code=s["product_code"],
            district=s["district"],
            vaccinator=staff[s["site_id"]][0],
            manager=staff[s["site_id"]][1],
            lot_number=f"SIM{run_id}",
        )
        for s in sessions
    ]
    for site in sites:
        await receive(gw, site, first_receipt(config, len(sites)), today)
    ctx = Context(
        config=config,
        gateway=gw,
        recorder=recorder,
        otp=OtpInbox(config.outbox_path),
        people=People(random.Random(f"{config.seed}|{run_id}")),  # fresh IDs every run  # nosec B311  # simulated people, not secrets
        sites=sites,
        today=today,
        rng=random.Random(config.seed),  # nosec B311  # simulated choices
        verifier_source=address(2, 0),
    )
    citizens = [
        Citizen(plan, ctx.people.phone(), address(1, plan.index % config.citizen_addresses))
        for plan in plans(config, len(sites), random.Random(config.seed))  # nosec B311  # simulated choices
    ]
    recorder.started = time.monotonic()  # the day starts now
    progress = Progress(recorder, config, len(citizens))
    background = [asyncio.create_task(_sample_lag(ctx, demo_admin(config, "mcc_operator", 1)))]
    if config.progress:
        background.append(asyncio.create_task(progress.run()))
    try:
        await asyncio.gather(_dispatch(ctx, citizens), _site_days(ctx))
    finally:
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    day_s = recorder.elapsed()
    results = (
        [
            await checks.certificates(ctx, citizens),
            await checks.slots(gw, sites),
            await checks.stock(gw, sites, config.ready_timeout_s),
        ]
        if config.after_checks
        else []
    )
    return _result(config, recorder, sites, results, run_id, started_at, day_s)


async def _dispatch(ctx: Context, citizens: list[Citizen]) -> None:
    """Start each citizen's day when it is due, whatever the others are doing (open loop)."""
    running: set[asyncio.Task[None]] = set()
    for citizen in citizens:  # in order of start
        await ctx.until(citizen.plan.start_s)
        task = asyncio.create_task(_safely(ctx, citizen))
        running.add(task)
        task.add_done_callback(running.discard)
    while running:
        await asyncio.gather(*list(running), return_exceptions=False)


async def _sample_lag(ctx: Context, operator: Staff) -> None:
    """Every few seconds: each consumer group's lag, as the response centre's picture shows it."""
    gw = ctx.gateway
    while True:
        try:
            answer = await gw.call(
                operator.source,
                "GET /dashboard/summary",
                "GET",
                "/dashboard/summary",
                token=await operator.bearer(gw),
            )
        except RuntimeError:  # no operator login: no lag figures, the run goes on
            return
        if answer.status == 200:
            lags = answer.body.get("pipeline", {}).get("consumer_lag", [])
            ctx.recorder.lag_samples.append(
                {
                    "second": round(ctx.recorder.elapsed(), 1),
                    "lag": {row["group"]: row["lag"] for row in lags},
                }
            )
        await asyncio.sleep(LAG_SAMPLE_S)


async def _safely(ctx: Context, citizen: Citizen) -> None:
    """One citizen's day; a bug or a dead stack ends that day only, recorded as an error."""
    try:
        await citizen_day(ctx, citizen)
    except Exception as error:
        ctx.recorder.error("citizen day", f"{type(error).__name__}: {error}")


async def _site_days(ctx: Context) -> None:
    """What the site managers do during the day: invite people, receive more, count wastage."""
    span = ctx.config.wall_seconds
    await ctx.until(span / 3)
    await asyncio.gather(*(_invite(ctx, site) for site in ctx.sites))
    await ctx.until(span / 2)
    top_up = max(1, first_receipt(ctx.config, len(ctx.sites)) // 5)
    await asyncio.gather(*(_top_up(ctx, site, top_up) for site in ctx.sites))
    await ctx.until(span * 2 / 3)
    await asyncio.gather(*(_invite(ctx, site) for site in ctx.sites))
    await ctx.until(span)
    await asyncio.gather(*(_waste(ctx, site) for site in ctx.sites))


async def _invite(ctx: Context, site: SimSite) -> None:
    """Invite a few eligible people into the session's free places (they get an SMS)."""
    gw = ctx.gateway
    body = {"session_id": site.session_id, "count": 2}
    answer = await gw.expect(
        gw.call(
            site.manager.source,
            "POST /invitations",
            "POST",
            "/invitations",
            json=body,
            token=await site.manager.bearer(gw),
            timeout_s=ctx.config.slow_request_timeout_s,
        ),
        "POST /invitations",
        201,
    )
    if answer is not None:
        ctx.recorder.count("invited", int(answer.body["invited"]))
        for appointment in answer.body["appointments"]:
            slot = appointment["slot"]
            site.bookings[slot] = site.bookings.get(slot, 0) + 1


async def _top_up(ctx: Context, site: SimSite, doses: int) -> None:
    try:
        await receive(ctx.gateway, site, doses, ctx.today)
        ctx.recorder.count("stock_receipts")
    except SetupError as error:
        ctx.recorder.error("POST /stock/receipts", str(error))


async def _waste(ctx: Context, site: SimSite) -> None:
    """At closing: the doses left in the last opened vial are wasted (a few)."""
    gw = ctx.gateway
    wasted = ctx.rng.randrange(1, 4)
    body = {
        "site_id": site.site_id,
        "lot_id": site.lot_id,
        "doses_delta": -wasted,
        "reason": ctx.rng.choice(WASTAGE),
    }
    answer = await gw.expect(
        gw.call(
            site.manager.source,
            "POST /stock/adjustments",
            "POST",
            "/stock/adjustments",
            json=body,
            token=await site.manager.bearer(gw),
        ),
        "POST /stock/adjustments",
        201,
    )
    if answer is not None:
        site.wasted += wasted
        ctx.recorder.count("wastage_records")


def _result(
    config: SimulationConfig,
    recorder: Recorder,
    sites: list[SimSite],
    results: list[checks.Check],
    run_id: str,
    started_at: datetime,
    day_s: float,
) -> dict[str, Any]:
    doses = recorder.dose_times
    active_s = (doses[-1] - doses[0]) if len(doses) > 1 else 0.0
    per_second = [row["doses"] for row in recorder.timeline()]
    peak_10s = max(
        (sum(per_second[i : i + 10]) / 10 for i in range(max(1, len(per_second) - 9))),
        default=0.0,
    )
    return {
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "parameters": {
            "sites": len(sites),
            "doses": config.doses,
            "hours": config.hours,
            "speedup": config.speedup,
            "seed": config.seed,
            "citizens": config.citizens(),
        },
        "wall_seconds": round(day_s, 1),
        "requests": recorder.total_requests(),
        "errors": recorder.total_errors(),
        "failures": recorder.failures,
        "doses": {
            "recorded": len(doses),
            "per_second_mean": round(len(doses) / active_s, 2) if active_s else None,
            "per_second_peak_10s": round(peak_10s, 2),
        },
        "dose_to_certificate_s": distribution(recorder.dose_to_certificate),
        "consumer_lag": {
            "peak": _peak_lag(recorder.lag_samples),
            "samples": recorder.lag_samples,
        },
        "outcomes": dict(sorted(recorder.outcomes.items())),
        "endpoints": recorder.endpoint_table(),
        "sites": [
            {
                "site_id": s.site_id,
                "session_id": s.session_id,
                "lot_number": s.lot_number,
                "lot_id": s.lot_id,
                "received": s.received,
                "doses": s.doses,
                "wasted": s.wasted,
            }
            for s in sites
        ],
        "checks": [c.as_json() for c in results],
        "passed": all(c.passed for c in results),
        "timeline": recorder.timeline(),
    }


def _peak_lag(samples: list[dict[str, Any]]) -> dict[str, int]:
    """The largest lag each consumer group showed during the run."""
    peak: dict[str, int] = {}
    for sample in samples:
        for group, lag in sample["lag"].items():
            peak[group] = max(peak.get(group, 0), int(lag))
    return dict(sorted(peak.items()))
