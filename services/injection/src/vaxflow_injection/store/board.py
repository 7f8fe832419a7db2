"""A site's day as its board shows it: screenings, doses and observations of one site and date.

Every query is an equality on the site and the local date (indexed), so a board read touches
one day of one site however long the service has run.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_injection.store.doses import DOSES, OBSERVATIONS
from vaxflow_injection.store.readmodels import CHECK_INS, check_in_key
from vaxflow_injection.store.screenings import SCREENINGS
from vaxflow_servicekit.mongo import Document, IndexSpec

BOARD_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(SCREENINGS, [("site_id", 1), ("local_date", 1)], name="by_site_day"),
    IndexSpec(DOSES, [("site_id", 1), ("vaccination.administered_on", 1)], name="by_site_day"),
    IndexSpec(OBSERVATIONS, [("site_id", 1), ("local_date", 1)], name="by_site_day"),
)

_SCREENING_FIELDS = {
    "citizen_id": 1,
    "appointment_id": 1,
    "product_code": 1,
    "outcome": 1,
    "proposed_outcome": 1,
    "screened_at": 1,
}
_DOSE_FIELDS = {
    "citizen_id": 1,
    "status": 1,
    "appointment_id": 1,
    "vaccination.product_code": 1,
    "vaccination.lot_number": 1,
    "vaccination.dose_number": 1,
    "vaccination.administered_at": 1,
}
_OBSERVATION_FIELDS = {
    "dose_id": 1,
    "citizen_id": 1,
    "recorded_at": 1,
    "observed_minutes": 1,
    "reactions.code": 1,
    "serious": 1,
}


class MongoBoard:
    """Reads of one site's day across `screenings`, `doses` and `observations`."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._screenings = db[SCREENINGS]
        self._doses = db[DOSES]
        self._observations = db[OBSERVATIONS]
        self._check_ins = db[CHECK_INS]

    async def screenings(self, site_id: UUID, day: date) -> list[Document]:
        """The site's screenings that day, in no particular order."""
        query = {"site_id": str(site_id), "local_date": day.isoformat()}
        return [d async for d in self._screenings.find(query, _SCREENING_FIELDS)]

    async def doses(self, site_id: UUID, day: date) -> list[Document]:
        """The site's dose records given that day (voided ones included), in no order."""
        query = {"site_id": str(site_id), "vaccination.administered_on": day.isoformat()}
        return [d async for d in self._doses.find(query, _DOSE_FIELDS)]

    async def queue_numbers(
        self, site_id: UUID, day: date, citizen_ids: set[str]
    ) -> dict[str, int]:
        """The queue numbers the citizens were given at the site that day (those known)."""
        if not citizen_ids:
            return {}
        keys = [check_in_key(UUID(c), site_id, day) for c in sorted(citizen_ids)]
        cursor = self._check_ins.find({"_id": {"$in": keys}}, {"queue_number": 1})
        return {
            d["_id"].split("|")[0]: d["queue_number"]
            async for d in cursor
            if d.get("queue_number") is not None
        }

    async def observations(self, site_id: UUID, day: date) -> list[Document]:
        """The observations the site recorded that day, in no order."""
        query = {"site_id": str(site_id), "local_date": day.isoformat()}
        return [d async for d in self._observations.find(query, _OBSERVATION_FIELDS)]
