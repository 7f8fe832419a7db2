"""The per-identity limits on certificate downloads: PDFs and QR codes, and the list apart."""

from __future__ import annotations

from vaxflow_certificate.handlers.components import Components
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.problems import ProblemError


async def admit_download(caller: Principal, c: Components) -> None:
    """Count one PDF or QR download by the caller; 429 with Retry-After once over the limit."""
    await _admit(caller, "file", c.settings.download_limit, c)


async def admit_list(caller: Principal, c: Components) -> None:
    """Count one read of the account's certificate list; 429 with Retry-After over the limit."""
    await _admit(caller, "list", c.settings.list_limit, c)


async def _admit(caller: Principal, what: str, limit: int, c: Components) -> None:
    if c.downloads is None:
        return
    window = c.settings.download_window_s
    usage = await c.downloads.count(f"{what}:{caller.subject}", window)
    if usage.count > limit:
        raise ProblemError(
            429,
            f"At most {limit} certificate downloads per {window} s; "
            f"try again in {usage.resets_in_s} s.",
            slug="too-many-downloads",
            headers={"Retry-After": str(usage.resets_in_s)},
        )
