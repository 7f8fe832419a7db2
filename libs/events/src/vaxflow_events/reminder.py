"""Events of the reminder stream, produced by scheduling: a citizen's next dose is due."""

from datetime import date
from uuid import UUID

from pydantic import Field

from vaxflow_events.base import Event
from vaxflow_events.common import DoseNumber, ValueSetCode


class NextDoseDue(Event):
    """A citizen's next dose of the primary series is due and they hold no appointment for it."""

    reminder_id: UUID = Field(
        description="Id of the reminder, the same for one citizen and dose: a consumer that "
        "texts the citizen does it once per reminder id."
    )
    citizen_id: UUID = Field(description="VaxFlow id of the citizen; the message key.")
    dose_number: DoseNumber = Field(description="The dose now due, from the citizen's history.")
    product_code: ValueSetCode = Field(
        description="Product the dose must be of: that of the earlier doses (EU DCC `mp`)."
    )
    due_from: date = Field(
        description="First day the dose may be given (the product's minimum interval)."
    )
    due_until: date | None = Field(
        default=None,
        description="Last day of the recommended window (the product's maximum interval); "
        "null when the product sets none.",
    )
