"""The verifier against the EU member states' test vectors, judged as their README says."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from vaxflow_certificate.domain.payload import SCHEMA_VERSIONS, schema_document, schema_errors
from vaxflow_certificate.domain.signers import SignerError, TrustedSigner
from vaxflow_certificate.domain.verifier import Reason, Verifier, as_json

# The EU DCC test vectors (Apache-2.0), kept in the repository so a fresh clone tests itself.
ROOT = Path(__file__).resolve().parents[2] / "data" / "dcc"
VECTORS = ROOT.resolve() / "vectors"
GATES = ("UNPREFIX", "B45DECODE", "COMPRESSION", "DECODE", "VERIFY", "EXPIRATIONCHECK", "KEYUSAGE")


def _known_issues() -> set[tuple[str, str]]:
    with (VECTORS / "known_issues.csv").open() as handle:
        return {(r["country"], r["test_set"]) for r in csv.DictReader(handle) if r["test_set"]}


def _vectors() -> list[Any]:
    if not VECTORS.is_dir():
        return []
    skipped = _known_issues() | {("IS", "3")}
    params = []
    for path in sorted(VECTORS.glob("*/2DCode/raw/*.json")):
        country, name = path.parts[-4], path.stem
        if country == "FI" or (country, name) in skipped:
            continue
        if _verdict_expected(json.loads(path.read_text())["EXPECTEDRESULTS"]) is None:
            continue  # not an end-to-end test (see the README)
        params.append(pytest.param(path, id=f"{country}/{name}"))
    return params


def _verdict_expected(results: dict[str, Any]) -> bool | None:
    flags = [results.get(f"EXPECTED{g}") for g in GATES]
    if any(flag is False for flag in flags):
        return False
    return True if results.get("EXPECTEDVERIFY") is True else None


def _clock(vector: dict[str, Any]) -> datetime | None:
    if "EXPECTEDEXPIRATIONCHECK" not in vector["EXPECTEDRESULTS"]:
        return None
    at = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"].replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _trusted(vector: dict[str, Any]) -> list[TrustedSigner]:
    try:
        return [TrustedSigner.from_base64(vector["TESTCTX"]["CERTIFICATE"])]
    except (KeyError, SignerError):
        return []


@pytest.mark.parametrize("path", _vectors())
def test_verifier_agrees_with_the_vector(path: Path) -> None:
    vector = json.loads(path.read_text())
    expected = _verdict_expected(vector["EXPECTEDRESULTS"])
    outcome = Verifier.trusting(_trusted(vector)).verify(vector.get("PREFIX", ""), _clock(vector))
    assert outcome.valid is expected, (outcome.reason, outcome.detail)
    if not expected:
        assert isinstance(outcome.reason, Reason)


def test_enough_vectors_are_judged() -> None:
    assert len(_vectors()) >= 150


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("H1", Reason.PREFIX),
        ("H2", Reason.PREFIX),
        ("B1", Reason.BASE45),
        ("Z1", Reason.COMPRESSION),
        ("Z2", Reason.COMPRESSION),
        ("CO5", Reason.SIGNATURE),
        ("CO16", Reason.NOT_YET_VALID),
        ("CO17", Reason.EXPIRED),
        ("CO6", Reason.KEY_USAGE),
        ("CO22", Reason.UNKNOWN_KID),
    ],
)
def test_each_rejection_names_its_reason(name: str, reason: Reason) -> None:
    vector = json.loads((VECTORS / "common" / "2DCode" / "raw" / f"{name}.json").read_text())
    at = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"].replace("Z", "+00:00"))
    outcome = Verifier.trusting(_trusted(vector)).verify(vector["PREFIX"], at)
    assert outcome.reason is reason


def _payloads() -> list[Any]:
    found = []
    for path in sorted(VECTORS.glob("*/2DCode/raw/*.json")):
        payload = json.loads(path.read_text()).get("JSON")
        if isinstance(payload, dict):
            found.append(pytest.param(payload, id=f"{path.parts[-4]}/{path.stem}"))
    return found


@pytest.mark.parametrize("payload", _payloads())
def test_compiled_schema_agrees_with_jsonschema(payload: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    own = payload.get("ver")
    for version in {"1.3.0", own if own in SCHEMA_VERSIONS else "1.0.0"}:
        document = schema_document(version)
        reference = jsonschema.validators.validator_for(document)(document)
        assert reference.is_valid(payload) == (
            not schema_errors(as_json(payload), version, formats=False)
        )
