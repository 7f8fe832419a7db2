"""Verifying a presented certificate against this service's trust list and revocation list."""

from __future__ import annotations

from vaxflow_certificate.domain.verifier import Outcome, Reason, Rejected, Verifier
from vaxflow_certificate.handlers.components import Components
from vaxflow_certificate.metrics import VERIFICATIONS


async def verify_presented(text: str, c: Components) -> Outcome:
    """Verify now; VaxFlow's own certificates are also checked against the revocation list."""
    outcome = await _verify(text, c)
    result = "valid" if outcome.valid else (outcome.reason.value if outcome.reason else "invalid")
    VERIFICATIONS.labels(result=result).inc()
    return outcome


async def _verify(text: str, c: Components) -> Outcome:
    outcome = Verifier.trusting(c.keys.trusted).verify(text, c.now())
    verified = outcome.verified
    if verified is None or verified.issuer_country != c.settings.issuer_country:
        return outcome
    uvci = verified.dcc[verified.entry_type][0].get("ci")
    if isinstance(uvci, str) and await c.revocations.is_revoked(uvci):
        rejected = Rejected(Reason.REVOKED)
        return Outcome(None, rejected.reason, rejected.detail)
    return outcome
