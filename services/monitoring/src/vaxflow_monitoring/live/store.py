"""The live picture's documents in the service database: aggregates, alerts, rule thresholds.

Collections: `live_aggregates` (one document per day, site-day, site, and the totals, safety
and pipeline documents, each `_id` prefixed by the consumer group), `live_recent_events` (the
event ids of the last batches folded, one document per batch, so an outbox re-publish counts
once across a restart), `live_alerts` (one per alert, open to closed), `live_alert_keys` (the
alert currently open per rule and subject, unique by `_id`, so two evaluators never open the
same alert twice) and `live_rules`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_monitoring.live.folding import DocUpdate, Keys
from vaxflow_monitoring.live.picture import Aggregates
from vaxflow_monitoring.live.rules import Condition
from vaxflow_servicekit.mongo import Document, IndexSpec, as_stored, insert_once

AGGREGATES = "live_aggregates"
ALERTS = "live_alerts"
ALERT_KEYS = "live_alert_keys"
RULES = "live_rules"
RECENT = "live_recent_events"
# Statements per bulk write: FerretDB runs each as a query plus a write, so a batch touching
# hundreds of documents is sent as a few modest commands rather than one large one.
BULK_CHUNK = 50

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(AGGREGATES, [("group", 1), ("kind", 1), ("date", 1)], name="live_kind_date"),
    IndexSpec(RECENT, [("group", 1)], name="live_recent_group"),
    IndexSpec(ALERTS, [("status", 1)], name="live_alert_status"),
)


class LiveStore:
    """The live picture's Mongo adapter for one consumer group."""

    def __init__(self, db: AsyncDatabase[Document], group: str) -> None:
        self._db = db
        self.group = group
        self.keys = Keys(group)
        self._agg = db[AGGREGATES]

    # --- aggregates ---

    async def high_water(self, doc_id: str) -> dict[str, int]:
        """The offsets, per topic partition, whose effects a document holds."""
        found = await self._agg.find_one({"_id": doc_id}, {"hw": 1})
        return dict((found or {}).get("hw") or {})

    async def apply(self, updates: Mapping[str, DocUpdate]) -> int:
        """Write a batch's merged updates: one upsert per document, `BULK_CHUNK` per command.

        Returns the number of documents written.
        """
        writes = [
            UpdateOne({"_id": doc}, _with_group(u.operations(), self.group), upsert=True)
            for doc, u in updates.items()
        ]
        for start in range(0, len(writes), BULK_CHUNK):
            await self._agg.bulk_write(writes[start : start + BULK_CHUNK], ordered=False)
        return len(writes)

    # --- recent event ids ---

    async def recent_events(self) -> list[tuple[str, list[str]]]:
        """The stored batches of recent event ids, oldest first: (batch id, entries)."""
        found = await self._db[RECENT].find({"group": self.group}).to_list()
        return sorted((str(d["_id"]), list(d.get("ids") or [])) for d in found)

    async def save_recent(self, batch_id: str, entries: Sequence[str]) -> None:
        """Keep one batch's event ids (the same batch again writes the same document)."""
        await self._db[RECENT].update_one(
            {"_id": batch_id}, {"$set": {"group": self.group, "ids": list(entries)}}, upsert=True
        )

    async def forget_recent(self, batch_ids: Sequence[str]) -> None:
        """Drop the oldest batches of event ids."""
        await self._db[RECENT].delete_many({"_id": {"$in": list(batch_ids)}})

    async def aggregates(self, date: str) -> Aggregates:
        """The documents the summary of one local date is built from."""
        site_days = self._agg.find(
            {"group": self.group, "kind": "site", "date": date}, {"hw": 0}
        ).to_list()
        sites = self._agg.find({"group": self.group, "kind": "sitetotal"}, {"hw": 0}).to_list()
        return Aggregates(
            day=await self._one(self.keys.day(date)),
            site_days=await site_days,
            sites=await sites,
            totals=await self._one(self.keys.totals()),
            safety=await self._one(self.keys.safety()),
            pipeline=await self._one(self.keys.pipeline()),
        )

    async def _one(self, doc_id: str) -> Document:
        return await self._agg.find_one({"_id": doc_id}, {"hw": 0}) or {}

    async def save_pipeline(self, pipeline: Mapping[str, Any]) -> bool:
        """Record what Kafka said; True if it changed the picture."""
        doc_id = self.keys.pipeline()
        current = await self._one(doc_id)
        changed = any(current.get(k) != v for k, v in pipeline.items() if k != "checked_at")
        await self._agg.update_one(
            {"_id": doc_id}, {"$set": {**pipeline, "group": self.group}}, upsert=True
        )
        return changed

    # --- rules ---

    async def stored_rules(self) -> dict[str, Document]:
        """Thresholds operators set, by rule."""
        return {d["_id"]: d async for d in self._db[RULES].find({})}

    async def set_threshold(self, rule: str, threshold: float, site_id: str | None) -> None:
        """Store a rule's threshold, or one site's override of it."""
        path = f"site_overrides.{site_id}" if site_id else "threshold"
        await self._db[RULES].update_one({"_id": rule}, {"$set": {path: threshold}}, upsert=True)

    # --- alerts ---

    async def active_alerts(self) -> list[Document]:
        """Open and acknowledged alerts, newest first."""
        # Two equality reads (indexed) rather than `$ne: closed`, which FerretDB answers by
        # scanning every alert ever closed.
        found = [
            *await self._db[ALERTS].find({"status": "open"}).to_list(),
            *await self._db[ALERTS].find({"status": "acknowledged"}).to_list(),
        ]
        return sorted(found, key=lambda a: (a["opened_at"], a["_id"]), reverse=True)

    async def open_alert(self, alert: Document) -> bool:
        """Open an alert unless one is open for its rule and subject; True if opened."""
        if not await insert_once(
            self._db[ALERT_KEYS], {"_id": alert["key"], "alert_id": alert["_id"]}
        ):
            return False
        await self._db[ALERTS].insert_one(alert)
        return True

    async def refresh_alert(self, alert_id: str, condition: Condition) -> None:
        """Keep an alert's value and message current."""
        await self._db[ALERTS].update_one(
            {"_id": alert_id, "status": {"$ne": "closed"}},
            {
                "$set": {
                    "value": condition.value,
                    "threshold": condition.threshold,
                    "message": condition.message,
                }
            },
        )

    async def close_alert(self, alert: Document, at: datetime) -> None:
        """Close an alert whose condition cleared and free its rule and subject."""
        await self._db[ALERTS].update_one(
            {"_id": alert["_id"], "status": {"$ne": "closed"}},
            {"$set": {"status": "closed", "closed_at": as_stored(at)}},
        )
        await self._db[ALERT_KEYS].delete_one({"_id": alert["key"], "alert_id": alert["_id"]})

    async def alert(self, alert_id: str) -> Document | None:
        """One alert, whatever its status."""
        return await self._db[ALERTS].find_one({"_id": alert_id})

    async def acknowledge(
        self, alert_id: str, by: str, at: datetime, note: str | None
    ) -> Document | None:
        """Acknowledge an open alert (no change if already acknowledged); the alert after."""
        await self._db[ALERTS].update_one(
            {"_id": alert_id, "status": "open"},
            {
                "$set": {
                    "status": "acknowledged",
                    "acknowledged_at": as_stored(at),
                    "acknowledged_by": by,
                    "note": note,
                }
            },
        )
        return await self.alert(alert_id)

    async def alerts_page(
        self, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Document], str | None]:
        """A page of alerts, newest first; the cursor of the next page or None."""
        query: dict[str, Any] = {"status": status} if status else {}
        if cursor:
            opened_at, alert_id = _decode_cursor(cursor)
            query["$or"] = [
                {"opened_at": {"$lt": opened_at}},
                {"opened_at": opened_at, "_id": {"$lt": alert_id}},
            ]
        found = (
            await self._db[ALERTS]
            .find(query)
            .sort([("opened_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit + 1)
            .to_list()
        )
        page = found[:limit]
        more = len(found) > limit
        return page, _encode_cursor(page[-1]) if more and page else None


def _with_group(ops: dict[str, Any], group: str) -> dict[str, Any]:
    ops.setdefault("$set", {})["group"] = group
    return ops


def _encode_cursor(alert: Mapping[str, Any]) -> str:
    raw = f"{alert['opened_at'].isoformat()}|{alert['_id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Read a cursor; ValueError if it is not one of ours."""
    try:
        opened_at, alert_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(opened_at), alert_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor of this list") from exc


def alert_document(condition: Condition, alert_id: str, at: datetime) -> Document:
    """A new open alert for a condition."""
    return {
        "_id": alert_id,
        "key": condition.key,
        "rule": condition.rule,
        "subject": condition.subject,
        "subject_name": condition.subject_name,
        "status": "open",
        "opened_at": as_stored(at),
        "acknowledged_at": None,
        "acknowledged_by": None,
        "closed_at": None,
        "note": None,
        "message": condition.message,
        "value": condition.value,
        "threshold": condition.threshold,
    }


def by_key(alerts: Sequence[Document]) -> dict[str, Document]:
    """Alerts by rule and subject."""
    return {a["key"]: a for a in alerts}
