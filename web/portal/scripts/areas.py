"""Write public/areas.json: the current provinces and their wards, for the registration form.

The same official list registration checks addresses against (`vietnam-provinces`). Run from the
repository root when that package is upgraded:

    uv run --frozen python web/portal/scripts/areas.py
"""

from __future__ import annotations

import json
from pathlib import Path

from vietnam_provinces.lookup import PROVINCE_MAPPING, WARD_MAPPING

OUT = Path(__file__).resolve().parents[1] / "public" / "areas.json"


def main() -> None:
    wards: dict[str, list[list[str]]] = {}
    for ward in WARD_MAPPING.values():
        wards.setdefault(f"{int(ward.province_code):02d}", []).append(
            [f"{int(ward.code):05d}", ward.name]
        )
    provinces = [
        {
            "code": f"{int(p.code):02d}",
            "name": p.name,
            "wards": sorted(wards.get(f"{int(p.code):02d}", []), key=lambda w: w[1]),
        }
        for p in sorted(PROVINCE_MAPPING.values(), key=lambda p: p.name)
    ]
    OUT.write_text(json.dumps({"provinces": provinces}, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
