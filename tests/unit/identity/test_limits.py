"""Limits and lockout rules."""

from __future__ import annotations

from vaxflow_identity.domain.limits import LimitExceeded, LockoutPolicy, RateLimit, Usage


def test_the_request_over_the_limit_exceeds_it() -> None:
    rate = RateLimit(limit=3, window_s=900)

    assert not Usage(count=3, resets_in_s=10).exceeds(rate)
    assert Usage(count=4, resets_in_s=10).exceeds(rate)


def test_the_fifth_failure_locks_by_default_policy() -> None:
    policy = LockoutPolicy(max_failures=5, window_s=900, lockout_s=900)

    assert not policy.locks_after(4)
    assert policy.locks_after(5)


def test_a_retry_is_never_advised_sooner_than_a_second() -> None:
    assert LimitExceeded("x", 0).retry_after_s == 1
