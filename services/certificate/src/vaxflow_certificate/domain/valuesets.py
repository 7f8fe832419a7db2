"""The EU DCC value sets the payload's codes come from (package data, Apache-2.0)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

_FILES = {
    "products": "vaccine-medicinal-product.json",
    "manufacturers": "vaccine-mah-manf.json",
    "prophylaxis": "vaccine-prophylaxis.json",
    "diseases": "disease-agent-targeted.json",
    "countries": "country-2-codes.json",
}


def _load(name: str) -> dict[str, str]:
    source = resources.files("vaxflow_certificate.data").joinpath("valuesets", name)
    values = json.loads(source.read_text(encoding="utf-8"))["valueSetValues"]
    return {code: entry["display"] for code, entry in values.items()}


@dataclass(frozen=True)
class ValueSets:
    """Code -> display name, for each value set a vaccination entry uses."""

    products: Mapping[str, str]
    manufacturers: Mapping[str, str]
    prophylaxis: Mapping[str, str]
    diseases: Mapping[str, str]
    countries: Mapping[str, str]

    @staticmethod
    @cache
    def bundled() -> ValueSets:
        """The value sets shipped with the service."""
        return ValueSets(**{field: _load(name) for field, name in _FILES.items()})

    def unknown_codes(
        self, *, product: str, manufacturer: str, prophylaxis: str, disease: str, country: str
    ) -> list[str]:
        """The DCC fields (`mp`, `ma`, `vp`, `tg`, `co`) whose code is not in its value set."""
        checks = {
            "mp": product in self.products,
            "ma": manufacturer in self.manufacturers,
            "vp": prophylaxis in self.prophylaxis,
            "tg": disease in self.diseases,
            "co": country in self.countries,
        }
        return [name for name, known in checks.items() if not known]
