"""QR images of `HC1:` texts: alphanumeric mode, error correction Q, as PNG, with a cache.

zxing-cpp (C++) encodes the symbol; its module matrix is drawn at one pixel per module and
scaled with nearest-neighbour, which keeps renders in the hundreds per second.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any, cast

import zxingcpp
from PIL import Image

MODULE_PIXELS = 4


def qr_png(text: str, *, module_pixels: int = MODULE_PIXELS) -> bytes:
    """A 1-bit PNG of the QR code of `text` (with its quiet zone).

    The `HC1:` alphabet (digits, capitals, space and `$%*+-./:`) is QR's alphanumeric set,
    which the encoder picks for such text.
    """
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    matrix = symbol.to_image(scale=1)
    height, width = matrix.shape
    pixels = bytes(memoryview(cast(Any, matrix)))
    image = Image.frombuffer("L", (width, height), pixels, "raw", "L", 0, 1)
    image = image.convert("1", dither=Image.Dither.NONE)
    image = image.resize((width * module_pixels, height * module_pixels), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


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
