"""The EU DCC verifier: every step of the pipeline, and a named reason for each rejection.

Steps, in order: the `HC1:` prefix, Base45, zlib, the COSE_Sign1 structure (tagged or not),
the CWT claims, the signer by `kid` (the protected header wins), the ES256 or PS256
signature, issued-at and expiry against a clock (when one is given), the signer's key usage,
exactly one entry, the JSON schema of the DCC's version, and, for certificates of the
revocation list's issuer, revocation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import cbor2

from vaxflow_certificate.domain import codec, cose
from vaxflow_certificate.domain.payload import (
    CLAIM_EXPIRY,
    CLAIM_HCERT,
    CLAIM_ISSUED_AT,
    CLAIM_ISSUER,
    HCERT_DCC,
    SCHEMA_VERSION,
    SCHEMA_VERSIONS,
    schema_errors,
)
from vaxflow_certificate.domain.signers import TrustedSigner

ENTRY_TYPES = ("v", "t", "r")


class Reason(StrEnum):
    """Why a certificate was rejected."""

    PREFIX = "prefix"
    BASE45 = "base45"
    COMPRESSION = "compression"
    CBOR = "cbor"
    COSE_STRUCTURE = "cose_structure"
    CWT_STRUCTURE = "cwt_structure"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    MISSING_KID = "missing_kid"
    UNKNOWN_KID = "unknown_kid"
    SIGNATURE = "signature"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    KEY_USAGE = "key_usage"
    ENTRY_COUNT = "entry_count"
    SCHEMA = "schema"
    REVOKED = "revoked"


DESCRIPTIONS: dict[Reason, str] = {
    Reason.PREFIX: "The text does not start with the HC1: context prefix.",
    Reason.BASE45: "The text after the prefix is not valid Base45.",
    Reason.COMPRESSION: "The decoded data is not zlib-compressed.",
    Reason.CBOR: "The decompressed data is not CBOR.",
    Reason.COSE_STRUCTURE: "The CBOR is not a COSE_Sign1 message.",
    Reason.CWT_STRUCTURE: "The signed payload is not a CWT with an hcert claim holding a DCC.",
    Reason.UNSUPPORTED_ALGORITHM: "The signature algorithm is neither ES256 nor PS256.",
    Reason.MISSING_KID: "The message names no signing key (kid).",
    Reason.UNKNOWN_KID: "The signing key (kid) is not in the trust list.",
    Reason.SIGNATURE: "The signature does not verify with the signing certificate.",
    Reason.NOT_YET_VALID: "The certificate was issued after the verification time.",
    Reason.EXPIRED: "The certificate expired before the verification time.",
    Reason.KEY_USAGE: "The signing certificate may not sign this type of certificate.",
    Reason.ENTRY_COUNT: "The certificate must hold exactly one vaccination, test or recovery.",
    Reason.SCHEMA: "The certificate's content does not follow the DCC JSON schema.",
    Reason.REVOKED: "The certificate has been revoked by its issuer.",
}


class Rejected(Exception):
    """A certificate failed one step of verification."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(detail or DESCRIPTIONS[reason])
        self.reason = reason
        self.detail = detail or DESCRIPTIONS[reason]


@dataclass(frozen=True)
class Verified:
    """What a valid certificate says and who signed it."""

    dcc: dict[str, Any]
    entry_type: str
    issuer_country: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    signer: TrustedSigner


@dataclass(frozen=True)
class Outcome:
    """The verdict: valid with what it certifies, or the reason it is not."""

    verified: Verified | None
    reason: Reason | None = None
    detail: str | None = None

    @property
    def valid(self) -> bool:
        """True when every step passed."""
        return self.verified is not None


RevocationCheck = Callable[[str], bool]
"""Given a UVCI (`ci`), True if the issuer revoked it."""


@dataclass(frozen=True)
class Verifier:
    """Verifies `HC1:` texts against trusted DSCs; optionally a clock and a revocation check.

    `schema_versions` decides what the schema step accepts: the version the DCC names (any
    published one) by default; VaxFlow's own certificates are checked against 1.3.0.
    """

    trusted: Mapping[bytes, TrustedSigner]
    revoked: RevocationCheck | None = None
    revocation_issuer: str | None = None
    check_schema: bool = True
    schema_versions: tuple[str, ...] = field(default=SCHEMA_VERSIONS)

    @classmethod
    def trusting(cls, signers: Iterable[TrustedSigner], **options: Any) -> Verifier:
        """A verifier trusting these DSCs."""
        return cls({s.kid: s for s in signers}, **options)

    def verify(self, text: str, at: datetime | None = None) -> Outcome:
        """Verify at instant `at` (aware), or without a time check when `at` is None."""
        try:
            return Outcome(self._verify(text, at))
        except Rejected as rejected:
            return Outcome(None, rejected.reason, rejected.detail)

    def _verify(self, text: str, at: datetime | None) -> Verified:
        message = _message(text)
        claims = _claims(message.payload)
        signer = self._signer(message)
        if not cose.verify(message, signer.public_key):
            raise Rejected(Reason.SIGNATURE)
        issued_at, expires_at = _instant(claims, CLAIM_ISSUED_AT), _instant(claims, CLAIM_EXPIRY)
        if at is not None:
            _check_time(issued_at, expires_at, at)
        dcc = _dcc(claims)
        entry_type = _single_entry(dcc)
        if not signer.may_sign(entry_type):
            raise Rejected(Reason.KEY_USAGE)
        if self.check_schema:
            self._check_schema(dcc)
        issuer = claims.get(CLAIM_ISSUER)
        verified = Verified(
            dcc,
            entry_type,
            issuer if isinstance(issuer, str) else None,
            issued_at,
            expires_at,
            signer,
        )
        self._check_revocation(verified)
        return verified

    def _signer(self, message: cose.Sign1) -> TrustedSigner:
        if message.alg not in (cose.ES256, cose.PS256):
            raise Rejected(Reason.UNSUPPORTED_ALGORITHM)
        kid = message.kid
        if kid is None:
            raise Rejected(Reason.MISSING_KID)
        signer = self.trusted.get(kid)
        if signer is None:
            raise Rejected(Reason.UNKNOWN_KID)
        return signer

    def _check_schema(self, dcc: dict[str, Any]) -> None:
        version = dcc.get("ver")
        if not isinstance(version, str) or version not in self.schema_versions:
            raise Rejected(Reason.SCHEMA, "The certificate names no supported schema version.")
        problems = schema_errors(as_json(dcc), version, formats=False)
        if problems:
            raise Rejected(Reason.SCHEMA, "Not valid under the DCC schema: " + problems[0])

    def _check_revocation(self, verified: Verified) -> None:
        if self.revoked is None or verified.issuer_country != self.revocation_issuer:
            return
        uvci = verified.dcc[verified.entry_type][0].get("ci")
        if isinstance(uvci, str) and self.revoked(uvci):
            raise Rejected(Reason.REVOKED)


def own_certificates_verifier(
    signers: Iterable[TrustedSigner], revoked: RevocationCheck, issuer_country: str
) -> Verifier:
    """The verifier for any DCC, with VaxFlow's revocation list applied to its own ones."""
    return Verifier.trusting(signers, revoked=revoked, revocation_issuer=issuer_country)


def _message(text: str) -> cose.Sign1:
    try:
        return cose.parse_sign1(codec.decode(text))
    except codec.CodecError as exc:
        raise Rejected(Reason(exc.step)) from None
    except cose.CoseError as exc:
        raise Rejected(Reason(exc.step)) from None


def _claims(payload: bytes) -> dict[Any, Any]:
    try:
        claims = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError):
        raise Rejected(Reason.CWT_STRUCTURE, "The signed payload is not CBOR.") from None
    if not isinstance(claims, Mapping):
        raise Rejected(Reason.CWT_STRUCTURE, "The signed payload is not a map of claims.")
    return plain(claims)  # type: ignore[no-any-return]


def _dcc(claims: dict[Any, Any]) -> dict[str, Any]:
    hcert = claims.get(CLAIM_HCERT)
    dcc = hcert.get(HCERT_DCC) if isinstance(hcert, dict) else None
    if not isinstance(dcc, dict):
        raise Rejected(Reason.CWT_STRUCTURE)
    return dcc


def _instant(claims: dict[Any, Any], label: int) -> datetime | None:
    value = claims.get(label)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def _check_time(issued_at: datetime | None, expires_at: datetime | None, at: datetime) -> None:
    if issued_at is None or expires_at is None:
        raise Rejected(Reason.CWT_STRUCTURE, "The certificate has no issued-at or expiry time.")
    if at < issued_at:
        raise Rejected(Reason.NOT_YET_VALID)
    if at > expires_at:
        raise Rejected(Reason.EXPIRED)


def _single_entry(dcc: dict[str, Any]) -> str:
    present = [k for k in ENTRY_TYPES if k in dcc]
    if len(present) != 1:
        raise Rejected(Reason.ENTRY_COUNT)
    entries = dcc[present[0]]
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise Rejected(Reason.ENTRY_COUNT)
    return present[0]


def plain(value: Any) -> Any:
    """CBOR maps (frozen inside tags) as dicts, arrays as lists, all the way down."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def as_json(value: Any) -> Any:
    """The DCC as JSON values: CBOR-tagged dates and times become ISO-8601 strings."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


__all__ = ["SCHEMA_VERSION", "Outcome", "Reason", "Rejected", "Verified", "Verifier"]
