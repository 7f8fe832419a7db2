"""The run as a picture: requests and doses per second, and each consumer group's lag over time.

Drawn with matplotlib's Agg renderer straight onto a figure object (no pyplot, no display), from
the result document alone, so a recorded result can be drawn again at any time:

    figure = chart_figure(result)   # three panels, one line per series, labelled
    save_chart(result, path)        # the same as a PNG of WIDTH_PX x HEIGHT_PX
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 100
WIDTH_PX = 1200
HEIGHT_PX = 900
REQUESTS = "requests/s"
DOSES = "doses/s"


def chart_figure(result: dict[str, Any]) -> Figure:
    """Requests/s, doses/s (per second of the run) and consumer lag per group (events)."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    requests_axes, doses_axes, lag_axes = figure.subplots(3, 1, sharex=True)
    timeline = result.get("timeline", [])
    seconds = [row["second"] for row in timeline]
    requests_axes.plot(seconds, [row["requests"] for row in timeline], label=REQUESTS)
    requests_axes.set_ylabel("requests per second")
    doses_axes.plot(seconds, [row["doses"] for row in timeline], label=DOSES, color="tab:green")
    doses_axes.set_ylabel("doses per second")
    _lag(lag_axes, result.get("consumer_lag", {}).get("samples", []))
    lag_axes.set_xlabel("seconds since the day started")
    for axes in (requests_axes, doses_axes, lag_axes):
        axes.grid(True, alpha=0.3)
        if axes.get_lines():  # legends to the right of the plots, clear of the lines
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    figure.suptitle(_title(result))
    figure.subplots_adjust(left=0.07, right=0.78, top=0.93, bottom=0.07, hspace=0.15)
    return figure


def save_chart(result: dict[str, Any], path: Path) -> Path:
    """Write the chart of a result as a PNG at `path`; the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chart_figure(result).savefig(path, format="png", dpi=DPI)
    return path


def _lag(axes: Any, samples: list[dict[str, Any]]) -> None:
    """One line per consumer group; a group missing from a sample leaves a gap in its line."""
    groups = sorted({group for sample in samples for group in sample["lag"]})
    colours = colormaps["tab20"]  # a colour of its own for each of up to 20 groups
    for index, group in enumerate(groups):
        points = [(s["second"], s["lag"][group]) for s in samples if group in s["lag"]]
        axes.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            label=group,
            color=colours(index % colours.N),
            linestyle="-" if index < colours.N else "--",
        )
    axes.set_ylabel("consumer lag (events)")
    if not groups:
        axes.text(0.5, 0.5, "no lag samples", ha="center", va="center", transform=axes.transAxes)


def _title(result: dict[str, Any]) -> str:
    p = result.get("parameters", {})
    doses = result.get("doses", {})
    return (
        f"campaign simulation {result.get('run_id', '?')}: {p.get('sites', '?')} sites, "
        f"{doses.get('recorded', '?')} doses in {result.get('wall_seconds', '?')} s "
        f"(x{p.get('speedup', '?')}, seed {p.get('seed', '?')})"
    )
