"""The base of every event contract: frozen, strict, closed to unknown fields."""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict

CONTRACT_CONFIG = ConfigDict(frozen=True, strict=True, extra="forbid")


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime normalised to UTC; a naive datetime is rejected."""


class ValueObject(BaseModel):
    """A part of an event payload, held to the same rules as the event."""

    model_config = CONTRACT_CONFIG


class Event(BaseModel):
    """A fact that happened; its `event_type` is the class name, in the past tense."""

    model_config = CONTRACT_CONFIG

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # The class name unless the class pins one: renaming a class must not rename the
        # event on the wire, which would break every consumer.
        if "event_type" not in cls.__dict__:
            cls.event_type = cls.__name__
