"""Which database errors a consumer retries and which it dead-letters after a few tries."""

from __future__ import annotations

import pytest
from pymongo.errors import DuplicateKeyError, OperationFailure

from vaxflow_servicekit.consumer import is_transient_server_error


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OperationFailure("lost the PostgreSQL backend", code=1), True),  # FerretDB InternalError
        (OperationFailure("not primary", code=10107), True),
        (OperationFailure("shutting down", code=91), True),
        (
            OperationFailure("retry me", code=2, details={"errorLabels": ["RetryableWriteError"]}),
            True,
        ),
        (DuplicateKeyError("E11000 duplicate key", code=11000), False),
        (OperationFailure("bad update operator", code=9), False),
    ],
)
def test_failover_and_backend_loss_are_retried_but_bad_requests_are_not(
    error: OperationFailure, transient: bool
) -> None:
    assert is_transient_server_error(error) is transient
