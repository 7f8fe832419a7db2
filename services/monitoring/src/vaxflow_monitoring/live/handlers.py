"""What the live picture does: build the summary, evaluate alerts, set thresholds."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from vaxflow_monitoring.live import metrics
from vaxflow_monitoring.live.picture import Summarizer, local_today
from vaxflow_monitoring.live.rules import Condition, Rule, conditions, default_rules
from vaxflow_monitoring.live.schemas import AlertRead, RuleRead, SiteOverrideRead, SummaryRead
from vaxflow_monitoring.live.store import LiveStore, alert_document, by_key
from vaxflow_monitoring.settings import MonitoringSettings
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.mongo import Document, utc_now
from vaxflow_servicekit.problems import ProblemError

log = get_logger(__name__)


class UnknownRule(LookupError):
    """No alert rule has this name."""


@dataclass
class Live:
    """The live picture's handlers over one store."""

    store: LiveStore
    summarizer: Summarizer
    max_sites: int
    clock: Callable[[], datetime] = utc_now
    # An open alert's value and message follow the condition at most this often: during a rush
    # the number waiting changes with every batch, and each refresh is a database write.
    refresh_interval_s: float = 5.0
    _refreshed: dict[str, datetime] = field(default_factory=dict, init=False, repr=False)
    _shared: tuple[int, float, SummaryRead] | None = field(default=None, init=False, repr=False)
    _sharing: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    @classmethod
    def on(cls, store: LiveStore, settings: MonitoringSettings) -> Live:
        """The handlers for these settings."""
        summarizer = Summarizer(settings.live, ZoneInfo(settings.local_timezone))
        return cls(store, summarizer, settings.live.max_sites)

    async def summary(self, *, all_sites: bool = False) -> SummaryRead:
        """The dashboard summary now (every site when `all_sites`, else the most crowded)."""
        now = self.clock()
        today = local_today(now, self.summarizer.tz).isoformat()
        agg = await self.store.aggregates(today)
        alerts = [alert_read(a) for a in await self.store.active_alerts()]
        limit = None if all_sites else self.max_sites
        return self.summarizer.summary(agg, now, alerts, max_sites=limit)

    async def shared_summary(self, version: int, max_age_s: float = 1.0) -> SummaryRead:
        """The summary for the streams: one read serves every stream that heard change `version`.

        A summary read after the stream heard `version` (and under `max_age_s` old) is reused,
        so a hundred open dashboards cost one read per change, not a hundred.
        """
        async with self._sharing:
            if self._shared is not None:
                seen, at, summary = self._shared
                if seen >= version and time.monotonic() - at < max_age_s:
                    return summary
            at = time.monotonic()
            summary = await self.summary()
            self._shared = (version, at, summary)
            return summary

    async def rules(self) -> dict[str, Rule]:
        """The rules with the thresholds operators set."""
        stored = await self.store.stored_rules()
        return {name: r.with_stored(stored.get(name)) for name, r in default_rules().items()}

    async def evaluate_alerts(self) -> bool:
        """Open, refresh and close alerts to match the conditions now; True if any changed."""
        summary = await self.summary(all_sites=True)
        holding = {c.key: c for c in conditions(await self.rules(), summary)}
        active = by_key(await self.store.active_alerts())
        now, changed, written = self.clock(), False, 0
        for key, condition in holding.items():
            alert = active.get(key)
            if alert is None:
                doc = alert_document(condition, str(uuid.uuid4()), now)
                opened = await self.store.open_alert(doc)
                changed, written = changed or opened, written + 2
                self._refreshed[doc["_id"]] = now
                log.info("alert_opened", rule=condition.rule, subject=condition.subject)
            elif self._stale(alert, condition, now):
                await self.store.refresh_alert(alert["_id"], condition)
                self._refreshed[alert["_id"]] = now
                changed, written = True, written + 1
        for key, alert in active.items():
            if key not in holding:
                await self.store.close_alert(alert, now)
                self._refreshed.pop(alert["_id"], None)
                log.info("alert_closed", rule=alert["rule"], subject=alert["subject"])
                changed, written = True, written + 2
        metrics.LIVE_WRITES.labels("alerts").inc(written)
        metrics.observe(summary, list(holding.values()))
        return changed

    def _stale(self, alert: Document, condition: Condition, now: datetime) -> bool:
        """The alert shows another value than the condition's, and was not refreshed lately."""
        if alert["value"] == condition.value and alert["message"] == condition.message:
            return False
        last = self._refreshed.get(alert["_id"])
        return last is None or now - last >= timedelta(seconds=self.refresh_interval_s)

    async def acknowledge(self, alert_id: str, by: str, note: str | None) -> AlertRead:
        """Acknowledge an alert: 404 if unknown, 409 if closed; twice changes nothing."""
        alert = await self.store.alert(alert_id)
        if alert is None:
            raise ProblemError(404, "No alert has this id.", slug="alert-not-found")
        if alert["status"] == "closed":
            raise ProblemError(
                409, "The alert is closed: its condition cleared.", slug="alert-closed"
            )
        if alert["status"] == "open":
            alert = await self.store.acknowledge(alert_id, by, self.clock(), note) or alert
        return alert_read(alert)

    async def rule_reads(self) -> list[RuleRead]:
        """Every rule with its thresholds."""
        return [rule_read(r) for r in (await self.rules()).values()]

    async def set_threshold(self, name: str, threshold: float, site_id: str | None) -> RuleRead:
        """Change a rule's threshold, or one site's; UnknownRule if there is no such rule."""
        rule = default_rules().get(name)
        if rule is None:
            raise UnknownRule(name)
        if site_id is not None and not rule.per_site:
            raise ValueError(f"{name} has no per-site thresholds")
        await self.store.set_threshold(name, threshold, site_id)
        return rule_read((await self.rules())[name])


def alert_read(alert: Document) -> AlertRead:
    """An alert document as the API shows it."""
    return AlertRead.model_validate({**alert, "alert_id": alert["_id"]})


def rule_read(rule: Rule) -> RuleRead:
    """A rule as the API shows it."""
    return RuleRead(
        rule=rule.name,
        description=rule.description,
        threshold=rule.threshold,
        unit=rule.unit,
        per_site=rule.per_site,
        site_overrides=[
            SiteOverrideRead(site_id=s, threshold=t) for s, t in sorted(rule.site_overrides.items())
        ],
    )
