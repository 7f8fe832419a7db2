"""The vaccine products and their interval rules, loaded from data (`data/products.toml`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Product:
    """A vaccine product and when its doses are due."""

    code: str
    name: str
    manufacturer: str
    series_doses: int
    min_interval_days: int
    max_interval_days: int
    booster_after_days: int
    doses_per_vial: int


@cache
def catalogue() -> dict[str, Product]:
    """Every product scheduling offers, by EU DCC product code."""
    text = resources.files("vaxflow_scheduling.data").joinpath("products.toml").read_text("utf-8")
    return {row["code"]: Product(**row) for row in tomllib.loads(text)["product"]}


def product(code: str) -> Product | None:
    """The product of a code, or None when scheduling does not offer it."""
    return catalogue().get(code)
