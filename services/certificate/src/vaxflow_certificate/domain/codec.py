"""The transport layers of an EU DCC around its COSE message: zlib, Base45, the `HC1:` prefix."""

from __future__ import annotations

import zlib

import base45  # type: ignore[import-untyped]

PREFIX = "HC1:"
_MAX_INFLATED = 64 * 1024  # a DCC is a few hundred bytes; refuse zlib bombs


class CodecError(ValueError):
    """A transport layer could not be undone; `step` names which."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(detail)
        self.step = step


def encode(cose: bytes) -> str:
    """`HC1:` + Base45(zlib(cose)), the text a QR code holds."""
    encoded: bytes = base45.b45encode(zlib.compress(cose, 9))
    return PREFIX + encoded.decode("ascii")


def unprefix(text: str) -> str:
    """The Base45 text after `HC1:`; CodecError("prefix") for any other context."""
    if not text.startswith(PREFIX):
        raise CodecError("prefix", "the text does not start with HC1:")
    return text[len(PREFIX) :]


def base45_decode(text: str) -> bytes:
    """Undo Base45; CodecError("base45") on characters or lengths Base45 does not allow."""
    try:
        return bytes(base45.b45decode(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise CodecError("base45", f"not valid Base45: {exc}") from None


def inflate(data: bytes) -> bytes:
    """Undo zlib (with its header); CodecError("compression") if it is not zlib data."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, _MAX_INFLATED)
    except zlib.error as exc:
        raise CodecError("compression", f"not zlib data: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise CodecError("compression", "zlib data is truncated or too large")
    return out


def decode(text: str) -> bytes:
    """The COSE message inside an `HC1:` text."""
    return inflate(base45_decode(unprefix(text)))
