"""The end-of-run report: as text (per endpoint latency, doses per second, certificates, checks)
and as files (the JSON result and the PNG chart beside it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vaxflow.simulate.chart import save_chart


def write_result(result: dict[str, Any], json_path: Path) -> Path:
    """Draw the chart beside `json_path` (same name, `.png`), name it in the result, write both.

    The chart's path goes into the result (`chart`) before the JSON is written; the PNG path.
    """
    png_path = json_path.with_suffix(".png")
    result["chart"] = str(png_path)
    save_chart(result, png_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2), "utf-8")
    return png_path


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def summary(result: dict[str, Any]) -> str:
    """A plain-text report of a result document."""
    p = result["parameters"]
    lines = [
        f"campaign simulation {result['run_id']}: {p['sites']} sites, {p['doses']} doses planned "
        f"({p['citizens']} citizens) over {p['hours']:g} h at x{p['speedup']:g}, seed {p['seed']}",
        f"wall {result['wall_seconds']} s, {result['requests']} requests, "
        f"{result['errors']} errors",
        "",
        f"{'endpoint':34} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'retried':>7}",
    ]
    for name, row in result["endpoints"].items():
        lines.append(
            f"{name:34} {row['count']:>7} {_ms(row['p50_ms']):>8} {_ms(row['p95_ms']):>8} "
            f"{_ms(row['p99_ms']):>8} {row['errors']:>6} {row['retried']:>7}"
        )
    d = result["doses"]
    c = result["dose_to_certificate_s"]
    lines += [
        "",
        f"doses recorded {d['recorded']}: {d['per_second_mean']} per second on average, "
        f"{d['per_second_peak_10s']} at the busiest 10 s",
        f"dose to certificate (s): n={c['count']} p50={c['p50']} p95={c['p95']} "
        f"p99={c['p99']} max={c['max']}",
        "peak consumer lag (events): "
        + (", ".join(f"{g} {n}" for g, n in result["consumer_lag"]["peak"].items()) or "-"),
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in result["outcomes"].items()),
        "",
    ]
    for check in result["checks"]:
        mark = "PASS" if check["passed"] else "FAIL"
        lines.append(f"[{mark}] {check['name']} ({check['checked']} checked)")
        lines += [f"       {problem}" for problem in check["problems"]]
    for failure in result["failures"][:10]:
        lines.append(f"  unexpected: {failure}")
    if result.get("chart"):
        lines += ["", f"chart: {result['chart']}"]
    return "\n".join(lines)
