"""When the rows held in memory are written: by count or by age, whichever comes first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """Write when `max_rows` messages are held or the oldest has waited `max_seconds`."""

    max_rows: int = 50_000
    max_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_seconds <= 0:
            raise ValueError("a batch needs at least one row and a positive age limit")

    def due(self, held: int, oldest_age_s: float) -> bool:
        """True when the held messages must be written now."""
        return held >= self.max_rows or (held > 0 and oldest_age_s >= self.max_seconds)
