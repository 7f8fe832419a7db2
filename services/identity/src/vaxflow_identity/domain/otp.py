"""One-time codes: 6 random digits, kept only as an HMAC bound to the phone number."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum

CODE_DIGITS = 6
_CODE_SPACE = 10**CODE_DIGITS


def new_code() -> str:
    """A fresh code from the operating system's secure random source."""
    return f"{secrets.randbelow(_CODE_SPACE):0{CODE_DIGITS}d}"


def hash_code(key: bytes, phone: str, code: str) -> str:
    """The code's HMAC, bound to the phone so one code never matches another phone's."""
    return hmac.new(key, f"otp:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def phone_index(key: bytes, phone: str) -> str:
    """A blind index of the phone: the key under which its codes, limits and account live."""
    return hmac.new(key, f"phone:{phone}".encode(), hashlib.sha256).hexdigest()


def sms_text(code: str, ttl_s: int) -> str:
    """The message carrying the code."""
    minutes = max(1, ttl_s // 60)
    return (
        f"VaxFlow: ma xac thuc cua ban la {code}. Het han sau {minutes} phut. Khong chia se ma nay."
    )


class Outcome(Enum):
    """What checking a code found."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    BURNT = "burnt"  # the last allowed attempt was wrong: the code is gone
    MISSING = "missing"  # never sent, expired, already used or burnt


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome and, for a wrong code, how many attempts remain."""

    outcome: Outcome
    attempts_left: int = 0
