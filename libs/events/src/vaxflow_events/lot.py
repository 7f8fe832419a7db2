"""Events of the lot stream, produced by monitoring; keyed by lot id."""

from enum import StrEnum
from typing import Annotated
from uuid import UUID, uuid5

from pydantic import Field

from vaxflow_events.base import Event, UtcDatetime
from vaxflow_events.common import Count, LotNumber, ValueSetCode

LOT_NAMESPACE = UUID("5b1f6c2e-8f0a-4c53-9d0e-2a7b6f1c9e41")
_LOT_ID = "VaxFlow lot id: `lot_id_for(product_code, lot_number)`; the message key."
NonNegative = Annotated[float, Field(ge=0)]


def lot_id_for(product_code: str, lot_number: str) -> UUID:
    """Return the VaxFlow lot id: the same for one manufacturer lot at every site and service."""
    # Derived rather than allocated, so scheduling, injection and monitoring agree without
    # a shared lot register.
    return uuid5(LOT_NAMESPACE, f"{product_code}|{lot_number.strip().upper()}")


class SignalRule(StrEnum):
    """Which signal threshold a lot crossed."""

    SERIOUS_CASES_IN_WINDOW = "serious_cases_in_window"
    SERIOUS_RATE_PER_100K_DOSES = "serious_rate_per_100k_doses"


class SuspensionReason(StrEnum):
    """Why a lot was suspended."""

    SAFETY_SIGNAL = "safety_signal"
    QUALITY_DEFECT = "quality_defect"
    COLD_CHAIN_BREACH = "cold_chain_breach"
    REGULATOR_ORDER = "regulator_order"


class ReleaseReason(StrEnum):
    """Why a suspended lot was released."""

    INVESTIGATION_CLEARED = "investigation_cleared"
    SIGNAL_NOT_CONFIRMED = "signal_not_confirmed"
    SUSPENDED_IN_ERROR = "suspended_in_error"


class LotSignalRaised(Event):
    """Serious adverse events on a lot crossed a signal threshold."""

    signal_id: UUID = Field(description="Id of the signal.")
    lot_id: UUID = Field(description=_LOT_ID)
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    lot_number: LotNumber = Field(description="Manufacturer's lot number.")
    rule: SignalRule = Field(description="Threshold crossed.")
    window_start: UtcDatetime = Field(description="Start of the sliding window evaluated.")
    window_end: UtcDatetime = Field(description="End of the sliding window evaluated.")
    serious_cases: Count = Field(description="Serious AEFI cases on the lot in the window.")
    doses_administered: Count = Field(description="Doses of the lot given, all time.")
    observed_value: NonNegative = Field(description="Value of the rule's measure.")
    threshold: NonNegative = Field(description="Threshold of the rule, from configuration.")


class LotSuspended(Event):
    """A lot was suspended: no site may use it until it is released."""

    lot_id: UUID = Field(description=_LOT_ID)
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    lot_number: LotNumber = Field(description="Manufacturer's lot number.")
    reason: SuspensionReason = Field(description="Why the lot was suspended.")
    signal_id: UUID | None = Field(description="Signal that led to the suspension, or null.")
    suspended_by: UUID = Field(description="Staff account of the MCC operator.")


class LotReleased(Event):
    """A suspended lot was released and may be used again."""

    lot_id: UUID = Field(description=_LOT_ID)
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    lot_number: LotNumber = Field(description="Manufacturer's lot number.")
    reason: ReleaseReason = Field(description="Why the lot was released.")
    released_by: UUID = Field(description="Staff account of the MCC operator.")
