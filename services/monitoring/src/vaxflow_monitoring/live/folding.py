"""Folding a batch of events into one update per aggregate document (pure, no I/O).

Each event becomes a few effects on named documents (`$inc` a counter, set or unset a field);
a batch's effects are merged per document in the order the events happened, so thousands of
events become as many updates as there are documents touched. Redelivery changes nothing: each
document records, per topic partition, the last offset whose effects it holds (`hw`), and an
effect from an offset at or below that mark is dropped before merging.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from vaxflow_events import (
    AefiClassified,
    AefiReported,
    AppointmentBooked,
    AppointmentCancelled,
    CertificateIssued,
    CitizenCheckedIn,
    DoseAdministered,
    Envelope,
    Event,
    LotReleased,
    LotSignalRaised,
    StockAdjusted,
    StockLow,
    StockReceived,
)
from vaxflow_events.common import AdminArea

# Upper bounds (seconds) of the dose-to-certificate lag histogram; the last bucket is open.
LAG_BUCKETS: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class Effect:
    """One change to one aggregate document: `op` is inc, set or unset."""

    doc: str
    op: str
    path: str
    value: Any = None


@dataclass
class DocUpdate:
    """The merged changes of a batch to one document, and the offsets they come from."""

    inc: dict[str, float] = field(default_factory=dict)
    sets: dict[str, Any] = field(default_factory=dict)
    unset: set[str] = field(default_factory=set)
    hw: dict[str, int] = field(default_factory=dict)

    def apply(self, effect: Effect) -> None:
        """Merge one effect after those already merged (later effects win)."""
        path = effect.path
        if effect.op == "inc":
            self._inc(path, effect.value)
        elif effect.op == "set":
            self.inc.pop(path, None)
            self.unset.discard(path)
            self.sets[path] = effect.value
        else:
            self.inc.pop(path, None)
            self.sets.pop(path, None)
            self.unset.add(path)

    def _inc(self, path: str, amount: float) -> None:
        if path in self.sets:
            self.sets[path] = (self.sets[path] or 0) + amount
        elif path in self.unset:
            self.unset.discard(path)
            self.sets[path] = amount
        else:
            self.inc[path] = self.inc.get(path, 0) + amount

    def operations(self) -> dict[str, Any]:
        """The MongoDB update document."""
        ops: dict[str, Any] = {}
        if self.inc:
            ops["$inc"] = self.inc
        if self.sets:
            ops["$set"] = self.sets
        if self.unset:
            ops["$unset"] = dict.fromkeys(self.unset, "")
        if self.hw:
            ops["$max"] = {f"hw.{tp}": offset for tp, offset in self.hw.items()}
        return ops


@dataclass(frozen=True)
class Consumed:
    """An event as consumed: where it came from (`tp`, offset) and the envelope."""

    tp: str
    offset: int
    envelope: Envelope[Event]


class DoseTimes:
    """When recent doses were recorded, by dose id: the start of the certificate lag."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._times: OrderedDict[str, datetime] = OrderedDict()

    def remember(self, dose_id: str, at: datetime) -> None:
        """Keep a dose's time, forgetting the oldest beyond capacity."""
        self._times[dose_id] = at
        while len(self._times) > self._capacity:
            self._times.popitem(last=False)

    def get(self, dose_id: str) -> datetime | None:
        """The time the dose was recorded, if still remembered."""
        return self._times.get(dose_id)


def tp_key(topic: str, partition: int) -> str:
    """A topic partition as a field name (no dots)."""
    return f"{topic.replace('.', '_')}~{partition}"


@dataclass(frozen=True)
class Keys:
    """Names of the aggregate documents of one consumer group."""

    group: str

    def day(self, date: str) -> str:
        return f"{self.group}|day|{date}"

    def site_day(self, date: str, site_id: str) -> str:
        return f"{self.group}|site|{date}|{site_id}"

    def site(self, site_id: str) -> str:
        return f"{self.group}|sitetotal|{site_id}"

    def totals(self) -> str:
        return f"{self.group}|totals"

    def safety(self) -> str:
        return f"{self.group}|safety"

    def pipeline(self) -> str:
        return f"{self.group}|pipeline"


@dataclass
class Folder:
    """Turns events into effects on the aggregate documents."""

    keys: Keys
    tz: tzinfo
    dose_times: DoseTimes

    def effects(self, envelope: Envelope[Event]) -> list[Effect]:
        """The effects of one event (none for events the picture ignores)."""
        handler = _HANDLERS.get(envelope.event_type)
        return handler(self, envelope) if handler else []

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.tz)

    def _static(self, doc: str, kind: str, **fields: Any) -> list[Effect]:
        return [Effect(doc, "set", "kind", kind)] + [
            Effect(doc, "set", name, value) for name, value in fields.items()
        ]

    def _site_day(
        self, date: str, site_id: str, area: AdminArea | None, label: str | None = None
    ) -> tuple[str, list[Effect]]:
        doc = self.keys.site_day(date, site_id)
        static = self._static(
            doc, "site", date=date, site_id=site_id, **_area(area), **_name(label)
        )
        return doc, static

    def _site(
        self, site_id: str, area: AdminArea | None, label: str | None = None
    ) -> tuple[str, list[Effect]]:
        doc = self.keys.site(site_id)
        return doc, self._static(doc, "sitetotal", site_id=site_id, **_area(area), **_name(label))

    def dose(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, DoseAdministered)
        self.dose_times.remember(str(p.dose_id), env.occurred_at)
        at = self.local(p.vaccination.administered_at)
        date, hour, site = at.date().isoformat(), f"{at.hour:02d}", str(p.site_id)
        day = self.keys.day(date)
        site_day, site_static = self._site_day(date, site, p.site_area)
        site_doc, total_static = self._site(site, p.site_area)
        return [
            *site_static,
            *total_static,
            Effect(day, "set", "kind", "day"),
            Effect(day, "inc", "doses", 1),
            Effect(day, "inc", f"hours.{hour}", 1),
            Effect(site_day, "inc", "doses", 1),
            Effect(site_day, "unset", f"queue.{p.citizen_id}"),
            Effect(site_doc, "inc", "doses", 1),
            Effect(site_doc, "inc", f"lots.{p.vaccination.lot_id}.used", 1),
            Effect(self.keys.totals(), "inc", "doses", 1),
        ]

    def checked_in(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, CitizenCheckedIn)
        date = self.local(env.occurred_at).date().isoformat()
        site_day, static = self._site_day(date, str(p.site_id), p.site_area, p.site_label)
        millis = int(env.occurred_at.timestamp() * 1000)
        named = self._site(str(p.site_id), p.site_area, p.site_label)[1] if p.site_label else []
        return [
            *static,
            *named,
            Effect(self.keys.day(date), "inc", "checked_in", 1),
            Effect(site_day, "inc", "checked_in", 1),
            Effect(site_day, "set", f"queue.{p.citizen_id}", millis),
        ]

    def booked(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, AppointmentBooked)
        date = self.local(p.slot_start).date().isoformat()
        site_day, static = self._site_day(date, str(p.site_id), p.site_area, p.site_label)
        named = self._site(str(p.site_id), p.site_area, p.site_label)[1] if p.site_label else []
        return [
            *static,
            *named,
            Effect(self.keys.day(date), "inc", "booked", 1),
            Effect(site_day, "inc", "booked", 1),
            Effect(site_day, "set", f"sessions.{p.session_id}", p.session_capacity),
        ]

    def cancelled(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, AppointmentCancelled)
        date = self.local(p.slot_start).date().isoformat()
        site_day, static = self._site_day(date, str(p.site_id), None)
        return [
            *static,
            Effect(self.keys.day(date), "inc", "booked", -1),
            Effect(site_day, "inc", "booked", -1),
        ]

    def stock_entry(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, StockReceived | StockAdjusted)
        doc, static = self._site(str(p.site_id), None)
        lot = f"lots.{p.lot_id}"
        # The ledger's balance is the truth as of this entry; doses after it are counted on top.
        return [
            *static,
            Effect(doc, "set", f"{lot}.base", p.balance_after),
            Effect(doc, "set", f"{lot}.used", 0),
        ]

    def stock_low(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, StockLow)
        doc, static = self._site(str(p.site_id), None)
        return [*static, Effect(doc, "set", f"rate.{p.product_code}", p.doses_per_day)]

    def certificate(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, CertificateIssued)
        day = self.keys.day(self.local(env.occurred_at).date().isoformat())
        effects = [Effect(day, "inc", "certificates", 1)]
        dosed_at = self.dose_times.get(str(p.dose_id))
        if dosed_at is not None:
            lag = max((env.occurred_at - dosed_at).total_seconds(), 0.0)
            effects.append(Effect(day, "inc", f"lag.{lag_bucket(lag)}", 1))
        return effects

    def aefi_reported(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, AefiReported)
        day = self.keys.day(self.local(env.occurred_at).date().isoformat())
        effects = [
            Effect(day, "inc", "aefi_reported", 1),
            Effect(self.keys.safety(), "set", f"open_cases.{p.aefi_id}", 1),
        ]
        if p.serious:
            effects.append(Effect(day, "inc", "aefi_serious", 1))
        return effects

    def aefi_classified(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, AefiClassified)
        return [Effect(self.keys.safety(), "unset", f"open_cases.{p.aefi_id}")]

    def signal(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, LotSignalRaised)
        value = {
            "lot_id": str(p.lot_id),
            "lot_number": p.lot_number,
            "rule": p.rule.value,
            "raised_at": env.occurred_at,
            "value": p.observed_value,
            "threshold": p.threshold,
        }
        return [Effect(self.keys.safety(), "set", f"signals.{p.lot_id}", value)]

    def released(self, env: Envelope[Event]) -> list[Effect]:
        p = env.payload
        assert isinstance(p, LotReleased)
        return [Effect(self.keys.safety(), "unset", f"signals.{p.lot_id}")]


_HANDLERS: Mapping[str, Callable[[Folder, Envelope[Event]], list[Effect]]] = {
    DoseAdministered.event_type: Folder.dose,
    CitizenCheckedIn.event_type: Folder.checked_in,
    AppointmentBooked.event_type: Folder.booked,
    AppointmentCancelled.event_type: Folder.cancelled,
    StockReceived.event_type: Folder.stock_entry,
    StockAdjusted.event_type: Folder.stock_entry,
    StockLow.event_type: Folder.stock_low,
    CertificateIssued.event_type: Folder.certificate,
    AefiReported.event_type: Folder.aefi_reported,
    AefiClassified.event_type: Folder.aefi_classified,
    LotSignalRaised.event_type: Folder.signal,
    LotReleased.event_type: Folder.released,
}


def _area(area: AdminArea | None) -> dict[str, Any]:
    if area is None:
        return {}
    return {"province_code": area.province_code, "district_code": area.district_code}


def _name(label: str | None) -> dict[str, Any]:
    """The site's name as scheduling calls it (on check-ins and bookings), when given."""
    return {"name": label} if label else {}


def lag_bucket(seconds: float) -> str:
    """The histogram bucket of a lag, named by its upper bound in milliseconds (`inf` last)."""
    for bound in LAG_BUCKETS:
        if seconds <= bound:
            return str(int(bound * 1000))
    return "inf"


Planned = list[tuple[Consumed, list[Effect]]]


def plan(folder: Folder, batch: Iterable[Consumed]) -> Planned:
    """Each event of a batch with its effects, in the order the events happened."""
    ordered = sorted(batch, key=lambda c: (c.envelope.occurred_at, c.tp, c.offset))
    return [(consumed, folder.effects(consumed.envelope)) for consumed in ordered]


def documents(planned: Planned) -> set[str]:
    """The documents a planned batch touches."""
    return {effect.doc for _, effects in planned for effect in effects}


def fold(planned: Planned, high_water: Callable[[str, str], int]) -> dict[str, DocUpdate]:
    """Merge a planned batch's effects per document, skipping offsets already applied.

    `high_water(doc, tp)` is the last offset of `tp` whose effects `doc` already holds (-1 if
    none); the resulting updates raise that mark to the batch's last offset.
    """
    updates: dict[str, DocUpdate] = {}
    for consumed, effects in planned:
        for effect in effects:
            if consumed.offset <= high_water(effect.doc, consumed.tp):
                continue
            update = updates.setdefault(effect.doc, DocUpdate())
            update.apply(effect)
            update.hw[consumed.tp] = max(update.hw.get(consumed.tp, -1), consumed.offset)
    return updates
