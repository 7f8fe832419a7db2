"""`vaxflow dcc verify`: batch verification of EU DCCs, JSON lines in and out.

Each input line is `{"qr": "HC1:...", "trust": ["<base64 DER>", ...], "at": "<ISO-8601>" or
null}`; each output line is `{"valid": true|false, "reason": null or "<why>"}`, in order.
`at` null means no time check; a time without a zone is UTC. A line that cannot be read is
answered `{"valid": false, "reason": "invalid_input"}` and the batch goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TextIO

from vaxflow_certificate.domain.signers import SignerError, TrustedSigner
from vaxflow_certificate.domain.verifier import Verifier

INVALID_INPUT = "invalid_input"


class _BadLine(ValueError):
    pass


@lru_cache(maxsize=1024)
def _signer(text: str) -> TrustedSigner | None:
    try:
        return TrustedSigner.from_base64(text)
    except SignerError:
        return None  # an unreadable trusted certificate trusts nothing


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadLine("at must be a string or null")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _BadLine("at is not ISO-8601") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def verify_line(line: str) -> dict[str, Any]:
    """The verdict for one input line."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict) or not isinstance(request.get("qr"), str):
            raise _BadLine("qr must be a string")
        trust = request.get("trust", [])
        if not isinstance(trust, list) or not all(isinstance(t, str) for t in trust):
            raise _BadLine("trust must be a list of strings")
        at = _instant(request.get("at"))
    except (ValueError, _BadLine):
        return {"valid": False, "reason": INVALID_INPUT}
    signers = [s for s in (_signer(t) for t in trust) if s is not None]
    outcome = Verifier.trusting(signers).verify(request["qr"], at)
    return {"valid": outcome.valid, "reason": outcome.reason.value if outcome.reason else None}


def verify_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Verdicts for every non-blank line."""
    for line in lines:
        if line.strip():
            yield verify_line(line)


def _verify(args: argparse.Namespace) -> int:
    write_verdicts(sys.stdin, sys.stdout)
    return 0


def write_verdicts(source: TextIO, sink: TextIO) -> None:
    """Verify every line of `source`, writing one verdict line each to `sink`."""
    for verdict in verify_lines(source):
        sink.write(json.dumps(verdict) + "\n")
        sink.flush()


def register(subparsers: Any) -> None:
    """Add the `dcc` command group."""
    dcc = subparsers.add_parser("dcc", help="EU Digital COVID Certificate tools")
    commands = dcc.add_subparsers(dest="dcc_command", required=True, metavar="COMMAND")
    verify = commands.add_parser(
        "verify",
        help="verify certificates: JSON lines {qr, trust, at} on stdin, {valid, reason} out",
    )
    verify.set_defaults(handler=_verify)
