"""Events of the stock stream, produced by scheduling's stock ledger; keyed by site."""

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from vaxflow_events.base import Event
from vaxflow_events.common import Count, LotNumber, ValueSetCode

_LOT_ID = "VaxFlow lot id: `lot_id_for(product_code, lot_number)`, the same at every site."
_BALANCE = "Doses of this lot on hand at the site after this ledger entry."
NonNegativeRate = Annotated[float, Field(ge=0)]


class StockAdjustmentReason(StrEnum):
    """Why the ledger was adjusted outside receipts and doses."""

    OPENED_VIAL_EXPIRED = "opened_vial_expired"
    COLD_CHAIN_FAILURE = "cold_chain_failure"
    BREAKAGE = "breakage"
    LOT_EXPIRED = "lot_expired"
    COUNT_CORRECTION = "count_correction"
    DOSE_CORRECTED = "dose_corrected"
    DOSE_VOIDED = "dose_voided"


class StockReceived(Event):
    """Doses of a lot were received at a site."""

    receipt_id: UUID = Field(description="Id of the receipt in the ledger.")
    site_id: UUID = Field(description="Site that received the doses; the message key.")
    lot_id: UUID = Field(description=_LOT_ID)
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    manufacturer_code: ValueSetCode = Field(
        description="Marketing authorisation holder or manufacturer (EU DCC `ma` value set)."
    )
    lot_number: LotNumber = Field(description="Manufacturer's lot number.")
    expiry_date: date = Field(description="Last day the lot may be used.")
    doses_per_vial: int = Field(ge=1, description="Doses in one vial of this lot.")
    doses_received: int = Field(ge=1, description="Doses received in this receipt.")
    balance_after: Count = Field(description=_BALANCE)


class StockAdjusted(Event):
    """A site's stock of a lot was adjusted: wastage, a recount, or a corrected dose record."""

    adjustment_id: UUID = Field(description="Id of the adjustment in the ledger.")
    site_id: UUID = Field(description="Site whose stock changed; the message key.")
    lot_id: UUID = Field(description=_LOT_ID)
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    doses_delta: int = Field(description="Change in doses on hand: negative for wastage.")
    reason: StockAdjustmentReason = Field(description="Why the stock was adjusted.")
    dose_id: UUID | None = Field(
        description="Dose record whose correction or voiding caused the adjustment, or null."
    )
    adjusted_by: UUID | None = Field(
        description="Staff account that made the adjustment, or null when it followed a dose event."
    )
    balance_after: Count = Field(description=_BALANCE)


class StockLow(Event):
    """A site's days of supply of a product fell below the threshold."""

    site_id: UUID = Field(description="Site running low; the message key.")
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    doses_on_hand: Count = Field(description="Usable doses of the product at the site.")
    doses_per_day: NonNegativeRate = Field(
        description="Doses of the product given per day at the site, at the recent rate."
    )
    days_of_supply: NonNegativeRate = Field(description="Doses on hand divided by doses per day.")
    threshold_days: NonNegativeRate = Field(
        description="Days of supply below which the site is low, from configuration."
    )
