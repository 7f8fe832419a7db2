"""The QR image (decoded back with zxing-cpp) and the bilingual PDF."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path
from uuid import uuid4

import pytest
import zxingcpp
from PIL import Image
from vaxflow_certificate.domain.issuing import IssuePolicy, issue
from vaxflow_certificate.domain.pdf import Fonts, certificate_pdf
from vaxflow_certificate.domain.qr import QrCache, qr_png
from vaxflow_certificate.domain.records import CertificateRecord
from vaxflow_certificate.domain.signers import Signer

from tests.unit.certificate.conftest import DOSE, NOW, PERSON

# Byte-mode capacity at error correction Q, by QR version: text longer than this at the
# decoded version can only have been encoded in alphanumeric mode.
BYTE_CAPACITY_Q = {
    12: 203, 13: 241, 14: 258, 15: 292, 16: 322, 17: 364, 18: 394, 19: 442, 20: 482,
    21: 509, 22: 565, 23: 611, 24: 661, 25: 715,
}  # fmt: skip
FONTS = Fonts(
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


@pytest.fixture(scope="module")
def record(signer: Signer) -> CertificateRecord:
    issued = issue(
        PERSON,
        DOSE,
        booster=False,
        certificate_id=uuid4(),
        signer=signer,
        now=NOW,
        policy=IssuePolicy(),
    )
    return CertificateRecord.of(issued, dose_id=uuid4(), citizen_id=uuid4())


def test_the_qr_png_decodes_to_the_hc1_text_in_alphanumeric_mode_ecc_q(
    record: CertificateRecord,
) -> None:
    image = Image.open(io.BytesIO(qr_png(record.hc1)))
    assert image.format == "PNG"
    found = zxingcpp.read_barcode(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None
    assert found.text == record.hc1
    assert found.ec_level == "Q"
    version = int(found.extra["Version"])
    assert len(record.hc1) > BYTE_CAPACITY_Q[version]


def test_the_cache_renders_each_text_once(record: CertificateRecord) -> None:
    cache = QrCache(size=1)
    first = cache.png(record.hc1)
    assert cache.png(record.hc1) is first
    cache.png("HC1:OTHER")
    cache.png(record.hc1)
    assert cache.renders == 3


def _streams(pdf: bytes) -> str:
    texts = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            texts.append(raw.decode("latin-1"))
    return "\n".join(texts)


def test_the_pdf_is_one_page_with_vietnamese_glyphs_embedded(record: CertificateRecord) -> None:
    pdf = certificate_pdf(record, qr_png(record.hc1), FONTS)
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    assert b"/FontFile2" in pdf
    assert b"DejaVuSans" in pdf
    mapped = _streams(pdf).upper()
    # ễ (Nguyễn), ă (Văn), ứ/ậ (the Vietnamese labels) are in the embedded font's Unicode map.
    for code_point in ("1EC5", "0103", "1EE8", "1EAC"):
        assert code_point in mapped, code_point
    assert b"/Subtype /Image" in pdf
