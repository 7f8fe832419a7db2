"""The dashboard summary computed from the aggregate documents (pure, no I/O)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from importlib import resources
from typing import Any

from vaxflow_monitoring.live.folding import LAG_BUCKETS
from vaxflow_monitoring.live.schemas import (
    AefiRead,
    AlertRead,
    AppointmentsRead,
    AreaRead,
    CertificatesRead,
    CoverageRead,
    DosesRead,
    HourRead,
    PipelineRead,
    SignalRead,
    SiteRead,
    SummaryRead,
)
from vaxflow_monitoring.live_settings import LiveSettings

Doc = Mapping[str, Any]


@dataclass(frozen=True)
class Aggregates:
    """The aggregate documents a summary is built from."""

    day: Doc = field(default_factory=dict)
    site_days: Sequence[Doc] = ()
    sites: Sequence[Doc] = ()
    totals: Doc = field(default_factory=dict)
    safety: Doc = field(default_factory=dict)
    pipeline: Doc = field(default_factory=dict)


@dataclass(frozen=True)
class Places:
    """Names of districts and sites, from the package's data file."""

    districts: Mapping[str, str]
    sites: Mapping[str, str]

    def site_name(self, site_id: str, label: str | None = None) -> str:
        """Scheduling's name for the site (from its events), else the data file's, else an id."""
        return label or self.sites.get(site_id) or f"Site {site_id[:8]}"


@cache
def places() -> Places:
    """The names the dashboard shows."""
    text = resources.files("vaxflow_monitoring.live.data").joinpath("places.toml").read_text()
    data = tomllib.loads(text)
    return Places(districts=data.get("districts", {}), sites=data.get("sites", {}))


def local_today(now: datetime, tz: tzinfo) -> date:
    """The campaign date 'today' means, where the sites are."""
    return now.astimezone(tz).date()


@dataclass(frozen=True)
class Summarizer:
    """Builds the summary; `now` and the time zone come from the caller."""

    settings: LiveSettings
    tz: tzinfo
    names: Places = field(default_factory=places)

    def summary(
        self,
        agg: Aggregates,
        now: datetime,
        alerts: Sequence[AlertRead] = (),
        *,
        max_sites: int | None = None,
    ) -> SummaryRead:
        """The whole picture as of `now`."""
        today = local_today(now, self.tz)
        sites = self._sites(agg, now)
        total = int(agg.totals.get("doses", 0))
        return SummaryRead(
            as_of=now.astimezone(UTC),
            date=today,
            doses=DosesRead(
                today=int(agg.day.get("doses", 0)),
                total=total,
                by_hour=self._hours(agg.day, today),
                by_area=self._areas(agg, sites),
            ),
            coverage=self._coverage(total),
            appointments=self._appointments(agg),
            sites=sites[: max_sites or len(sites)],
            aefi=self._aefi(agg),
            certificates=self._certificates(agg.day),
            pipeline=PipelineRead.model_validate(
                {"consumer_lag": [], "dead_letters": [], **agg.pipeline}
            ),
            alerts=list(alerts),
        )

    def _hours(self, day: Doc, today: date) -> list[HourRead]:
        hours: Mapping[str, Any] = day.get("hours") or {}
        return [
            HourRead(hour=datetime.combine(today, time(int(h)), self.tz), doses=int(n))
            for h, n in sorted(hours.items())
        ]

    def _sites(self, agg: Aggregates, now: datetime) -> list[SiteRead]:
        totals = {str(d.get("site_id")): d for d in agg.sites}
        stale = (now - timedelta(hours=self.settings.stale_wait_hours)).timestamp() * 1000
        reads = []
        for day in agg.site_days:
            site_id = str(day.get("site_id"))
            label = day.get("name") or totals.get(site_id, {}).get("name")
            queue = [t for t in (day.get("queue") or {}).values() if t > stale]
            oldest = min(queue, default=None)
            doses = int(day.get("doses", 0))
            reads.append(
                SiteRead(
                    site_id=site_id,
                    name=self.names.site_name(site_id, label),
                    district_code=day.get("district_code"),
                    waiting=len(queue),
                    longest_wait_s=max(int(now.timestamp() - oldest / 1000), 0) if oldest else 0,
                    doses_today=doses,
                    days_of_supply=self.days_of_supply(totals.get(site_id, {}), doses, now),
                )
            )
        seen = {r.site_id for r in reads}
        reads += [self._idle_site(d, now) for d in agg.sites if str(d.get("site_id")) not in seen]
        return sorted(reads, key=lambda s: (-s.waiting, -s.doses_today, s.site_id))

    def _idle_site(self, site: Doc, now: datetime) -> SiteRead:
        site_id = str(site.get("site_id"))
        return SiteRead(
            site_id=site_id,
            name=self.names.site_name(site_id, site.get("name")),
            district_code=site.get("district_code"),
            waiting=0,
            longest_wait_s=0,
            doses_today=0,
            days_of_supply=self.days_of_supply(site, 0, now),
        )

    def days_of_supply(self, site: Doc, doses_today: int, now: datetime) -> float | None:
        """Doses on hand over doses per day (today's pace, or the ledger's when higher)."""
        lots: Mapping[str, Mapping[str, Any]] = site.get("lots") or {}
        on_hand = sum(max(lot.get("base", 0) - lot.get("used", 0), 0) for lot in lots.values())
        if not any("base" in lot for lot in lots.values()):
            return None
        rates: Mapping[str, float] = site.get("rate") or {}
        per_day = max(self._today_pace(doses_today, now), *rates.values(), 0.0)
        if per_day <= 0:
            return None
        return round(float(on_hand) / per_day, 2)

    def _today_pace(self, doses_today: int, now: datetime) -> float:
        local = now.astimezone(self.tz)
        start = local.replace(
            hour=self.settings.working_day_start_hour, minute=0, second=0, microsecond=0
        )
        worked_h = min(max((local - start).total_seconds() / 3600, 1.0), 24.0)
        return doses_today * self.settings.working_day_hours / worked_h

    def _areas(self, agg: Aggregates, sites: Sequence[SiteRead]) -> list[AreaRead]:
        by_site = {s.site_id: s for s in sites}
        areas: dict[tuple[str | None, str | None], dict[str, int]] = {}
        for doc in agg.sites:
            key = (doc.get("province_code"), doc.get("district_code"))
            area = areas.setdefault(key, dict.fromkeys(("today", "total", "waiting", "sites"), 0))
            site = by_site.get(str(doc.get("site_id")))
            area["total"] += int(doc.get("doses", 0))
            area["today"] += site.doses_today if site else 0
            area["waiting"] += site.waiting if site else 0
            area["sites"] += 1
        return [
            AreaRead(
                province_code=province,
                district_code=district,
                district_name=self.names.districts.get(district or ""),
                doses_today=a["today"],
                doses_total=a["total"],
                waiting=a["waiting"],
                sites=a["sites"],
            )
            for (province, district), a in sorted(areas.items(), key=lambda kv: str(kv[0]))
        ]

    def _coverage(self, total: int) -> list[CoverageRead]:
        return [
            CoverageRead(
                campaign_id=c.campaign_id,
                name=c.name,
                target=c.target,
                doses=total,
                ratio=round(total / c.target, 4),
            )
            for c in self.settings.campaigns
        ]

    def _appointments(self, agg: Aggregates) -> AppointmentsRead:
        capacity = sum(int(c) for d in agg.site_days for c in (d.get("sessions") or {}).values())
        return AppointmentsRead(
            booked_today=max(int(agg.day.get("booked", 0)), 0),
            capacity_today=capacity,
            checked_in_today=int(agg.day.get("checked_in", 0)),
        )

    def _aefi(self, agg: Aggregates) -> AefiRead:
        signals: Mapping[str, Mapping[str, Any]] = agg.safety.get("signals") or {}
        return AefiRead(
            reported_today=int(agg.day.get("aefi_reported", 0)),
            serious_today=int(agg.day.get("aefi_serious", 0)),
            open_cases=len(agg.safety.get("open_cases") or {}),
            open_signals=sorted(
                (SignalRead.model_validate(dict(s)) for s in signals.values()),
                key=lambda s: s.raised_at,
                reverse=True,
            ),
        )

    def _certificates(self, day: Doc) -> CertificatesRead:
        histogram: Mapping[str, int] = day.get("lag") or {}
        return CertificatesRead(
            issued_today=int(day.get("certificates", 0)),
            lag_p50_s=percentile(histogram, 0.50),
            lag_p95_s=percentile(histogram, 0.95),
            lag_p99_s=percentile(histogram, 0.99),
        )


def percentile(histogram: Mapping[str, int], q: float) -> float | None:
    """The q-quantile of a lag histogram, interpolated within its bucket (None when empty)."""
    bounds = [*(int(b * 1000) for b in LAG_BUCKETS), None]
    counts = [int(histogram.get(str(b) if b is not None else "inf", 0)) for b in bounds]
    total = sum(counts)
    if total == 0:
        return None
    rank, seen, lower = q * total, 0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        upper = bound / 1000 if bound is not None else lower * 2 or 1.0
        if count and seen + count >= rank:
            return round(lower + (upper - lower) * (rank - seen) / count, 3)
        seen, lower = seen + count, upper
    return round(float(lower), 3)
