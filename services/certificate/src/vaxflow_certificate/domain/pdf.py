"""The one-page certificate in Vietnamese and English, with its QR code.

The font must cover Vietnamese (DejaVu Sans does); it is embedded, so the page prints the
same everywhere.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from vaxflow_certificate.domain.records import CertificateRecord, Status
from vaxflow_certificate.domain.valuesets import ValueSets
from vaxflow_events import CertificateLevel

LEVELS: dict[CertificateLevel, tuple[str, str]] = {
    CertificateLevel.PARTIAL: ("Đã tiêm một phần", "Partially vaccinated"),
    CertificateLevel.COMPLETE: ("Đã tiêm đủ liều cơ bản", "Primary series complete"),
    CertificateLevel.BOOSTER: ("Đã tiêm mũi nhắc lại", "Booster dose received"),
}
STATUSES: dict[Status, tuple[str, str]] = {
    Status.VALID: ("Có hiệu lực", "Valid"),
    Status.REVOKED: ("Đã thu hồi", "Revoked"),
}


@dataclass(frozen=True)
class Fonts:
    """Regular and bold TrueType files with Vietnamese glyphs."""

    regular: Path
    bold: Path


def _rows(record: CertificateRecord) -> list[tuple[str, str, str]]:
    dcc: dict[str, Any] = json.loads(record.dcc_json)
    entry, names, sets = dcc["v"][0], dcc["nam"], ValueSets.bundled()
    full_name = " ".join(n for n in (names.get("fn"), names.get("gn")) if n)
    icao = " ".join(n for n in (names.get("fnt"), names.get("gnt")) if n)
    level_vi, level_en = LEVELS[record.level]
    status_vi, status_en = STATUSES[record.status]
    return [
        ("Họ và tên", "Name", f"{full_name} ({icao})"),
        ("Ngày sinh", "Date of birth", dcc["dob"]),
        ("Bệnh", "Disease", sets.diseases.get(entry["tg"], entry["tg"])),
        ("Vắc xin", "Vaccine", sets.products.get(entry["mp"], entry["mp"])),
        ("Nhà sản xuất", "Manufacturer", sets.manufacturers.get(entry["ma"], entry["ma"])),
        ("Mũi tiêm", "Dose", f"{entry['dn']}/{entry['sd']}"),
        ("Ngày tiêm", "Date of vaccination", entry["dt"]),
        ("Mức độ", "Level", f"{level_vi} / {level_en}"),
        ("Quốc gia", "Country", entry["co"]),
        ("Đơn vị cấp", "Issuer", entry["is"]),
        ("Mã chứng nhận", "Certificate identifier", record.uvci),
        ("Hiệu lực đến", "Valid until", record.expires_at.date().isoformat()),
        ("Trạng thái", "Status", f"{status_vi} / {status_en}"),
    ]


def certificate_pdf(record: CertificateRecord, qr_png: bytes, fonts: Fonts) -> bytes:
    """The A4 page of a certificate."""
    pdf = FPDF(format="A4")
    pdf.set_title("Chứng nhận tiêm chủng COVID-19 / COVID-19 vaccination certificate")
    pdf.add_font("body", "", str(fonts.regular))
    pdf.add_font("body", "B", str(fonts.bold))
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    pdf.cell(0, 9, "CHỨNG NHẬN TIÊM CHỦNG COVID-19", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 12)
    pdf.cell(0, 7, "COVID-19 vaccination certificate", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(qr_png), x=(210 - 70) / 2, y=pdf.get_y() + 4, w=70, h=70)
    pdf.set_y(pdf.get_y() + 80)
    for vietnamese, english, value in _rows(record):
        pdf.set_font("body", "B", 10)
        pdf.cell(62, 6, vietnamese)
        pdf.set_font("body", "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 8)
        pdf.cell(0, 4, english, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
