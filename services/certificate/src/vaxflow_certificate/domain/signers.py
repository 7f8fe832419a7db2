"""Document signer certificates (DSC): their key ids, key usage, and the development chain.

`kid` is the first 8 bytes of the SHA-256 of the certificate's DER. A DSC that carries any of
the DCC extended key usage OIDs may sign only the matching certificate types (test,
vaccination, recovery); one that carries none may sign every type. Both OID families are
honoured: the correct `1.3.6.1.4.1.1847.2021.1.x` and the erroneous `1.3.6.1.4.1.0.1847...`
that some member states issued.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from vaxflow_certificate.domain.cose import PublicKey

ENTRY_TYPE_OIDS: dict[str, str] = {
    "1.3.6.1.4.1.1847.2021.1.1": "t",
    "1.3.6.1.4.1.1847.2021.1.2": "v",
    "1.3.6.1.4.1.1847.2021.1.3": "r",
    "1.3.6.1.4.1.0.1847.2021.1.1": "t",
    "1.3.6.1.4.1.0.1847.2021.1.2": "v",
    "1.3.6.1.4.1.0.1847.2021.1.3": "r",
}
VACCINATION_OID = "1.3.6.1.4.1.1847.2021.1.2"


class SignerError(ValueError):
    """A signing certificate or key cannot be used."""


def kid_of(der: bytes) -> bytes:
    """The DCC key id of a certificate: SHA-256 of its DER, first 8 bytes."""
    return hashlib.sha256(der).digest()[:8]


def _encoded_oid(dotted: str) -> bytes:
    """The DER content bytes of an OID (to find it where `cryptography` cannot parse)."""
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for value in parts[2:]:
        chunk = [value & 0x7F]
        value >>= 7
        while value:
            chunk.append(0x80 | (value & 0x7F))
            value >>= 7
        out += bytes(reversed(chunk))
    return bytes([0x06, len(out)]) + bytes(out)


_OID_BYTES = {oid: _encoded_oid(oid) for oid in ENTRY_TYPE_OIDS}


def _entry_types(cert: x509.Certificate, der: bytes) -> frozenset[str]:
    """Entry types the certificate's extended key usage allows; empty means all."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        oids = {oid.dotted_string for oid in usage}
    except x509.ExtensionNotFound:
        return frozenset()
    except ValueError:
        # Extensions `cryptography` refuses to parse: look for the DCC OIDs in the DER.
        oids = {oid for oid, encoded in _OID_BYTES.items() if encoded in der}
    return frozenset(ENTRY_TYPE_OIDS[o] for o in oids if o in ENTRY_TYPE_OIDS)


def _country(cert: x509.Certificate) -> str | None:
    try:
        names = cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    except ValueError:
        return None
    value = names[0].value if names else None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class TrustedSigner:
    """A DSC a verifier trusts: its kid, public key, country, validity and allowed entry types."""

    der: bytes
    kid: bytes
    public_key: PublicKey
    country: str | None
    not_before: datetime
    not_after: datetime
    entry_types: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_der(cls, der: bytes) -> TrustedSigner:
        """Read a DSC; SignerError if it is not a certificate with an EC or RSA key."""
        try:
            cert = x509.load_der_x509_certificate(der)
            key = cert.public_key()
        except ValueError as exc:
            raise SignerError(f"not a usable certificate: {exc}") from None
        if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            raise SignerError("the certificate's key is neither EC nor RSA")
        return cls(
            der=der,
            kid=kid_of(der),
            public_key=key,
            country=_country(cert),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            entry_types=_entry_types(cert, der),
        )

    @classmethod
    def from_pem(cls, pem: bytes) -> TrustedSigner:
        """Read a DSC given as PEM."""
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except ValueError as exc:
            raise SignerError(f"not a PEM certificate: {exc}") from None
        return cls.from_der(cert.public_bytes(serialization.Encoding.DER))

    @classmethod
    def from_base64(cls, text: str) -> TrustedSigner:
        """Read a DSC given as base64 DER (as trust lists carry it)."""
        try:
            der = base64.b64decode(text, validate=True)
        except ValueError:
            raise SignerError("not base64") from None
        return cls.from_der(der)

    @property
    def kid_b64(self) -> str:
        """The kid as trust lists write it."""
        return base64.b64encode(self.kid).decode("ascii")

    def may_sign(self, entry_type: str) -> bool:
        """True when the key usage allows signing this entry type (`v`, `t` or `r`)."""
        return not self.entry_types or entry_type in self.entry_types


@dataclass(frozen=True)
class Signer:
    """A DSC with its private key: what issuing signs with."""

    trusted: TrustedSigner
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def from_pem(cls, certificate: bytes, key: bytes, password: bytes | None = None) -> Signer:
        """A signer from a PEM certificate and PEM private key (P-256 only: ES256)."""
        try:
            cert = x509.load_pem_x509_certificate(certificate)
            private = serialization.load_pem_private_key(key, password=password)
        except (ValueError, TypeError) as exc:
            raise SignerError(f"cannot read the signer: {exc}") from None
        if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
            raise SignerError("the signing key must be an EC P-256 key (ES256)")
        trusted = TrustedSigner.from_der(cert.public_bytes(serialization.Encoding.DER))
        if trusted.public_key != private.public_key():
            raise SignerError("the private key does not match the certificate")
        return cls(trusted, private)


def newest(signers: list[Signer], now: datetime) -> Signer:
    """The signer to issue with: valid now and most recently begun."""
    usable = [s for s in signers if s.trusted.not_before <= now < s.trusted.not_after]
    if not usable:
        raise SignerError("no document signer is valid now")
    return max(usable, key=lambda s: (s.trusted.not_before, s.trusted.kid))


@dataclass(frozen=True)
class Chain:
    """A country signing CA and a DSC it signed, with their keys, as PEM."""

    csca_pem: bytes
    csca_key_pem: bytes
    dsc_pem: bytes
    dsc_key_pem: bytes


def _name(country: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "VaxFlow development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def development_chain(now: datetime, country: str = "VN", dsc_days: int = 730) -> Chain:
    """A fresh CSCA (10 years) and DSC (`dsc_days`, vaccination key usage) for development."""
    now = now.astimezone(UTC)
    csca_key, dsc_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    csca_name = _name(country, f"VaxFlow development CSCA {country}")
    csca = (
        x509.CertificateBuilder()
        .subject_name(csca_name)
        .issuer_name(csca_name)
        .public_key(csca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    dsc = (
        x509.CertificateBuilder()
        .subject_name(_name(country, f"VaxFlow development DSC {now:%Y%m%d%H%M%S}"))
        .issuer_name(csca_name)
        .public_key(dsc_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=dsc_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(VACCINATION_OID)]), critical=False
        )
        .sign(csca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return Chain(
        csca.public_bytes(pem), _pem_key(csca_key), dsc.public_bytes(pem), _pem_key(dsc_key)
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


__all__ = [
    "ENTRY_TYPE_OIDS",
    "VACCINATION_OID",
    "Chain",
    "Signer",
    "SignerError",
    "TrustedSigner",
    "development_chain",
    "kid_of",
    "newest",
]
