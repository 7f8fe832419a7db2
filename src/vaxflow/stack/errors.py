"""The one error the stack commands report to the user."""

from __future__ import annotations


class StackError(Exception):
    """A part of the stack could not be prepared, started, stopped or reached."""

    def __init__(self, part: str, reason: str, log_tail: str = "") -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason
        self.log_tail = log_tail

    def report(self) -> str:
        """Return the message for the terminal, with the tail of the part's log if any."""
        text = f"FAILED {self.part}: {self.reason}"
        if self.log_tail:
            text += f"\n--- last lines of the {self.part} log ---\n{self.log_tail}"
        return text


class StackErrors(Exception):
    """Several problems found at once (missing tools, ports taken)."""

    def __init__(self, errors: list[StackError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
