"""The console's copy of injection's checklist and code lists is the service's (no drift).

The console asks the screening questions, offers the coded reactions, the seriousness criteria,
body sites and outcomes, and bounds the vital signs, from web/site/src/checklist.js, so that it
works without a connection from the first load. This test reads that file and compares each list
with what injection holds as data (data/screening.toml, data/reactions.toml, data/products.toml)
or declares (the event enums and the request schema's bounds). No stack and no node needed.
"""

from __future__ import annotations

import re
from pathlib import Path

from vaxflow_injection.domain.observation import reaction_list
from vaxflow_injection.domain.products import catalogue
from vaxflow_injection.domain.screening import checklist
from vaxflow_injection.schemas import VitalsIn

from vaxflow_events import BodySite, ScreeningOutcome, SeriousnessCriterion

SRC = Path(__file__).resolve().parents[2] / "web" / "site" / "src"
CHECKLIST = (SRC / "checklist.js").read_text()
MAIN = (SRC / "main.js").read_text()


def _block(source: str, name: str) -> str:
    """The text of `export const NAME = ...;` (or `const NAME = ...;`)."""
    found = re.search(rf"const {name} = (.*?);\n", source, re.S)
    assert found, f"{name} is not in the console's sources"
    return found.group(1)


def _strings(block: str) -> list[str]:
    return re.findall(r'"([^"]*)"', block)


def test_the_questions_are_the_services_in_its_order_and_wording() -> None:
    pairs = re.findall(r'\["(\w+)", "([^"]*)"\]', _block(CHECKLIST, "QUESTIONS"))

    assert pairs == list(checklist().questions.items())


def test_the_reaction_codes_are_the_services() -> None:
    assert _strings(_block(CHECKLIST, "REACTIONS")) == list(reaction_list())


def test_outcomes_seriousness_and_body_sites_are_the_event_contracts_values() -> None:
    outcomes = re.findall(r"(\w+):", _block(CHECKLIST, "OUTCOMES"))
    body_sites = re.findall(r"(\w+):", _block(CHECKLIST, "BODY_SITES"))

    assert outcomes == [o.value for o in ScreeningOutcome]
    assert _strings(_block(CHECKLIST, "SERIOUSNESS")) == [c.value for c in SeriousnessCriterion]
    assert body_sites == [b.value for b in BodySite]


def test_the_vital_signs_have_the_request_schemas_names_and_bounds() -> None:
    rows = re.findall(r'\["(\w+)", "[^"]*", "[^"]*", (\d+), (\d+)\]', _block(CHECKLIST, "VITALS"))
    declared = {}
    for name, field in VitalsIn.model_fields.items():
        bounds = {type(m).__name__: m for m in field.metadata}
        declared[name] = (str(bounds["Ge"].ge), str(bounds["Le"].le))

    assert {name: (low, high) for name, low, high in rows} == declared


def test_the_product_names_are_the_services() -> None:
    names = dict(re.findall(r'"?([\w/.-]+)"?: "([^"]*)"', _block(MAIN, "PRODUCT_NAMES")))

    assert names == {code: p.name for code, p in catalogue().items()}
