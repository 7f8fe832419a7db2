"""The fault run's result: faults by kind, requests by outcome, the verdict, recovery times."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any

from vaxflow.faults.checker import Verdict
from vaxflow.faults.config import FaultsConfig
from vaxflow.faults.history import by_key, requests_by_outcome
from vaxflow.simulate.metrics import Recorder

BASELINE_S = 20  # steady throughput: ok writes per second over this long before a fault
WINDOW_S = 5  # recovered once a window this long is back to half the steady rate
RECOVERY_TARGET_S = 30.0


def recovery_s(history: list[dict[str, Any]], start_s: float, end_s: float) -> float | None:
    """Seconds after a fault ended until ok writes flow at half their rate before it."""
    ok = Counter(int(e["at"]) for e in history if e["outcome"] == "ok")
    first = max(0, int(start_s) - BASELINE_S)
    baseline = sum(ok[s] for s in range(first, int(start_s))) / max(1, int(start_s) - first)
    if baseline <= 0:
        return None
    last = max(ok, default=0)
    for second in range(int(end_s), last + 1):
        window = sum(ok[s] for s in range(second, second + WINDOW_S)) / WINDOW_S
        if ok[second] and window >= baseline / 2:
            return float(max(0, second - int(end_s)))
    return None


def _by_kind(faults: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for fault in faults:
        row = kinds.setdefault(fault["kind"], {"count": 0, "recovery_s": [], "restart_s": []})
        row["count"] += 1
        for name in ("recovery_s", "restart_s"):
            if fault.get(name) is not None:
                row[name].append(fault[name])
    for row in kinds.values():
        for name in ("recovery_s", "restart_s"):
            values = row.pop(name)
            row[f"{name}_max"] = max(values) if values else None
            row[f"{name}_median"] = round(statistics.median(values), 1) if values else None
    return dict(sorted(kinds.items()))


def _probes_ok(probes: list[dict[str, Any]], timeout_s: float) -> list[str]:
    """What the API did wrong while a dependency was down (empty: it answered clearly)."""
    problems = []
    for probe in probes:
        status = probe.get("status")
        if probe["seconds"] > timeout_s:
            problems.append(f"{probe['path']}: answered after {probe['seconds']} s")
        if status == 503:
            if not probe.get("retry_after") or probe.get("named") is None:
                problems.append(f"{probe['path']}: 503 without Retry-After or dependency name")
        elif status not in (200, 404):  # 200: already back (FerretDB restarts in a second)
            problems.append(f"{probe['path']}: answered {status} while {probe['dependency']} down")
    return problems


def result_document(
    *,
    config: FaultsConfig,
    started_at: datetime,
    recorder: Recorder,
    simulated: dict[str, Any],
    faults: list[dict[str, Any]],
    probes: list[dict[str, Any]],
    watchdog: list[dict[str, Any]],
    restored: dict[str, float | None],
    drained: dict[str, Any],
    verdict: Verdict,
) -> dict[str, Any]:
    """Everything the run found, as one JSON document."""
    history = recorder.history
    for fault in faults:
        fault["recovery_s"] = recovery_s(history, fault["start_s"], fault["end_s"])
    doses = Counter(w.outcome for w in by_key(history, "POST /doses", "citizen_id").values())
    api = _probes_ok(probes, config.api_timeout_s)
    not_back = sorted(name for name, seconds in restored.items() if seconds is None)
    slow = [f for f in faults if (f.get("recovery_s") or 0) > RECOVERY_TARGET_S]
    return {
        "started_at": started_at.isoformat(),
        "parameters": {
            "seed": config.seed,
            "sites": config.sites,
            "doses": config.doses,
            "hours": config.hours,
            "speedup": config.speedup,
            "wall_seconds": round(config.wall_seconds, 1),
            "kinds": list(config.kinds),
        },
        "faults_by_kind": _by_kind(faults),
        "faults": faults,
        "api_while_down": {"probes": probes, "problems": api},
        "watchdog_starts": watchdog,
        "requests": {
            "writes_by_endpoint": requests_by_outcome(history),
            "writes_by_outcome": dict(Counter(e["outcome"] for e in history)),
            "total": recorder.total_requests(),
        },
        "doses_by_outcome": dict(doses),
        "simulated": {k: simulated.get(k) for k in ("run_id", "wall_seconds", "doses", "outcomes")},
        "restored_s": restored,
        "drain": drained,
        "verdict": verdict.as_json(),
        "slow_recoveries": [f"{f['kind']} {f['target']}: {f['recovery_s']} s" for f in slow],
        "passed": verdict.passed and bool(drained.get("drained")) and not api and not not_back,
    }


def summary(result: dict[str, Any]) -> str:
    """The result as text for a human."""
    p = result["parameters"]
    lines = [
        f"fault run (seed {p['seed']}): {p['sites']} sites, {p['doses']} doses over "
        f"{p['wall_seconds']} s; {len(result['faults'])} faults",
        "",
        f"{'fault kind':14} {'count':>5} {'restart s (max)':>16} {'recovery s (max)':>17}",
    ]
    for kind, row in result["faults_by_kind"].items():
        lines.append(
            f"{kind:14} {row['count']:>5} {_num(row['restart_s_max']):>16} "
            f"{_num(row['recovery_s_max']):>17}"
        )
    for fault in result["faults"]:
        extra = fault.get("error") or fault.get("skipped") or ""
        lines.append(
            f"  {fault['start_s']:>7.1f}s {fault['kind']:12} {fault['target']:28} "
            f"recovered {_num(fault.get('recovery_s'))} s {extra}"
        )
    writes = result["requests"]["writes_by_outcome"]
    lines += [
        "",
        f"requests {result['requests']['total']}; writes by outcome: "
        + ", ".join(f"{k} {v}" for k, v in sorted(writes.items())),
        "doses by outcome: "
        + ", ".join(f"{k} {v}" for k, v in sorted(result["doses_by_outcome"].items())),
        f"parts restarted by the watchdog: {len(result['watchdog_starts'])}",
        f"drained: {result['drain'].get('drained')} in {result['drain'].get('seconds')} s",
    ]
    for probe in result["api_while_down"]["probes"]:
        lines.append(
            f"API while {probe['dependency']} down: {probe['path']} -> {probe.get('status')} "
            f"in {probe['seconds']} s (dependency {probe.get('named')}, "
            f"Retry-After {probe.get('retry_after')})"
        )
    verdict = result["verdict"]
    lines.append("")
    lines.append("checked: " + ", ".join(f"{k} {v}" for k, v in verdict["checked"].items()))
    lines.append(
        f"[{'PASS' if result['passed'] else 'FAIL'}] {len(verdict['violations'])} violations"
    )
    for violation in verdict["violations"][:30]:
        lines.append(f"  {violation['invariant']}: {violation['id']} ({violation['detail']})")
    lines += [f"  API: {problem}" for problem in result["api_while_down"]["problems"]]
    lines += [f"  slow recovery: {slow}" for slow in result["slow_recoveries"]]
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
