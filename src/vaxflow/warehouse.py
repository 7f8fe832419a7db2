"""`vaxflow warehouse query <analysis>` and `vaxflow warehouse rebuild`: the analytics copy.

`query` runs a named analysis with DuckDB over the Parquet files and prints a table, CSV or
JSON. `rebuild` replays every topic from the beginning into a fresh directory (stop the sink
first, then point VAXFLOW_WAREHOUSE_DATA_DIR at the new directory and start it again).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from vaxflow_warehouse.handlers.analyses import (
    AnalysisResult,
    UnknownAnalysis,
    analysis_names,
    run_analysis,
)
from vaxflow_warehouse.handlers.ingest import settle_collector
from vaxflow_warehouse.main import ingest_for, policy_for
from vaxflow_warehouse.settings import WarehouseSettings
from vaxflow_warehouse.store.analyses import ANALYSES
from vaxflow_warehouse.store.ranges import RangeStore
from vaxflow_warehouse.workers.rebuild import Rebuild

from vaxflow.stack.config import find_root

FORMATS = ("table", "csv", "json")


def register(subparsers: Any) -> None:
    """Add `warehouse query` and `warehouse rebuild`."""
    group = subparsers.add_parser("warehouse", help="query or rebuild the analytics warehouse")
    commands = group.add_subparsers(dest="warehouse_command", required=True, metavar="ACTION")
    query = commands.add_parser(
        "query",
        help="run a named analysis",
        description="\n".join(f"{a.name}: {a.summary}" for a in ANALYSES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    query.add_argument("analysis", choices=analysis_names())
    query.add_argument("--format", choices=FORMATS, default="table")
    query.add_argument("--data-dir", type=Path, help="default: VAXFLOW_WAREHOUSE_DATA_DIR")
    query.set_defaults(handler=_query)
    rebuild = commands.add_parser(
        "rebuild", help="replay every topic from the beginning into a fresh directory"
    )
    rebuild.add_argument("--into", type=Path, help="default: .stack/warehouse/rebuild-<time>")
    rebuild.set_defaults(handler=_rebuild)


def data_dir(settings: WarehouseSettings, given: Path | None) -> Path:
    """The directory to read: given, else the configured one (relative to the repository)."""
    path = given or settings.data_dir
    return path if path.is_absolute() else find_root() / path


def _query(args: argparse.Namespace) -> int:
    root = data_dir(WarehouseSettings(), args.data_dir)
    try:
        result = run_analysis(root, args.analysis)
    except UnknownAnalysis as error:
        print(error, file=sys.stderr)
        return 2
    write_result(result, args.format, sys.stdout)
    return 0


def write_result(result: AnalysisResult, form: str, out: TextIO) -> None:
    """Print an analysis as an aligned table, CSV with a header, or a JSON array of objects."""
    if form == "csv":
        writer = csv.writer(out)
        writer.writerow(result.columns)
        writer.writerows(["" if v is None else _text(v) for v in row] for row in result.rows)
    elif form == "json":
        objects = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        json.dump(objects, out, default=_text, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(_table(result.columns, result.rows))


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(columns), *[["" if v is None else _text(v) for v in row] for row in rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(rows)} rows)")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _rebuild(args: argparse.Namespace) -> int:
    settings = WarehouseSettings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = data_dir(settings, args.into or Path(".stack/warehouse") / f"rebuild-{stamp}")
    if target.exists() and any(target.iterdir()):
        print(f"{target} is not empty: a rebuild needs a fresh directory", file=sys.stderr)
        return 2
    rebuild = Rebuild(
        kafka=settings.kafka,
        topics=settings.topics,
        ingest=ingest_for(settings, RangeStore(target)),
        policy=policy_for(settings),
        fetch_max_records=settings.fetch_max_records,
    )
    settle_collector()  # a bulk read, as the sink's
    result = asyncio.run(rebuild.run())
    print(
        f"rebuilt {target}: {result.messages} messages from {result.partitions} partitions, "
        f"{result.rejected} not parseable (left out, as in the sink)"
    )
    return 0
