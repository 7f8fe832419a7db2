"""CPU time spent by each part of the system between two moments, read from /proc.

A rate the machine cannot carry shows up as latency; this says why. `snapshot()` reads every
process's user and system time, named by the part of the system it belongs to (Kafka, FerretDB,
PostgreSQL, Redis, the gateway, each VaxFlow service); `spent()` subtracts two snapshots. Divided
by the doses of the interval it gives the CPU cost of one dose end to end, and the machine's
cores divided by that cost give the most doses per second the machine could carry if nothing
else waited on anything: the ceiling.

Processes that ended between the snapshots are not counted (their time is lost to /proc), so
the figures are a lower bound of the cost; processes that started in between count in full.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vaxflow.service import SERVICES

TICKS = os.sysconf("SC_CLK_TCK")
LOAD_GENERATOR = "load generator (this benchmark)"

Snapshot = dict[int, tuple[str, float]]
"""Process id -> (part of the system, CPU seconds so far)."""


def part_of(command: str, *, pid: int, me: int) -> str:
    """The part of the system a command line belongs to."""
    if pid == me:
        return LOAD_GENERATOR
    if "bench/" in command:  # a service instance a benchmark started in a child process
        return "bench instance"
    for service in SERVICES:
        if f"vaxflow_{service}" in command:
            return service
    program = command.split(" ", 1)[0].rsplit("/", 1)[-1]
    if program.startswith("postgres"):  # the server and its per-connection backends
        return "postgresql"
    for marker, part in (
        ("ferretdb", "ferretdb"),
        ("redis-server", "redis"),
        ("nginx", "gateway (nginx)"),
        ("supervisord", "supervisor"),
    ):
        if program.startswith(marker):
            return part
    return "kafka" if program == "java" and "kafka" in command else "other"


def snapshot() -> Snapshot:
    """Every process's CPU seconds (user + system), named by part.

    A worker process a service starts (multiprocessing's spawned children) belongs to the
    part of its parent.
    """
    me = os.getpid()
    read: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended while being read
            continue
        fields = stat.rpartition(")")[2].split()
        # After the command name: state is field 0, ppid 1, utime 11, stime 12 (proc(5)).
        if command:  # kernel threads have no command line
            read[int(entry.name)] = (int(fields[1]), command, _seconds(fields))
    taken: Snapshot = {}
    for pid, (parent, command, seconds) in read.items():
        owner = parent if "multiprocessing" in command and parent in read else pid
        taken[pid] = (part_of(read[owner][1], pid=owner, me=me), seconds)
    return taken


def family_seconds(pid: int) -> float:
    """CPU seconds of a process and of its living children (worker processes)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += _seconds(fields)
    return total


def _seconds(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICKS


def spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per part between two snapshots (a process new in `after` counts in full)."""
    parts: dict[str, float] = {}
    for pid, (part, seconds) in after.items():
        earlier = before.get(pid)
        used = seconds - earlier[1] if earlier is not None and earlier[0] == part else seconds
        parts[part] = parts.get(part, 0.0) + max(used, 0.0)
    return parts


def per_unit(
    used: Mapping[str, float],
    units: int,
    *,
    idle_rate: Mapping[str, float] | None = None,
    seconds: float = 0.0,
) -> dict[str, float]:
    """Milliseconds of CPU per unit of work by part, the idle background taken off first."""
    if units <= 0:
        return {}
    idle_rate = idle_rate or {}
    return {
        part: round(max(cpu - idle_rate.get(part, 0.0) * seconds, 0.0) * 1000 / units, 3)
        for part, cpu in sorted(used.items(), key=lambda item: -item[1])
    }


def ceiling(ms_per_unit: Mapping[str, float], cpus: int) -> float | None:
    """Units per second the machine's cores carry at this cost, the load generator left out."""
    total = sum(ms for part, ms in ms_per_unit.items() if part != LOAD_GENERATOR)
    return round(cpus * 1000 / total, 1) if total > 0 else None


def attach(figures: dict[str, Any], before: Snapshot, units: int) -> dict[str, Any]:
    """A run's figures with its CPU cost per unit (since `before`) and the ceiling it sets."""
    per = per_unit(spent(before, snapshot()), units)
    return figures | {
        "cpu_ms_per_unit": per,
        "cpu_ms_per_unit_total": round(sum(v for k, v in per.items() if k != LOAD_GENERATOR), 3),
        "ceiling_per_second": ceiling(per, os.cpu_count() or 1),
    }
