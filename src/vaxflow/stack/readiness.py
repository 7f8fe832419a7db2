"""Wait, with a deadline, until a started part really answers."""

from __future__ import annotations

import time

from vaxflow.stack.errors import StackError
from vaxflow.stack.parts import LogWindow, Part, tail
from vaxflow.stack.supervisor import Supervisor

WAITING_STATES = ("STARTING", "RUNNING", "BACKOFF")


def wait_ready(part: Part, supervisor: Supervisor, log: LogWindow, timeout: float) -> float:
    """Return how many seconds the part took to answer; raise StackError with its log if not."""
    began = time.monotonic()
    deadline = began + timeout
    while True:
        reason = _not_ready(part, supervisor, log)
        if reason is None:
            return time.monotonic() - began
        if time.monotonic() > deadline:
            raise StackError(
                part.name, f"not ready after {timeout:.0f} s: {reason}", tail(log.path)
            )
        time.sleep(0.25)


def _not_ready(part: Part, supervisor: Supervisor, log: LogWindow) -> str | None:
    info = supervisor.info(part.name)
    if info is None:
        raise StackError(part.name, "the supervisor does not know this program")
    state = str(info["statename"])
    if state not in WAITING_STATES:
        why = info.get("spawnerr") or info.get("description") or ""
        raise StackError(part.name, f"the process is {state} ({why})", tail(log.path))
    if state == "BACKOFF":
        return f"the process exited and the supervisor is restarting it ({info.get('spawnerr')})"
    reason = part.check_ready(log)
    if reason is None and state == "STARTING":
        return "it answers, but has not yet run long enough for the supervisor to count it as up"
    return reason
