"""QR images of `HC1:` texts: alphanumeric mode, error correction Q, as PNG, with a cache.

zxing-cpp (C++) encodes the symbol and draws its modules one pixel each; the 1-bit PNG is
then written directly, four pixels per module. Encoding (the choice of the mask pattern by
the standard's penalty rules above all) is most of a render's time; the rest takes a tenth
of a millisecond. Pillow's resize, packing and PNG writer took four times as long.
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict
from typing import Any, cast

import zxingcpp

# One hexadecimal digit per module: its four bits are the module's four pixels in a row.
MODULE_PIXELS = 4
_HEX_DIGIT = bytes.maketrans(b"\x00\xff", b"0f")  # zxing-cpp's black and white
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Level 1 is a few times faster than the default and the image stays near 2 kB.
_COMPRESS_LEVEL = 1


def qr_png(text: str) -> bytes:
    """A 1-bit PNG of the QR code of `text` (with its quiet zone), 4 pixels per module.

    The `HC1:` alphabet (digits, capitals, space and `$%*+-./:`) is QR's alphanumeric set,
    which the encoder picks for such text.
    """
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    matrix = symbol.to_image(scale=1)
    height, width = matrix.shape
    return _png(_scanlines(bytes(memoryview(cast(Any, matrix))), width), width, height)


def _scanlines(modules: bytes, width: int) -> bytes:
    """PNG scanlines (filter byte 0) of a module matrix, each module 4 x 4 pixels."""
    digits = modules.translate(_HEX_DIGIT).decode("ascii")
    pad = "f" * (width % 2)  # a whole last byte: white beyond the image's edge
    rows = (
        b"\x00" + bytes.fromhex(digits[start : start + width] + pad)
        for start in range(0, len(digits), width)
    )
    return b"".join(row * MODULE_PIXELS for row in rows)


def _png(scanlines: bytes, width: int, height: int) -> bytes:
    header = struct.pack(
        ">IIBBBBB", width * MODULE_PIXELS, height * MODULE_PIXELS, 1, 0, 0, 0, 0
    )  # bit depth 1, greyscale, deflate, filters of method 0, no interlace
    return b"".join(
        (
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(scanlines, _COMPRESS_LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


class QrCache:
    """The most recently rendered QR images, by the text they encode (least recently used out)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._images: OrderedDict[str, bytes] = OrderedDict()
        self.renders = 0

    def png(self, text: str) -> bytes:
        """The PNG of `text`, rendered once while it stays in the cache."""
        cached = self._images.get(text)
        if cached is not None:
            self._images.move_to_end(text)
            return cached
        image = qr_png(text)
        self.renders += 1
        if self._size:
            self._images[text] = image
            if len(self._images) > self._size:
                self._images.popitem(last=False)
        return image
