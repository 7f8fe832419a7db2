"""`vaxflow dcc verify`: JSON lines in, one verdict per line out, in order."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from uuid import uuid4

import pytest
from vaxflow_certificate.domain.issuing import IssuePolicy, issue
from vaxflow_certificate.domain.signers import Signer

from tests.unit.certificate.conftest import DOSE, NOW, PERSON
from tests.unit.certificate.test_vectors import VECTORS
from vaxflow.cli import main


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> list[dict[str, object]]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["dcc", "verify"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_verdicts_line_by_line(
    signer: Signer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hc1 = issue(
        PERSON,
        DOSE,
        booster=False,
        certificate_id=uuid4(),
        signer=signer,
        now=NOW,
        policy=IssuePolicy(),
    ).hc1
    trust = [base64.b64encode(signer.trusted.der).decode()]
    vector = json.loads((VECTORS / "common" / "2DCode" / "raw" / "CO2.json").read_text())
    requests = [
        {"qr": hc1, "trust": trust, "at": None},
        {"qr": hc1, "trust": trust, "at": (NOW + timedelta(days=400)).isoformat()},
        {"qr": hc1, "trust": trust, "at": "2026-03-02T00:00:00"},
        {"qr": hc1, "trust": [], "at": None},
        {"qr": "HC2:" + hc1[4:], "trust": trust, "at": None},
        {"qr": vector["PREFIX"], "trust": [vector["TESTCTX"]["CERTIFICATE"]], "at": None},
    ]
    lines = [json.dumps(r) for r in requests] + ["{not json", json.dumps({"qr": 1})]
    assert _run(monkeypatch, capsys, lines) == [
        {"valid": True, "reason": None},
        {"valid": False, "reason": "expired"},
        {"valid": True, "reason": None},
        {"valid": False, "reason": "unknown_kid"},
        {"valid": False, "reason": "prefix"},
        {"valid": True, "reason": None},  # RSA-3072, PS256
        {"valid": False, "reason": "invalid_input"},
        {"valid": False, "reason": "invalid_input"},
    ]
