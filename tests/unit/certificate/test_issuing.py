"""Issued certificates: valid DCCs, checked by an independent COSE library, and every
tampering rejected with its reason."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import base45
import cbor2
import pytest
from vaxflow_certificate.domain import codec
from vaxflow_certificate.domain.issuing import Issued, IssuePolicy, issue, level_of, months_later
from vaxflow_certificate.domain.payload import PayloadError, schema_document
from vaxflow_certificate.domain.signers import VACCINATION_OID, Signer, kid_of
from vaxflow_certificate.domain.uvci import check_character, is_valid, uvci_for
from vaxflow_certificate.domain.verifier import Reason, Verifier

from tests.unit.certificate.conftest import DOSE, NOW, PERSON
from vaxflow_events import CertificateLevel


def _issue(signer: Signer, **dose_changes: object) -> Issued:
    return issue(
        PERSON,
        replace(DOSE, **dose_changes),  # type: ignore[arg-type]
        booster=False,
        certificate_id=uuid4(),
        signer=signer,
        now=NOW,
        policy=IssuePolicy(),
    )


def test_an_issued_certificate_verifies(signer: Signer) -> None:
    issued = _issue(signer)
    outcome = Verifier.trusting([signer.trusted]).verify(issued.hc1, NOW + timedelta(days=1))
    assert outcome.valid, outcome.reason
    assert outcome.verified is not None
    assert outcome.verified.dcc == issued.dcc
    assert outcome.verified.issuer_country == "VN"
    assert outcome.verified.expires_at == datetime(2027, 3, 1, 8, 30, tzinfo=UTC)


def test_the_payload_validates_against_the_published_1_3_0_schema(signer: Signer) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    dcc = _issue(signer).dcc
    schema = schema_document("1.3.0")
    jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    ).validate(dcc)
    assert dcc["nam"] == {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"}
    entry = dcc["v"][0]
    assert (entry["dn"], entry["sd"], entry["co"], entry["tg"]) == (1, 2, "VN", "840539006")
    assert is_valid(entry["ci"])


def test_pycose_verifies_the_signature_and_reads_the_claims(signer: Signer) -> None:
    from pycose.algorithms import Es256
    from pycose.headers import KID, Algorithm
    from pycose.keys import EC2Key
    from pycose.messages import Sign1Message

    issued = _issue(signer)
    raw = zlib.decompress(base45.b45decode(issued.hc1.removeprefix("HC1:")))
    tagged = cbor2.loads(raw)
    assert tagged.tag == 18
    # pycose's decode() wants a list and a dict where this cbor2 gives a tuple and a frozen
    # map inside the tag; the verification itself is pycose's.
    protected, unprotected, payload, signature = tagged.value
    message = Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)
    numbers = signer.private_key.public_key().public_numbers()
    message.key = EC2Key(
        crv="P_256", x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big")
    )
    assert message.verify_signature()
    assert message.phdr_encoded is not None
    assert len(message.signature) == 64  # raw r||s
    claims = cbor2.loads(message.payload)
    assert claims[1] == "VN"
    assert claims[4] - claims[6] == int(timedelta(days=365).total_seconds())
    assert claims[-260][1] == issued.dcc
    assert message.get_attr(KID) == kid_of(signer.trusted.der)
    assert message.get_attr(Algorithm) is Es256


def _tampered(hc1: str, index: int) -> str:
    cose = bytearray(codec.decode(hc1))
    cose[index] ^= 0x01
    return codec.PREFIX + base45.b45encode(zlib.compress(bytes(cose))).decode()


def test_a_changed_byte_is_rejected(signer: Signer) -> None:
    issued = _issue(signer)
    verifier = Verifier.trusting([signer.trusted])
    payload_byte, signature_byte = len(codec.decode(issued.hc1)) // 2, -1
    for index in (payload_byte, signature_byte):
        outcome = verifier.verify(_tampered(issued.hc1, index), NOW)
        assert not outcome.valid
        assert outcome.reason in (Reason.SIGNATURE, Reason.CWT_STRUCTURE, Reason.CBOR)


def test_a_wrong_key_is_rejected(signer: Signer, other_signer: Signer) -> None:
    issued = _issue(other_signer)
    assert Verifier.trusting([signer.trusted]).verify(issued.hc1, NOW).reason is Reason.UNKNOWN_KID
    # The right kid but another key: the signature fails.
    impostor = replace(other_signer.trusted, kid=signer.trusted.kid)
    forged = _issue(Signer(impostor, other_signer.private_key))
    assert Verifier.trusting([signer.trusted]).verify(forged.hc1, NOW).reason is Reason.SIGNATURE


def test_an_hc2_prefix_is_rejected(signer: Signer) -> None:
    text = "HC2:" + _issue(signer).hc1.removeprefix("HC1:")
    assert Verifier.trusting([signer.trusted]).verify(text, NOW).reason is Reason.PREFIX


def test_the_clock_is_checked(signer: Signer) -> None:
    issued = _issue(signer)
    verifier = Verifier.trusting([signer.trusted])
    assert verifier.verify(issued.hc1, NOW + timedelta(days=366)).reason is Reason.EXPIRED
    assert verifier.verify(issued.hc1, NOW - timedelta(seconds=1)).reason is Reason.NOT_YET_VALID
    assert verifier.verify(issued.hc1, None).valid


def test_a_revoked_certificate_of_the_issuer_is_rejected(signer: Signer) -> None:
    issued = _issue(signer)
    verifier = Verifier.trusting(
        [signer.trusted], revoked=lambda uvci: uvci == issued.uvci, revocation_issuer="VN"
    )
    assert verifier.verify(issued.hc1, NOW).reason is Reason.REVOKED
    assert verifier.verify(_issue(signer).hc1, NOW).valid


def test_the_signer_carries_the_vaccination_key_usage(signer: Signer) -> None:
    from cryptography import x509

    cert = x509.load_der_x509_certificate(signer.trusted.der)
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [oid.dotted_string for oid in usage] == [VACCINATION_OID]
    assert signer.trusted.entry_types == frozenset({"v"})


def test_codes_outside_the_value_sets_are_refused(signer: Signer) -> None:
    with pytest.raises(PayloadError) as refused:
        _issue(signer, product="NOT-A-VACCINE", manufacturer="ORG-0")
    assert refused.value.problems == [
        "mp: not in the DCC value set",
        "ma: not in the DCC value set",
    ]


def test_a_payload_outside_the_schema_is_refused_without_its_values(signer: Signer) -> None:
    person = replace(PERSON, family_name_icao="nguyen")
    with pytest.raises(PayloadError) as refused:
        issue(
            person,
            DOSE,
            booster=False,
            certificate_id=uuid4(),
            signer=signer,
            now=NOW,
            policy=IssuePolicy(),
        )
    assert refused.value.problems == ["dcc.nam.fnt: pattern"]
    with pytest.raises(PayloadError, match=r"dcc\.v\.0\.dn: minimum"):
        _issue(signer, dose_number=0)


@pytest.mark.parametrize(
    ("number", "series", "booster", "level"),
    [
        (1, 2, False, CertificateLevel.PARTIAL),
        (2, 2, False, CertificateLevel.COMPLETE),
        (1, 1, False, CertificateLevel.COMPLETE),
        (2, 3, False, CertificateLevel.PARTIAL),
        (3, 2, False, CertificateLevel.BOOSTER),
        (3, 3, True, CertificateLevel.BOOSTER),
    ],
)
def test_domestic_level(number: int, series: int, booster: bool, level: CertificateLevel) -> None:
    assert (
        level_of(replace(DOSE, dose_number=number, series_doses=series), booster=booster) is level
    )


def test_uvci_checksum_matches_the_member_states() -> None:
    # Published by Austria and Sweden in the EU test vectors.
    for uvci in (
        "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
        "URN:UVCI:01:SE:EHM/V12916227992",
    ):
        body, _, check = uvci.partition("#")
        if check:
            assert check_character(body) == check
    made = uvci_for(UUID(int=0))
    assert made == "URN:UVCI:01:VN:" + "0" * 26 + "#" + check_character(
        "URN:UVCI:01:VN:" + "0" * 26
    )
    assert is_valid(made)
    assert not is_valid(made[:-1] + ("A" if made[-1] != "A" else "B"))


def test_expiry_is_twelve_months_later_even_from_a_leap_day() -> None:
    assert months_later(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(2029, 2, 28, tzinfo=UTC)
    assert months_later(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)


def test_the_dcc_json_keeps_the_diacritics(signer: Signer) -> None:
    assert json.loads(_issue(signer).dcc_json)["nam"]["fn"] == "Nguyễn"
