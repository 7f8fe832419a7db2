"""Issue 12: schemathesis against every service's OpenAPI, in process, bounded for `make test`.

Per operation (stateless), then along the OpenAPI links of the documents that declare them
(stateful). `make fuzz` runs the same with many more examples; see docs/security.md.
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.security.fuzzing import APPS, fuzz_service

pytestmark = pytest.mark.stack

#: The services whose documents declare links: their stateful run must make calls (schemathesis
#: also infers links from the others' documents where it can, e.g. injection and certificate).
LINKED = {"registration", "scheduling", "monitoring"}


@pytest.mark.parametrize("service", list(APPS))
def test_no_server_errors_and_every_answer_as_documented(service: str) -> None:
    if importlib.util.find_spec(f"vaxflow_{service}.main") is None:
        pytest.skip(f"{service} has no app yet")

    findings = fuzz_service(service)

    assert findings.cases > 0
    assert findings.stateful_steps > 0 or service not in LINKED
    assert findings.failures == [], "\n\n".join(findings.failures)
