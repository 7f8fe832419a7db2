"""OpenAPI links: how a response's values feed the next operation (schemathesis follows them in
its stateful runs, and readers see which call comes next).

    THING_ID = "$response.body#/thing_id"
    @router.post("/things", status_code=201, responses={
        201: links(GetThing=link("GET", "/api/v1/things/{thing_id}", thing_id=THING_ID))
    })
"""

from __future__ import annotations

from typing import Any


def link(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """A link to the operation `method path`; each parameter a runtime expression."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "parameters": parameters}


def links(**named: dict[str, Any]) -> dict[str, Any]:
    """The `responses=` entry of a status that links to these operations."""
    return {"links": named}
