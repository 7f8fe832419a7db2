"""The vaccine products injection records, and their series and interval rules (data)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

COVID_19 = "840539006"


@dataclass(frozen=True, slots=True)
class Product:
    """A product's codes and the rules of its series."""

    code: str
    name: str
    manufacturer: str
    vaccine_type: str
    series_doses: int
    min_interval_days: int
    booster_after_days: int
    target_disease: str = COVID_19


@cache
def catalogue() -> dict[str, Product]:
    """Every product of data/products.toml by its EU DCC code."""
    text = resources.files("vaxflow_injection.data").joinpath("products.toml").read_text("utf-8")
    return {row["code"]: Product(**row) for row in tomllib.loads(text)["product"]}


def product(code: str) -> Product | None:
    """The product with this code, if injection knows it."""
    return catalogue().get(code)
