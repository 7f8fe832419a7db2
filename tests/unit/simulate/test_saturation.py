"""`make bench`'s judgement (bench/saturation.py): which step passed, the sustained rate, the ratio.

The ramp itself needs the running stack and is a benchmark, not a test; these are its pure parts,
fed with doses and certificates as a step would have seen them.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LIMITS = {  # the shape of bench/components.py's document, two components
    "machine": {"cpus": 2},
    "measured_at": "2026-11-26T08:00:00+00:00",
    "kafka": {"produce_1kb": {"count": 1, "seconds": 1, "per_second": 15000.0}, "partitions": 6},
    "ferretdb": {"insert_one": {"count": 1, "seconds": 1, "per_second": 160.0}},
}


@pytest.fixture(scope="module")
def saturation() -> ModuleType:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))  # it imports its neighbours components and injection
        for neighbour in ("components", "cpu", "injection"):  # not a test package of the same name
            patch.delitem(sys.modules, neighbour, raising=False)
        spec = importlib.util.spec_from_file_location("saturation", BENCH / "saturation.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        patch.setitem(sys.modules, "saturation", module)  # its dataclasses look themselves up
        spec.loader.exec_module(module)
    return module


def step(sat: ModuleType, rate: float, to_certificate_s: list[float], **extra: Any) -> Any:
    """A step's figures from doses sent at T0 whose certificates came that many seconds later."""
    doses, issued = [], {}
    for i, delay in enumerate(to_certificate_s):
        dose = sat.Dose(f"citizen-{i}", T0.timestamp(), 0.0, 201, 0.1, f"dose-{i}", T0)
        doses.append(dose)
        if delay >= 0:  # a negative delay: no certificate came
            issued[dose.dose_id] = T0 + timedelta(seconds=delay)
    for status in extra.get("refused", []):
        doses.append(sat.Dose("refused", T0.timestamp(), 0.0, status))
    return sat._step_figures(rate, doses, 10.0, 1.0, issued, None, extra.get("cpu_ms"))


def test_a_step_passes_only_while_the_p99_to_certificate_is_within_two_seconds(
    saturation: ModuleType,
) -> None:
    quick = step(saturation, 4, [0.5] * 99 + [1.9])
    slow = step(saturation, 8, [0.5] * 98 + [2.5, 2.6])

    assert quick["passed"]
    assert quick["dose_to_certificate_s"]["p99"] == 0.5
    assert quick["dose_to_certificate_s"]["max"] == 1.9
    assert not slow["passed"]
    assert slow["dose_to_certificate_s"]["p99"] == 2.5
    assert "p99" in slow["failed_because"]


def test_a_refused_dose_or_a_missing_certificate_fails_the_step_however_fast(
    saturation: ModuleType,
) -> None:
    refused = step(saturation, 4, [0.2] * 10, refused=[503])
    lost = step(saturation, 4, [0.2] * 9 + [-1])

    assert not refused["passed"]
    assert refused["errors"] == 1
    assert refused["statuses"] == {"201": 10, "503": 1}
    assert not lost["passed"]
    assert lost["certificates_missing"] == 1
    assert "not issued" in lost["failed_because"]


def test_the_sustained_rate_is_the_last_step_that_passed_and_is_set_against_the_slowest_part(
    saturation: ModuleType,
) -> None:
    steps = [
        step(saturation, 2, [0.3] * 20),
        step(saturation, 4, [0.4] * 40),
        step(saturation, 8, [3.0] * 80),
    ]

    summary = saturation.summarise(steps, LIMITS)

    assert summary["sustained_doses_per_second"] == 4
    assert "p99" in summary["stopped_because"]
    assert summary["slowest_component"] == {"name": "ferretdb.insert_one", "per_second": 160.0}
    assert summary["ratio_to_slowest_component"] == 0.025
    section = saturation.markdown(
        {
            **summary,
            "measured_at": "2026-11-26T08:00:00+00:00",
            "machine": {"uptime_at_start": "a", "uptime_before_ramp": "b", "uptime_at_end": "c"}
            | {"note": "shared machine"},
            "parameters": {
                "start_rate": 2,
                "step_seconds": 20,
                "addresses": 64,
                "p99_limit_s": 2.0,
                "component_scale": 0.2,
            },
            "steps": steps,
            "components": LIMITS,
        },
        "make bench",
    )
    assert "## Saturation of the dose pipeline (`make bench`), 2026-11-26T08:00:00+00:00" in section
    assert "**Sustained: 4 doses per second**" in section
    assert section.count("| passed |") == 2
    assert "| ferretdb.insert_one | 160.0 | 0.025 |" in section


def test_no_step_passing_means_nothing_sustained(saturation: ModuleType) -> None:
    summary = saturation.summarise([step(saturation, 2, [5.0] * 20)], LIMITS)

    assert summary["sustained_doses_per_second"] == 0
    assert summary["ratio_to_slowest_component"] == 0


def test_cpu_per_dose_takes_off_the_idle_background_and_sets_the_ceiling(
    saturation: ModuleType,
) -> None:
    cpu = sys.modules["cpu"]
    before = {10: ("kafka", 5.0), 11: ("injection", 2.0), 12: ("postgresql", 1.0)}
    after = {10: ("kafka", 6.0), 11: ("injection", 4.0), 13: ("certificate", 1.0)}
    after |= {14: (cpu.LOAD_GENERATOR, 3.0)}

    used = cpu.spent(before, after)  # 12 ended: lost; 13 and 14 started: counted in full
    per_dose = cpu.per_unit(used, 100, idle_rate={"kafka": 0.05}, seconds=10.0)

    assert used == {"kafka": 1.0, "injection": 2.0, "certificate": 1.0, cpu.LOAD_GENERATOR: 3.0}
    assert per_dose == {
        cpu.LOAD_GENERATOR: 30.0,
        "injection": 20.0,
        "certificate": 10.0,
        "kafka": 5.0,  # 10 ms a dose, less 0.05 s/s idle over 10 s for 100 doses
    }
    assert cpu.ceiling(per_dose, 2) == 57.1  # 2 cores / 35 ms a dose, the generator left out
    figures = step(saturation, 4, [0.3] * 10, cpu_ms=per_dose)
    assert figures["cpu_ms_per_dose_total"] == 35.0
    assert figures["ceiling_doses_per_second"] == 57.1
    summary = saturation.summarise([figures], LIMITS)
    assert summary["cpu_cost"]["ceiling_doses_per_second"] == 57.1
    lines = "\n".join(saturation._cpu_lines({**summary, "machine": {"cpus": 2}}))
    assert "**35 ms**" in lines
    assert "**57.1 doses per second**" in lines
    assert "| injection | 20.00 |" in lines


def test_a_snapshot_names_this_process_and_counts_the_cpu_it_burns(
    saturation: ModuleType,
) -> None:
    cpu = sys.modules["cpu"]
    before = cpu.snapshot()
    burned = 0
    while cpu.spent(before, cpu.snapshot()).get(cpu.LOAD_GENERATOR, 0.0) < 0.2:
        burned += sum(range(100_000))

    parts = {part for part, _ in cpu.snapshot().values()}
    assert cpu.LOAD_GENERATOR in parts
    assert burned > 0
