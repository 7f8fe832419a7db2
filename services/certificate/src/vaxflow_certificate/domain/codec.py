"""The transport layers of an EU DCC around its COSE message: zlib, Base45, the `HC1:` prefix."""

from __future__ import annotations

import struct
import zlib

PREFIX = "HC1:"
_MAX_INFLATED = 64 * 1024  # a DCC is a few hundred bytes; refuse zlib bombs
_BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# The three characters of every 16-bit value, least significant first (RFC 9285), built once
# (about 4 MB): a table lookup per two bytes instead of the base45 library's divmod loop,
# which was half the time of building and signing a certificate (and its decoding a third of
# a verification's).
_NOT_BASE45 = 0xFF
# Each ASCII character's Base45 value; _NOT_BASE45 for characters outside the alphabet.
_VALUES = bytes(_BASE45.find(chr(c)) if chr(c) in _BASE45 else _NOT_BASE45 for c in range(256))
_TRIPLES = [_BASE45[n % 45] + _BASE45[n // 45 % 45] + _BASE45[n // 2025] for n in range(65536)]


class CodecError(ValueError):
    """A transport layer could not be undone; `step` names which."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(detail)
        self.step = step


def encode(cose: bytes) -> str:
    """`HC1:` + Base45(zlib(cose)), the text a QR code holds."""
    return PREFIX + base45_encode(zlib.compress(cose, 9))


def base45_encode(data: bytes) -> str:
    """Base45 (RFC 9285): each two bytes as three characters, a last odd byte as two."""
    pairs = struct.unpack(f">{len(data) // 2}H", data[: len(data) & ~1])
    text = "".join([_TRIPLES[n] for n in pairs])
    return text + _TRIPLES[data[-1]][:2] if len(data) & 1 else text


def unprefix(text: str) -> str:
    """The Base45 text after `HC1:`; CodecError("prefix") for any other context."""
    if not text.startswith(PREFIX):
        raise CodecError("prefix", "the text does not start with HC1:")
    return text[len(PREFIX) :]


def base45_decode(text: str) -> bytes:
    """Undo Base45; CodecError("base45") on characters or lengths Base45 does not allow.

    Trailing newlines are ignored, as the reference library ignores them.
    """
    try:
        values = text.rstrip("\n").encode("ascii").translate(_VALUES)
    except UnicodeEncodeError:
        raise CodecError("base45", "not valid Base45: a character outside its alphabet") from None
    if _NOT_BASE45 in values:
        raise CodecError("base45", "not valid Base45: a character outside its alphabet")
    whole, rest = divmod(len(values), 3)
    if rest == 1:
        raise CodecError("base45", "not valid Base45: a length of 3n + 1 characters")
    ends = 3 * whole
    pairs = [
        a + b * 45 + c * 2025
        for a, b, c in zip(values[0:ends:3], values[1:ends:3], values[2:ends:3], strict=True)
    ]
    last = [values[-2] + values[-1] * 45] if rest else []
    if any(n > 0xFFFF for n in pairs) or any(n > 0xFF for n in last):
        raise CodecError("base45", "not valid Base45: a group beyond its byte range")
    return struct.pack(f">{whole}H", *pairs) + bytes(last)


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
