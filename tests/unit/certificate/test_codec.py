"""Base45 as RFC 9285 writes it, the same text as the reference library."""

from __future__ import annotations

import random

import base45  # type: ignore[import-untyped]
import pytest
from vaxflow_certificate.domain.codec import CodecError, base45_decode, base45_encode


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
    ],
)
def test_the_rfc_9285_examples(data: bytes, text: str) -> None:
    assert base45_encode(data) == text
    assert base45_decode(text) == data


def test_any_bytes_encode_as_the_reference_library_does() -> None:
    rng = random.Random(45)
    samples = [b"", b"\x00", b"\xff", b"\xff\xff", b"\x00\x00"]
    samples += [rng.randbytes(rng.randrange(1, 700)) for _ in range(300)]
    for data in samples:
        assert base45_encode(data) == base45.b45encode(data).decode()
        assert base45_decode(base45_encode(data)) == data


@pytest.mark.parametrize(
    "text",
    ["A", "ABCD", "GGW", "::", "abc", "AB\u00e9", "AB_", ":::"],
)
def test_what_base45_does_not_allow_is_refused(text: str) -> None:
    with pytest.raises(CodecError) as refused:
        base45_decode(text)
    assert refused.value.step == "base45"
    with pytest.raises(ValueError, match="Invalid base45"):
        base45.b45decode(text)
