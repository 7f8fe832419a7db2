"""COSE_Sign1 (RFC 9052) as the EU DCC uses it: ES256 with raw r||s signatures, or PS256.

Messages are written tagged (18) with `alg` and `kid` in the protected header. Reading accepts
what member states send: untagged, tag 61 (CWT) around tag 18, `kid` or `alg` only in the
unprotected header; when a header parameter is in both, the protected one wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

ES256 = -7
PS256 = -37
ALG = 1
KID = 4
SIGN1_TAG = 18
CWT_TAG = 61
_P256_BYTES = 32

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class CoseError(ValueError):
    """The message is not a COSE_Sign1 this verifier can read; `step` names the failing step."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(detail)
        self.step = step


@dataclass(frozen=True)
class Sign1:
    """A parsed COSE_Sign1: the protected header as sent, both headers decoded, payload, sig."""

    protected_raw: bytes
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    def header(self, label: int) -> Any:
        """A header parameter: the protected value if present, else the unprotected one."""
        return self.protected.get(label, self.unprotected.get(label))

    @property
    def alg(self) -> Any:
        """The signature algorithm (COSE number)."""
        return self.header(ALG)

    @property
    def kid(self) -> bytes | None:
        """The key id of the signer, or None."""
        kid = self.header(KID)
        return bytes(kid) if isinstance(kid, bytes | bytearray) else None

    def to_be_signed(self) -> bytes:
        """The Sig_structure the signature covers."""
        return to_be_signed(self.protected_raw, self.payload)


def to_be_signed(protected_raw: bytes, payload: bytes) -> bytes:
    """`["Signature1", protected, external_aad = h'', payload]` in CBOR."""
    return cbor2.dumps(["Signature1", protected_raw, b"", payload])


def es256_sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """An ES256 signature as COSE wants it: r and s, 32 bytes each."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")


def sign1(payload: bytes, key: ec.EllipticCurvePrivateKey, kid: bytes) -> bytes:
    """A tagged COSE_Sign1 over `payload`, ES256, with `alg` and `kid` protected."""
    protected_raw = cbor2.dumps({ALG: ES256, KID: kid})
    signature = es256_sign(key, to_be_signed(protected_raw, payload))
    return cbor2.dumps(cbor2.CBORTag(SIGN1_TAG, [protected_raw, {}, payload, signature]))


def _untag(value: Any) -> Any:
    while isinstance(value, cbor2.CBORTag):
        if value.tag not in (CWT_TAG, SIGN1_TAG):
            raise CoseError("cose_structure", f"unexpected CBOR tag {value.tag}")
        value = value.value
    return value


def _decode_protected(raw: bytes) -> Mapping[Any, Any]:
    if raw == b"":
        return {}
    try:
        header = cbor2.loads(raw)
    except (cbor2.CBORDecodeError, ValueError, TypeError) as exc:
        raise CoseError("cose_structure", f"protected header is not CBOR: {exc}") from None
    if not isinstance(header, Mapping):
        raise CoseError("cose_structure", "protected header is not a map")
    return header


def parse_sign1(data: bytes) -> Sign1:
    """Read a COSE_Sign1, tagged or not; CoseError says what is wrong."""
    try:
        message = _untag(cbor2.loads(data))
    except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError) as exc:
        if isinstance(exc, CoseError):
            raise
        raise CoseError("cbor", f"not CBOR: {exc}") from None
    if not isinstance(message, list | tuple) or len(message) != 4:
        raise CoseError("cose_structure", "not a COSE_Sign1 array of four elements")
    protected_raw, unprotected, payload, signature = message
    kinds = (bytes, Mapping, bytes, bytes)
    if not all(isinstance(p, k) for p, k in zip(message, kinds, strict=True)):
        raise CoseError("cose_structure", "COSE_Sign1 elements have the wrong types")
    return Sign1(protected_raw, _decode_protected(protected_raw), unprotected, payload, signature)


def verify(message: Sign1, key: PublicKey) -> bool:
    """True when the signature is good for the message's algorithm and this key."""
    data = message.to_be_signed()
    try:
        if message.alg == ES256 and isinstance(key, ec.EllipticCurvePublicKey):
            return _verify_es256(key, message.signature, data)
        if message.alg == PS256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(message.signature, data, _PSS, hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False


_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)


def _verify_es256(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    if len(signature) != 2 * _P256_BYTES:
        return False
    r = int.from_bytes(signature[:_P256_BYTES], "big")
    s = int.from_bytes(signature[_P256_BYTES:], "big")
    key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    return True
