"""After the faults and the drain: what the system holds must match what it answered.

A test tool, so it reads the services' databases and the warehouse's files directly:

- every ok dose has its record in injection, exactly one current certificate, one stock
  movement, one health-book entry, monitoring's copy and one warehouse row;
- every failed dose left no trace anywhere, every indeterminate one all or nothing;
- every ok stock receipt is in the ledger, a failed one is not;
- every ok booking is one appointment of its citizen in its session, a failed one none, an
  indeterminate one at most one;
- every ok check-in is one check-in of its citizen, a failed one none;
- every ok cancellation left its appointment cancelled with its claim given back, a failed one
  left it booked and holding its claim, an indeterminate one either of the two, never half;
- no slot of the run's sessions over capacity (counter and appointments), and no slot's counter
  below the appointments holding its places (a place freed twice);
- each of the run's lots: the on-hand counter equals the sum of its ledger entries, and every
  dose movement in the ledger is a dose injection holds;
- every poison message is in the dead-letter topic of every group that reads its topic, with a
  reason, and the group went past it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from vaxflow.faults.drain import group_offsets, partitions
from vaxflow.faults.history import Written, by_key

Doc = dict[str, Any]
DLQ_READ_S = 60.0  # reading one dead-letter topic to its end
ARTEFACTS = (
    "dose record",
    "certificate",
    "stock movement",
    "health book",
    "monitoring",
    "warehouse",
)


@dataclass
class Verdict:
    """What the checker looked at and every violation, named by invariant and id."""

    checked: Counter[str] = field(default_factory=Counter)
    violations: list[dict[str, str]] = field(default_factory=list)

    def violation(self, invariant: str, ident: str, detail: str) -> None:
        """One broken promise."""
        self.violations.append({"invariant": invariant, "id": ident, "detail": detail})

    @property
    def passed(self) -> bool:
        """No violation found."""
        return not self.violations

    def as_json(self) -> dict[str, Any]:
        """The verdict for the report."""
        return {
            "passed": self.passed,
            "checked": dict(sorted(self.checked.items())),
            "violations": self.violations,
        }


@dataclass(frozen=True)
class RunFacts:
    """What the checker needs of the run: its history, sites and poison messages."""

    history: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    poison: list[dict[str, Any]]
    idle_groups: frozenset[str] = frozenset()  # groups no process served: not judged


class Checker:
    """Reads every service's database, the warehouse and the dead-letter topics."""

    def __init__(self, mongo_url: str, bootstrap: str, warehouse_dir: Path) -> None:
        self._mongo: AsyncMongoClient[Doc] = AsyncMongoClient(
            mongo_url, serverSelectionTimeoutMS=10_000, tz_aware=True
        )
        self._bootstrap = bootstrap
        self._warehouse_dir = warehouse_dir

    def db(self, name: str) -> AsyncDatabase[Doc]:
        """A service's database."""
        return self._mongo[name]

    async def check(self, run: RunFacts) -> Verdict:
        """Every invariant over the run."""
        verdict = Verdict()
        steps = (
            self._doses,
            self._receipts,
            self._bookings,
            self._check_ins,
            self._cancellations,
            self._slots,
            self._stock,
            self._poison,
        )
        try:
            for step in steps:
                try:
                    await step(run, verdict)
                except Exception as error:  # a check that could not run is a failed check
                    name = step.__name__.strip("_")
                    verdict.violation("the checker could read", name, repr(error)[:300])
        finally:
            await self._mongo.close()
        return verdict

    async def _doses(self, run: RunFacts, verdict: Verdict) -> None:
        doses = by_key(run.history, "POST /doses", "citizen_id")
        found = await self._dose_artefacts(doses)
        for citizen, written in sorted(doses.items()):
            verdict.checked[f"doses {written.outcome}"] += 1
            _judge_dose(citizen, written, found.get(citizen, {}), verdict)

    async def _dose_artefacts(self, doses: dict[str, Written]) -> dict[str, dict[str, int]]:
        """Per citizen: how many of each artefact of the citizen's first dose exist."""
        ids = {c: _dose_id(c, w) for c, w in doses.items()}
        wanted = list(ids.values())
        injection = await self._count(self.db("injection")["doses"], "citizen_id", list(ids))
        files = await self._find(self.db("certificate")["dose_files"], "_id", wanted)
        certificate_ids = await self._count(
            self.db("certificate")["certificate_ids"], "dose_id", wanted
        )
        ledger = await self._count(
            self.db("scheduling")["stock_ledger"], "_id", [f"dose:{d}" for d in wanted]
        )
        book = await self._count(self.db("registration")["health_book"], "ref_id", wanted)
        monitoring = await self._count(self.db("monitoring")["core_doses"], "_id", wanted)
        warehouse = await asyncio.to_thread(_warehouse_rows, self._warehouse_dir, wanted)
        result: dict[str, dict[str, int]] = {}
        for citizen, dose in ids.items():
            result[citizen] = {
                "dose record": injection.get(citizen, 0),
                "certificate": _current_certificates(files.get(dose), certificate_ids.get(dose, 0)),
                "stock movement": ledger.get(f"dose:{dose}", 0),
                "health book": book.get(dose, 0),
                "monitoring": monitoring.get(dose, 0),
                "warehouse": warehouse.get(dose, 0),
            }
        return result

    async def _count(
        self, collection: Any, key: str, values: list[str], where: Doc | None = None
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        for chunk in _chunks(values, 500):
            async for doc in collection.find({key: {"$in": chunk}, **(where or {})}, {key: 1}):
                counts[str(doc[key])] += 1
        return counts

    async def _find(self, collection: Any, key: str, values: list[str]) -> dict[str, Doc]:
        found: dict[str, Doc] = {}
        for chunk in _chunks(values, 500):
            async for doc in collection.find({key: {"$in": chunk}}, {"outbox": 0}):
                found[str(doc[key])] = doc
        return found

    async def _receipts(self, run: RunFacts, verdict: Verdict) -> None:
        receipts = by_key(run.history, "POST /stock/receipts", "receipt_id")
        ledger = await self._count(self.db("scheduling")["stock_ledger"], "_id", list(receipts))
        for receipt, written in sorted(receipts.items()):
            verdict.checked[f"stock receipts {written.outcome}"] += 1
            _judge_once(
                "receipt", "ledger entry", receipt, written, ledger.get(receipt, 0), verdict
            )

    async def _bookings(self, run: RunFacts, verdict: Verdict) -> None:
        bookings = by_key(run.history, "POST /appointments", "citizen_id")
        # The run's bookings are self-bookings; a site manager may also invite the same citizen
        # (after a cancellation, say), which is another appointment of its own.
        held = await self._count(
            self.db("scheduling")["appointments"],
            "citizen_id",
            list(bookings),
            {"channel": "self_booking"},
        )
        for citizen, written in sorted(bookings.items()):
            verdict.checked[f"bookings {written.outcome}"] += 1
            _judge_booking(citizen, written, held.get(citizen, 0), verdict)

    async def _check_ins(self, run: RunFacts, verdict: Verdict) -> None:
        check_ins = by_key(run.history, "POST /check-ins", "citizen_id")
        held = await self._count(self.db("scheduling")["check_ins"], "citizen_id", list(check_ins))
        for citizen, written in sorted(check_ins.items()):
            verdict.checked[f"check-ins {written.outcome}"] += 1
            _judge_once("check-in", "check-in", citizen, written, held.get(citizen, 0), verdict)

    async def _cancellations(self, run: RunFacts, verdict: Verdict) -> None:
        cancels = by_key(run.history, "DELETE /appointments/{id}", "appointment_id")
        scheduling = self.db("scheduling")
        appointments = await self._find(scheduling["appointments"], "_id", list(cancels))
        claimed = await self._count(
            scheduling["appointment_claims"], "appointment_id", list(cancels)
        )
        for appointment_id, written in sorted(cancels.items()):
            verdict.checked[f"cancellations {written.outcome}"] += 1
            doc = appointments.get(appointment_id) or {}
            state = (doc.get("status"), bool(claimed.get(appointment_id)))
            _judge_cancel(appointment_id, written, state, verdict)

    async def _slots(self, run: RunFacts, verdict: Verdict) -> None:
        scheduling = self.db("scheduling")
        for site in run.sites:
            session = await scheduling["sessions"].find_one({"_id": site["session_id"]})
            if session is None:
                verdict.violation("the run's session exists", site["session_id"], "not found")
                continue
            held: Counter[str] = Counter()
            query = {"session_id": site["session_id"], "status": {"$ne": "cancelled"}}
            async for appointment in scheduling["appointments"].find(query, {"slot": 1}):
                held[str(appointment.get("slot"))] += 1
            for slot in session["slots"]:
                verdict.checked["slots"] += 1
                _judge_slot(site["session_id"], slot, session, held[slot["key"]], verdict)

    async def _stock(self, run: RunFacts, verdict: Verdict) -> None:
        scheduling = self.db("scheduling")
        for site in run.sites:
            site_id, lot_id = site["site_id"], site.get("lot_id")
            if not lot_id:
                continue
            verdict.checked["lots"] += 1
            entries = [
                e
                async for e in scheduling["stock_ledger"].find(
                    {"site_id": site_id, "lot_id": lot_id}, {"outbox": 0}
                )
            ]
            lot = await scheduling["stock_lots"].find_one({"_id": f"{site_id}#{lot_id}"})
            ledger_sum = sum(int(e["delta"]) for e in entries)
            on_hand = int(lot.get("on_hand", 0)) if lot else None
            where = f"site {site_id} lot {lot_id}"
            if on_hand != ledger_sum:
                verdict.violation(
                    "the lot's on-hand counter equals its ledger",
                    where,
                    f"on_hand {on_hand}, ledger sum {ledger_sum} over {len(entries)} entries",
                )
            moved = [str(e["dose_id"]) for e in entries if e["kind"] == "dose"]
            held = await self._count(self.db("injection")["doses"], "_id", moved)
            for dose in moved:
                if not held.get(dose):
                    verdict.violation("every stock movement is a dose given", dose, where)

    async def _poison(self, run: RunFacts, verdict: Verdict) -> None:
        if not run.poison:
            return
        committed = await group_offsets(self._bootstrap, run.idle_groups)
        readers = {
            topic: sorted(
                g for g, offsets in committed.items() if any(tp.topic == topic for tp in offsets)
            )
            for topic in {p["topic"] for p in run.poison}
        }
        groups = sorted({g for names in readers.values() for g in names})
        dead = await _dead_letters(self._bootstrap, groups)
        for poison in run.poison:
            where = f"{poison['topic']}[{poison['partition']}]@{poison['offset']}"
            for group in readers[poison["topic"]]:
                verdict.checked["poison messages per group"] += 1
                _judge_poison(poison, where, group, dead, committed[group], verdict)


def _current_certificates(file: Doc | None, issued: int) -> int:
    """Certificates of a dose not revoked: issued ids less the revoked (0 without a current)."""
    if file is None:
        return issued
    return issued - len(file.get("revoked", [])) if file.get("has_current") else 0


def _judge_dose(citizen: str, written: Written, found: dict[str, int], verdict: Verdict) -> None:
    ident = f"citizen {citizen} dose {_dose_id(citizen, written)}"
    if written.outcome == "ok":
        for artefact in ARTEFACTS:
            if found.get(artefact, 0) != 1:
                verdict.violation(
                    f"an ok dose has exactly one {artefact}",
                    ident,
                    f"found {found.get(artefact, 0)}",
                )
        return
    present = [a for a in ARTEFACTS if found.get(a, 0)]
    if written.outcome == "failed" and present:
        verdict.violation(
            "a failed dose left no trace",
            ident,
            f"found {', '.join(present)}; attempts {written.attempts}",
        )
    elif written.outcome == "indeterminate":
        verdict.checked[f"indeterminate doses {'done' if present else 'not done'}"] += 1
        partial = bool(present) and len(present) != len(ARTEFACTS)
        if partial or any(found.get(a, 0) > 1 for a in ARTEFACTS):
            verdict.violation(
                "an indeterminate dose is all or nothing, once",
                ident,
                ", ".join(f"{a} {found.get(a, 0)}" for a in ARTEFACTS),
            )


def _judge_booking(citizen: str, written: Written, held: int, verdict: Verdict) -> None:
    """One citizen's booking of the run against the appointments scheduling holds for them."""
    ident = f"citizen {citizen} session {written.ids.get('session_id', '?')}"
    _judge_once("booking", "appointment", ident, written, held, verdict)


def _judge_once(
    what: str, thing: str, ident: str, written: Written, held: int, verdict: Verdict
) -> None:
    """A write that makes one thing: ok, exactly one; refused, none; unanswered, at most one."""
    if written.outcome == "ok" and held != 1:
        verdict.violation(f"an ok {what} is one {thing}", ident, f"{held} found")
    elif written.outcome == "failed" and held:
        verdict.violation(
            f"a refused {what} left no {thing}",
            ident,
            f"{held} found; attempts {written.attempts}",
        )
    elif written.outcome == "indeterminate" and held > 1:
        verdict.violation(f"an indeterminate {what} is at most one {thing}", ident, f"{held} found")


CANCELLED = ("cancelled", False)  # the appointment's status, whether a claim still names it
BOOKED = ("booked", True)


def _judge_cancel(
    appointment_id: str, written: Written, state: tuple[Any, bool], verdict: Verdict
) -> None:
    """One cancellation of the run against its appointment and claim."""
    expected = {"ok": (CANCELLED,), "failed": (BOOKED,), "indeterminate": (CANCELLED, BOOKED)}
    if state not in expected[written.outcome]:
        verdict.violation(
            f"a cancellation answered {written.outcome} is all or nothing",
            appointment_id,
            f"status {state[0]}, claim {'held' if state[1] else 'given back'};"
            f" attempts {written.attempts}",
        )


def _judge_slot(session_id: str, slot: Doc, session: Doc, held: int, verdict: Verdict) -> None:
    key, capacity = slot["key"], int(slot["capacity"])
    booked = int(session.get("booked", {}).get(key, 0))
    free = int(session.get("free", {}).get(key, 0))
    where = f"session {session_id} slot {key}"
    if booked > capacity or free < 0:
        verdict.violation(
            "no slot over capacity", where, f"booked {booked}, free {free} of {capacity}"
        )
    if held > capacity:
        verdict.violation(
            "no slot over capacity", where, f"{held} appointments for {capacity} places"
        )
    if booked < held:
        verdict.violation(
            "no place freed twice", where, f"counter {booked} below {held} appointments"
        )


def _judge_poison(
    poison: Doc,
    where: str,
    group: str,
    dead: dict[str, dict[tuple[str, int, int], str]],
    committed: dict[TopicPartition, int],
    verdict: Verdict,
) -> None:
    reason = dead.get(group, {}).get((poison["topic"], poison["partition"], poison["offset"]))
    if not reason:
        verdict.violation(
            "a poison message is dead-lettered with a reason", where, f"group {group}"
        )
    past = committed.get(TopicPartition(poison["topic"], poison["partition"]), -1)
    if past <= poison["offset"]:
        verdict.violation("the group went past a poison message", where, f"group {group} at {past}")


async def _dead_letters(
    bootstrap: str, groups: list[str]
) -> dict[str, dict[tuple[str, int, int], str]]:
    """Per group: (topic, partition, offset) of each dead letter, with its reason."""
    layout = await partitions(bootstrap, [f"{g}.dlq" for g in groups])
    found: dict[str, dict[tuple[str, int, int], str]] = {}
    for group in groups:
        tps = [TopicPartition(f"{group}.dlq", p) for p in layout.get(f"{group}.dlq", [])]
        if tps:
            found[group] = await _read_dlq(bootstrap, tps)
    return found


async def _read_dlq(bootstrap: str, tps: list[TopicPartition]) -> dict[tuple[str, int, int], str]:
    """Every dead letter of one topic, read from the beginning to the end seen at the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return await _letters(consumer, tps)
    finally:
        await consumer.stop()


async def _letters(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition]
) -> dict[tuple[str, int, int], str]:
    consumer.assign(tps)
    ends = await consumer.end_offsets(tps)
    for tp, start in (await consumer.beginning_offsets(tps)).items():
        consumer.seek(tp, start)
    letters: dict[tuple[str, int, int], str] = {}
    position = {tp: -1 for tp in tps}
    give_up = time.monotonic() + DLQ_READ_S
    while time.monotonic() < give_up:
        if all(position[tp] + 1 >= ends[tp] for tp in tps):
            break
        for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
            for m in messages:
                position[tp] = m.offset
                h = {k: v.decode(errors="replace") for k, v in m.headers or ()}
                if "dlq.topic" in h:
                    key = (h["dlq.topic"], int(h["dlq.partition"]), int(h["dlq.offset"]))
                    letters[key] = f"{h.get('dlq.reason', '')}: {h.get('dlq.error', '')}"[:200]
    return letters


def _warehouse_rows(root: Path, dose_ids: list[str]) -> Counter[str]:
    """Rows per dose in the warehouse's `doses` view, -n when n distinct events exist for one."""
    from vaxflow_warehouse.store.duck import connect

    if not dose_ids:
        return Counter()
    con = connect(root)
    try:
        con.execute("CREATE TEMP TABLE wanted (dose_id VARCHAR)")
        con.executemany("INSERT INTO wanted VALUES (?)", [(d,) for d in dose_ids])
        rows = con.execute(
            "SELECT w.dose_id, "
            "(SELECT count(*) FROM doses d WHERE d.dose_id::VARCHAR = w.dose_id), "
            "(SELECT count(DISTINCT event_id) FROM dose_administered a "
            " WHERE a.dose_id::VARCHAR = w.dose_id) "
            "FROM wanted w"
        ).fetchall()
    finally:
        con.close()
    return Counter(
        {
            str(d): (int(n) if int(events) <= 1 else -int(events))
            for d, n, events in rows
            if n or events
        }
    )


def _dose_id(citizen: str, written: Written) -> str:
    """The dose the answer named, else the id the citizen's first dose gets."""
    from vaxflow_injection.domain.doses import dose_id_for

    return written.ids.get("dose_id") or str(dose_id_for(UUID(citizen), 1, 0))


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
