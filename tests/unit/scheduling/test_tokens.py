"""QR check-in tokens: short, bound to one appointment, useless without the key."""

from __future__ import annotations

import uuid

from vaxflow_scheduling.domain.tokens import issue_token, read_token

KEY = b"test-key-for-check-in-tokens-000001"


def test_a_token_names_its_appointment_and_is_short() -> None:
    appointment = uuid.uuid4()

    token = issue_token(KEY, appointment)

    assert len(token) == 35
    assert read_token(KEY, token) == appointment


def test_a_token_signed_with_another_key_or_altered_is_refused() -> None:
    appointment = uuid.uuid4()
    token = issue_token(KEY, appointment)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert read_token(b"another-key", token) is None
    assert read_token(KEY, altered) is None
    assert read_token(KEY, issue_token(KEY, uuid.uuid4())[:20] + token[20:]) is None
    assert read_token(KEY, "not a token") is None
    assert read_token(KEY, "!" * 35) is None
