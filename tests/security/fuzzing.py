"""Schemathesis against each service's OpenAPI, in process: the service's own `build_app` (API role)
on the real FerretDB (a database of the run's own) and Kafka, with tokens from a local issuer.

Checks: no 5xx, every status documented, the documented media type, and every body valid against
the documented schema. The number of examples per operation and caller comes from
`VAXFLOW_FUZZ_EXAMPLES` (`make test` keeps it small; `make fuzz` raises it).

Then a stateful run as admin and as a citizen, along the OpenAPI links the documents declare
(registration, scheduling, monitoring) and those schemathesis infers (injection, certificate):
sequences that create something and follow the links of the answer (read, change, cancel what
was created), as many sequences as examples, each of up to `VAXFLOW_FUZZ_STATEFUL_STEPS` steps,
with the same checks.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import hypothesis
import pymongo
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import NoLinksFound
from schemathesis.core.result import Ok
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.settings import MongoSettings
from vaxflow_servicekit.testing import unique_name

EXAMPLES = int(os.environ.get("VAXFLOW_FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Steps per stateful scenario (a create and what its links lead to).
STATEFUL_STEPS = int(os.environ.get("VAXFLOW_FUZZ_STATEFUL_STEPS", "6"))
SITE_A = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
#: The callers every operation is fuzzed as (claims for LocalTokenIssuer.token).
CALLERS: dict[str, dict[str, Any]] = {
    "admin": {"role": "admin", "subject": "staff_fuzz_admin"},
    "citizen": {"role": "citizen", "subject": "acc_fuzz"},
    "vaccinator": {"role": "vaccinator", "subject": "staff_fuzz_vac", "site_id": SITE_A},
    "anonymous": {},
}
#: The callers of the stateful runs: those who create what the links lead from.
STATEFUL_CALLERS = ("admin", "citizen")


def _registration(database: str, issuer: LocalTokenIssuer) -> FastAPI:
    from vaxflow_registration.main import build_app
    from vaxflow_registration.settings import RegistrationSettings

    settings = RegistrationSettings(environment="test", mongo_database=database)
    return build_app(settings, "api", verifier=issuer.verifier())


def _scheduling(database: str, issuer: LocalTokenIssuer) -> FastAPI:
    from vaxflow_scheduling.main import build_app
    from vaxflow_scheduling.settings import SchedulingSettings

    settings = SchedulingSettings(environment="test", mongo_database=database)
    return build_app(settings, "api", verifier=issuer.verifier())


def _injection(database: str, issuer: LocalTokenIssuer) -> FastAPI:
    from vaxflow_injection.main import build_app
    from vaxflow_injection.settings import InjectionSettings

    settings = InjectionSettings(environment="test", mongo_database=database)
    return build_app(settings, "api", verifier=issuer.verifier())


def _certificate(database: str, issuer: LocalTokenIssuer) -> FastAPI:
    from vaxflow_certificate.main import build_app
    from vaxflow_certificate.settings import CertificateSettings

    settings = CertificateSettings(environment="test", mongo_database=database)
    return build_app(settings, "api", verifier=issuer.verifier())


def _identity(database: str, issuer: LocalTokenIssuer) -> FastAPI:
    from vaxflow_identity.main import build_app
    from vaxflow_identity.settings import IdentitySettings

    settings = IdentitySettings(environment="test", mongo_database=database)
    return build_app(settings, "api", redis_prefix=unique_name("fuzz-identity"))


def _monitoring(database: str, issuer: LocalTokenIssuer) -> FastAPI:
    from vaxflow_monitoring.main import build_app  # type: ignore[import-not-found,unused-ignore]
    from vaxflow_monitoring.settings import MonitoringSettings

    settings = MonitoringSettings(environment="test", mongo_database=database)
    app: FastAPI = build_app(settings, "api", verifier=issuer.verifier())
    return app


APPS: dict[str, Callable[[str, LocalTokenIssuer], FastAPI]] = {
    "identity": _identity,
    "registration": _registration,
    "scheduling": _scheduling,
    "injection": _injection,
    "certificate": _certificate,
    "monitoring": _monitoring,
}


@dataclass
class Findings:
    """What the fuzzing found: one line per failing operation and caller."""

    failures: list[str] = field(default_factory=list)
    cases: int = 0
    stateful_steps: int = 0  # calls made by the stateful runs (0: the document has no links)


def _runner(
    operation: Any, headers: dict[str, str], examples: int, findings: Findings
) -> Callable[[], None]:
    """A Hypothesis test sending `examples` generated cases of the operation with these headers."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case: Any) -> None:
        findings.cases += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


class _Checked:
    """Mixed into a schemathesis state machine: every step as one caller, with our checks."""

    headers: ClassVar[dict[str, str]] = {}
    findings: ClassVar[Findings]

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"headers": self.headers}

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        self.findings.stateful_steps += 1
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)


def _stateful(
    schema: Any, caller: str, headers: dict[str, str], scenarios: int, findings: Findings
) -> None:
    """Sequences along the documents' links (create, then read, change or cancel what was
    created), `scenarios` of them, each of a few steps."""
    machine = type(
        f"Stateful_{caller}",
        (_Checked, schema.as_state_machine()),
        {"headers": headers, "findings": findings},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=scenarios,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.generate],
        ),
    )


def fuzz_service(service: str, *, examples: int = EXAMPLES) -> Findings:
    """Fuzz every operation of one service as every caller; the failures found."""
    issuer = LocalTokenIssuer()
    database = unique_name(f"fuzz_{service}")
    try:
        return _fuzz(service, APPS[service](database, issuer), issuer, examples)
    finally:
        client: pymongo.MongoClient[Any] = pymongo.MongoClient(MongoSettings().url)
        client.drop_database(database)
        client.close()


def _fuzz(service: str, app: FastAPI, issuer: LocalTokenIssuer, examples: int) -> Findings:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    findings = Findings()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            findings.failures.append(f"{service}: an invalid operation in the OpenAPI: {result}")
            continue
        operation = result.ok()
        for caller, claims in CALLERS.items():
            headers = {"Authorization": f"Bearer {issuer.token(**claims)}"} if claims else {}

            try:
                _runner(operation, headers, examples, findings)()
            except Exception as error:
                first = "".join(traceback.format_exception_only(error)).strip()
                findings.failures.append(f"{operation.label} as {caller}: {first[:1500]}")
    for caller in STATEFUL_CALLERS:
        claims = CALLERS[caller]
        headers = {"Authorization": f"Bearer {issuer.token(**claims)}"}
        try:
            _stateful(schema, caller, headers, examples, findings)
        except NoLinksFound:
            break  # no links, declared or inferred (identity)
        except Exception as error:
            first = "".join(traceback.format_exception_only(error)).strip()
            findings.failures.append(f"{service} stateful as {caller}: {first[:1500]}")
    return findings
