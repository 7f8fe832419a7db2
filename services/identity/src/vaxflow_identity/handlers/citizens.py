"""Citizen login: a one-time code by SMS, then tokens for the phone's account."""

from __future__ import annotations

from vaxflow_identity.domain.otp import Outcome, Verdict, hash_code, new_code, phone_index, sms_text
from vaxflow_identity.domain.tokens import Subject, TokenPair
from vaxflow_identity.handlers.context import Identity
from vaxflow_identity.handlers.sessions import issue_tokens
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.problems import ProblemError

log = get_logger(__name__)


async def request_code(identity: Identity, *, phone: str, address: str) -> int:
    """Send a fresh code to a normalised phone; return its lifetime in seconds.

    The address limit is counted first, then the phone's: a refused request sends nothing.
    """
    settings = identity.settings
    await identity.guard.admit("otp-request-address", address, settings.address_rate)
    index = phone_index(identity.index_key, phone)
    await identity.guard.admit("otp-request-phone", index, settings.otp_phone_limit)
    code = new_code()
    await identity.guard.put_code(
        index, hash_code(identity.otp_key, phone, code), ttl_s=settings.otp_ttl_s
    )
    await identity.sms.send(phone, sms_text(code, settings.otp_ttl_s))
    log.info("otp_sent", phone_index=index[:16])
    return settings.otp_ttl_s


async def verify_code(identity: Identity, *, phone: str, code: str, address: str) -> TokenPair:
    """Check the code; when right, log the phone's account in (creating it the first time)."""
    settings = identity.settings
    await identity.guard.admit("otp-verify-address", address, settings.address_rate)
    index = phone_index(identity.index_key, phone)
    verdict = await identity.guard.check_code(
        index, hash_code(identity.otp_key, phone, code), max_attempts=settings.otp_max_attempts
    )
    if verdict.outcome is not Outcome.ACCEPTED:
        raise _refusal(verdict)
    account_id = await identity.accounts.account_for_phone(index, now=identity.clock())
    log.info("citizen_logged_in", account_id=account_id)
    return await issue_tokens(identity, Subject.citizen(account_id))


def _refusal(verdict: Verdict) -> ProblemError:
    if verdict.outcome is Outcome.WRONG:
        return ProblemError(
            401,
            "The code is wrong.",
            slug="otp-wrong",
            extensions={"attempts_left": verdict.attempts_left},
        )
    if verdict.outcome is Outcome.BURNT:
        return ProblemError(
            401,
            "Too many wrong codes: this code no longer works; ask for a new one.",
            slug="otp-burnt",
        )
    return ProblemError(
        401,
        "There is no valid code for this phone (expired or used); ask for a new one.",
        slug="otp-expired",
    )
