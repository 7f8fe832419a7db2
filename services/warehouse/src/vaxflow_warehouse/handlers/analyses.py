"""Run a named analysis over a data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaxflow_warehouse.store.analyses import ANALYSES
from vaxflow_warehouse.store.duck import connect


class UnknownAnalysis(LookupError):
    """No analysis has this name."""


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """Column names and rows of one analysis."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def analysis_names() -> list[str]:
    """The names `vaxflow warehouse query` accepts."""
    return list(ANALYSES)


def run_analysis(root: Path, name: str) -> AnalysisResult:
    """Run one named analysis over the parts under `root`."""
    analysis = ANALYSES.get(name)
    if analysis is None:
        raise UnknownAnalysis(f"no analysis {name!r}; known: {', '.join(ANALYSES)}")
    con = connect(root)
    try:
        cursor = con.execute(analysis.sql)
        columns = tuple(d[0] for d in cursor.description or ())
        return AnalysisResult(name, columns, cursor.fetchall())
    finally:
        con.close()
