"""Fixtures for the tests of the local stack itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from vaxflow.stack import control
from vaxflow.stack.config import StackSettings

T = TypeVar("T")


@pytest.fixture(scope="session")
def settings() -> StackSettings:
    """The settings the running stack was started with (same VAXFLOW_STACK_* environment)."""
    return StackSettings()


@pytest.fixture(scope="session")
def running_stack(settings: StackSettings) -> StackSettings:
    """Fail, not skip, when the stack is not running: these tests exist to check it."""
    rows = control.status(settings)
    if rows is None:
        pytest.fail("the local stack is not running: start it with `make up`")
    down = [row.name for row in rows if row.state != "RUNNING"]
    if down:
        pytest.fail(f"parts of the local stack are not running: {down}")
    return settings


def poll(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Return the first truthy result of check, or fail after the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)
