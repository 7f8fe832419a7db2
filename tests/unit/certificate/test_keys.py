"""The key directory: a development chain when empty, rotation, and production's refusal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from vaxflow_certificate.domain.issuing import IssuePolicy, issue
from vaxflow_certificate.domain.signers import newest
from vaxflow_certificate.domain.verifier import Verifier
from vaxflow_certificate.main import KeysMissing, load_keys
from vaxflow_certificate.settings import CertificateSettings
from vaxflow_certificate.store import FileKeyStore

from tests.unit.certificate.conftest import DOSE, NOW, PERSON


def test_development_creates_a_chain_once(tmp_path: Path) -> None:
    settings = CertificateSettings(environment="development", key_dir=tmp_path / "keys")
    first = load_keys(settings, NOW)
    again = load_keys(settings, NOW + timedelta(hours=1))
    assert [s.trusted.kid for s in again.signers] == [s.trusted.kid for s in first.signers]
    assert sorted(p.name for p in (tmp_path / "keys").iterdir())[:2] == ["csca.key.pem", "csca.pem"]
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in (tmp_path / "keys").iterdir())


def test_production_refuses_to_start_without_a_signer(tmp_path: Path) -> None:
    settings = CertificateSettings(environment="production", key_dir=tmp_path, secret_key="x" * 40)
    with pytest.raises(KeysMissing):
        load_keys(settings, NOW)
    assert list(tmp_path.iterdir()) == []


def test_rotation_signs_with_the_newest_and_still_verifies_the_old(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    store.create_development_chain(NOW - timedelta(days=30), "VN")
    old = store.load()
    old_certificate = issue(
        PERSON,
        DOSE,
        booster=False,
        certificate_id=uuid4(),
        signer=old.signers[0],
        now=NOW,
        policy=IssuePolicy(),
    )
    store.create_development_chain(NOW - timedelta(days=1), "VN")
    # The old signer is retired: its key goes, its certificate stays for verification.
    old_key = next(
        p
        for p in tmp_path.glob("dsc-*.key.pem")
        if "dsc-" + f"{NOW - timedelta(days=30):%Y%m%d%H%M%S}" in p.name
    )
    old_key.unlink()
    keys = store.load()
    assert len(keys.signers) == 1
    assert len(keys.trusted) == 2
    signer = newest(list(keys.signers), NOW)
    assert signer.trusted.kid != old.signers[0].trusted.kid
    verifier = Verifier.trusting(keys.trusted)
    assert verifier.verify(old_certificate.hc1, NOW).valid
    new_certificate = issue(
        PERSON,
        DOSE,
        booster=False,
        certificate_id=uuid4(),
        signer=signer,
        now=NOW,
        policy=IssuePolicy(),
    )
    assert new_certificate.kid == signer.trusted.kid
    assert verifier.verify(new_certificate.hc1, NOW).valid


def test_the_newest_of_several_signers_signs(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    store.create_development_chain(NOW - timedelta(days=30), "VN")
    store.create_development_chain(NOW - timedelta(days=2), "VN")
    keys = store.load()
    assert len(keys.signers) == 2
    assert newest(list(keys.signers), NOW).trusted.not_before == max(
        s.trusted.not_before for s in keys.signers
    )


def test_a_lost_database_backend_is_retried_not_dead_lettered() -> None:
    from pymongo.errors import DuplicateKeyError, OperationFailure
    from vaxflow_certificate.handlers.reactions import is_unavailable

    lost = OperationFailure(
        "[msg_find.go:344 handler.handleMaxTimeMSError] failed to connect to `user=postgres`: "
        "dial tcp 127.0.0.1:5433: connect: connection refused"
    )
    assert is_unavailable(lost)
    assert not is_unavailable(DuplicateKeyError("E11000 duplicate key", code=11000))
