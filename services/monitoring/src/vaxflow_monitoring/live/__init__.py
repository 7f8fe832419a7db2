"""The response centre's live picture: aggregates from every stream, alerts, the dashboard.

The composition root (`vaxflow_monitoring.main`) builds one `LivePicture` per process and
mounts its routers (role api), runs its lifespan hooks (role api) and its workers (role worker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI

from vaxflow_monitoring.settings import MonitoringSettings
from vaxflow_servicekit.runtime import Infrastructure, Worker


@dataclass
class LivePicture:
    """What the live picture adds to the monitoring process."""

    settings: MonitoringSettings
    routers: list[APIRouter] = field(default_factory=list)
    # Lifespan hooks for the API role (each `hook(app)` is an async context manager); they run
    # after servicekit's infrastructure hook, so `app.state.infra` is there.
    lifespans: list[Callable[[FastAPI], Any]] = field(default_factory=list)

    def workers(self, infra: Infrastructure) -> Sequence[Worker]:
        """The live picture's consumers and loops, for the worker role."""
        return []


def build_live(settings: MonitoringSettings) -> LivePicture:
    """The live picture for these settings."""
    return LivePicture(settings)
