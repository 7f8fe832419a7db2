"""A short campaign day through the gateway (`vaxflow simulate`), checked afterwards.

Forty-odd citizens log in with the code from the SMS outbox, register, book or walk in, are
screened (some postponed), vaccinated and observed, and fetch their certificates; the site
managers receive the run's own lot, invite people and record wastage. The run then checks,
through the public API, that every dose has exactly one current certificate that verifies, that
no slot is over capacity and that the lot's stock ledger counts exactly the run's doses. The
result is written as JSON with its chart (PNG) beside it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.e2e.gateway import STACK, gateway_client, outbox_path, seeded_staff
from vaxflow.simulate.actors import plans
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.runner import simulate

pytestmark = pytest.mark.stack


async def test_a_short_campaign_day_passes_every_after_run_check(tmp_path: Path) -> None:
    await seeded_staff()  # the demo admin, sites, today's sessions
    async with gateway_client("registration", "scheduling", "injection", "certificate"):
        pass
    config = SimulationConfig(
        sites=2,
        doses=40,
        hours=0.5,
        speedup=60,
        seed=7,
        gateway_url=STACK.gateway_url,
        credentials_path=STACK.stack_dir / "demo-credentials.json",
        outbox_path=outbox_path(),
        staff_path=STACK.stack_dir / "simulate" / "staff.json",
        progress=False,
        out_path=tmp_path / "result.json",
    )
    coming = [
        p
        for p in plans(config, config.sites, random.Random(config.seed))
        if not (p.cancels or p.no_show) and p.screening == "eligible"
    ]

    result = await simulate(config)

    failed = [c for c in result["checks"] if not c["passed"]]
    assert not failed, failed
    assert result["errors"] == 0, result["failures"]
    assert result["doses"]["recorded"] >= len(coming)
    assert result["dose_to_certificate_s"]["count"] == result["doses"]["recorded"]
    assert result["outcomes"]["screened_postpone"] >= 1
    endpoints = result["endpoints"]
    # (bookings need a slot still to come today: after the sites close, everyone walks in)
    for used in ("POST /auth/otp/verify", "GET /availability", "POST /check-ins", "POST /doses"):
        assert endpoints[used]["count"] > 0, used
    # The JSON result and, beside it, the chart of throughput and consumer lag (a PNG).
    assert result["chart"] == str(tmp_path / "result.png")
    assert (tmp_path / "result.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "result.json").read_text("utf-8"))["chart"] == result["chart"]
