"""The response centre's live picture: aggregates from every stream, alerts, the dashboard.

The composition root (`vaxflow_monitoring.main`) builds one `LivePicture` per process and
mounts its routers (role api), runs its lifespan hooks (role api) and its workers (role worker).

For mon-core's main.py: the live picture NEEDS REDIS (`Needs(redis=True)`): workers publish
"changed" notices and the API's streams listen for them. Its indexes are `INDEXES` (it also
creates them itself at start, so forgetting them only costs speed). See services/monitoring/LIVE.md.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI
from redis.asyncio import Redis

from vaxflow_monitoring.live import api
from vaxflow_monitoring.live.folding import DoseTimes, Folder, Keys
from vaxflow_monitoring.live.handlers import Live
from vaxflow_monitoring.live.notify import Changes, Notifier, listen
from vaxflow_monitoring.live.pipeline import PipelineReader
from vaxflow_monitoring.live.store import INDEXES, LiveStore
from vaxflow_monitoring.live.workers import AggregatingConsumer, AlertLoop, PipelineWatcher
from vaxflow_monitoring.settings import MonitoringSettings
from vaxflow_servicekit.mongo import ensure_indexes
from vaxflow_servicekit.runtime import Infrastructure, Worker

NEEDS_REDIS = True
"""The live picture uses Redis pub/sub: the infrastructure must be asked for it."""

__all__ = ["INDEXES", "NEEDS_REDIS", "LivePicture", "build_live"]


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
        s, live_settings = self.settings, self.settings.live
        store = LiveStore(infra.db, live_settings.consumer_group)
        notifier = _notifier(infra, s)
        alerts = AlertLoop(Live.on(store, s), live_settings.alert_interval_s, notifier.changed)

        async def changed() -> None:
            alerts.poke()
            await notifier.changed()

        folder = Folder(
            Keys(live_settings.consumer_group),
            ZoneInfo(s.local_timezone),
            DoseTimes(live_settings.dose_time_cache),
        )
        consumer = AggregatingConsumer(
            kafka=s.kafka, live=live_settings, store=store, folder=folder, on_change=changed
        )
        watcher = PipelineWatcher(
            PipelineReader(s.kafka, live_settings.pipeline_ignore),
            store,
            live_settings.pipeline_interval_s,
            changed,
        )
        return [_Indexed(infra, consumer), alerts, watcher]


def build_live(settings: MonitoringSettings) -> LivePicture:
    """The live picture for these settings."""
    return LivePicture(settings, routers=[api.router], lifespans=[_api_hook(settings)])


def _channel(settings: MonitoringSettings) -> str:
    return f"{settings.live.notify_channel}:{settings.live.consumer_group}"


def _notifier(infra: Infrastructure, settings: MonitoringSettings) -> Notifier:
    redis = infra.redis or Redis.from_url(
        settings.redis.url, socket_timeout=settings.redis.socket_timeout_s
    )
    infra.redis = redis
    return Notifier(redis, _channel(settings))


def _api_hook(settings: MonitoringSettings) -> Callable[[FastAPI], Any]:
    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        infra: Infrastructure = app.state.infra
        await ensure_indexes(infra.db, INDEXES)
        store = LiveStore(infra.db, settings.live.consumer_group)
        notifier = _notifier(infra, settings)
        changes = Changes()
        app.state.live = Live.on(store, settings)
        app.state.live_changes, app.state.live_notifier = changes, notifier
        assert infra.redis is not None
        listener = asyncio.create_task(listen(infra.redis, notifier.channel, changes))
        try:
            yield
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    return hook


class _Indexed:
    """A worker that first makes sure the live collections' indexes exist."""

    def __init__(self, infra: Infrastructure, worker: AggregatingConsumer) -> None:
        self._infra, self._worker = infra, worker

    async def run(self) -> None:
        await ensure_indexes(self._infra.db, INDEXES)
        await self._worker.run()

    def stop(self) -> None:
        self._worker.stop()
