"""Fault points: off by default, configured by text or a file, crash or delay (issue 11)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaxflow_servicekit import faultpoints


@pytest.fixture(autouse=True)
def _off_afterwards() -> Iterator[None]:
    yield
    faultpoints.configure()


def test_the_spec_names_points_and_actions() -> None:
    parsed = faultpoints.parse("consumer.after_effect=crash:0.01, consumer.before_effect=delay:0.2")

    assert parsed == {
        "consumer.after_effect": faultpoints.Fault("crash", 0.01),
        "consumer.before_effect": faultpoints.Fault("delay", 0.2),
    }


@pytest.mark.parametrize("spec", ["consumer.after=crash:1", "relay.after_publish=explode:1"])
def test_an_unknown_point_or_action_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="fault point"):
        faultpoints.parse(spec)


async def test_a_delay_point_sleeps_there() -> None:
    faultpoints.configure("consumer.before_effect=delay:0.3")

    started = time.monotonic()
    await faultpoints.hit("consumer.before_effect")
    await faultpoints.hit("consumer.after_effect")  # not configured: passes at once

    assert time.monotonic() - started >= 0.3


def _run_point(env: dict[str, str]) -> int:
    code = (
        "import asyncio; from vaxflow_servicekit import faultpoints; "
        "asyncio.run(faultpoints.hit('relay.after_publish')); print('passed')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    return done.returncode


def test_off_by_default_and_a_certain_crash_exits_137(tmp_path: Path) -> None:
    assert _run_point({}) == 0
    assert _run_point({faultpoints.POINTS_ENV: "relay.after_publish=crash:1"}) == 137
    points = tmp_path / "points"
    assert _run_point({faultpoints.POINTS_FILE_ENV: str(points)}) == 0  # no file: off
    points.write_text("relay.after_publish=crash:1\n")
    assert _run_point({faultpoints.POINTS_FILE_ENV: str(points)}) == 137


async def test_the_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    points = tmp_path / "points"
    points.write_text("consumer.before_effect=delay:0.01")
    faultpoints.configure(path=points)
    assert faultpoints._points is not None
    assert faultpoints._points.current()["consumer.before_effect"].value == 0.01

    points.write_text("consumer.before_effect=delay:0.02")
    await asyncio.sleep(faultpoints.RELOAD_S + 0.1)

    assert faultpoints._points.current()["consumer.before_effect"].value == 0.02
