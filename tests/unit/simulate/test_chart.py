"""The run's chart: drawn from a recorded result, with every series, written as a PNG.

`recorded_result.json` is an excerpt of a real `make simulate` result (its first 40 seconds and
15 consumer lag samples of three groups; the warehouse's group is missing from one sample).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from vaxflow.simulate.chart import DOSES, HEIGHT_PX, REQUESTS, WIDTH_PX, chart_figure, save_chart
from vaxflow.simulate.report import summary, write_result

RECORDED = Path(__file__).with_name("recorded_result.json")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def recorded() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(RECORDED.read_text("utf-8"))
    return result


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's header chunk (IHDR), after checking the signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, head[:8]
    assert head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def lines_by_label(result: dict[str, Any]) -> dict[str, tuple[list[float], list[float]]]:
    figure = chart_figure(result)
    found: dict[str, tuple[list[float], list[float]]] = {}
    for axes in figure.axes:
        for line in axes.get_lines():
            xs, ys = line.get_data()
            found[str(line.get_label())] = ([float(x) for x in xs], [float(y) for y in ys])
    return found


def test_the_chart_plots_the_recorded_throughput_and_each_groups_lag(
    recorded: dict[str, Any],
) -> None:
    lines = lines_by_label(recorded)

    timeline = recorded["timeline"]
    assert set(lines) == {REQUESTS, DOSES, "certificate.doses", "scheduling.reactions", "warehouse"}
    assert lines[REQUESTS] == (
        [row["second"] for row in timeline],
        [row["requests"] for row in timeline],
    )
    assert lines[DOSES][1] == [row["doses"] for row in timeline]
    samples = recorded["consumer_lag"]["samples"]
    assert lines["scheduling.reactions"] == (
        [s["second"] for s in samples],
        [s["lag"]["scheduling.reactions"] for s in samples],
    )
    # The sample without the warehouse's group is left out of its line, not drawn as zero.
    assert len(lines["warehouse"][0]) == len(samples) - 1


def test_the_chart_is_a_png_of_the_expected_size(recorded: dict[str, Any], tmp_path: Path) -> None:
    path = save_chart(recorded, tmp_path / "charts" / "run.png")

    assert png_size(path) == (WIDTH_PX, HEIGHT_PX)


def test_a_run_without_lag_samples_still_gets_its_throughput_chart(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    recorded["consumer_lag"] = {"peak": {}, "samples": []}

    assert set(lines_by_label(recorded)) == {REQUESTS, DOSES}
    assert png_size(save_chart(recorded, tmp_path / "run.png")) == (WIDTH_PX, HEIGHT_PX)


def test_the_result_names_its_chart_which_lies_beside_the_json(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    json_path = tmp_path / "result-20261126T080000Z.json"

    png_path = write_result(recorded, json_path)

    written = json.loads(json_path.read_text("utf-8"))
    assert png_path == tmp_path / "result-20261126T080000Z.png"
    assert written["chart"] == str(png_path)
    assert png_size(png_path) == (WIDTH_PX, HEIGHT_PX)
    assert f"chart: {png_path}" in summary(written)
