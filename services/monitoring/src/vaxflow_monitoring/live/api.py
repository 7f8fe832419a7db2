"""The dashboard's routes: summary, stream, alerts and alert rules (mcc_operator or admin)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from vaxflow_monitoring.live.handlers import Live, UnknownRule
from vaxflow_monitoring.live.notify import Changes
from vaxflow_monitoring.live.schemas import (
    AcknowledgeCreate,
    AlertPage,
    AlertRead,
    AlertStatus,
    RulePage,
    RuleRead,
    RuleUpdate,
    SummaryRead,
)
from vaxflow_servicekit.auth import Principal, require_roles
from vaxflow_servicekit.problems import (
    PROBLEM_MEDIA_TYPE,
    FieldError,
    ProblemError,
    problem_responses,
    problem_type,
    validation_problem,
)

router = APIRouter(prefix="/api/v1")

Operator = Annotated[Principal, Depends(require_roles("mcc_operator", "admin"))]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=400, description="`next_cursor` of the previous page.")
]
AlertId = Annotated[str, Path(min_length=1, max_length=64, description="Id of the alert.")]


def live_of(request: Request) -> Live:
    """The live picture's handlers, built at start-up."""
    live: Live = request.app.state.live
    return live


def changes_of(request: Request) -> Changes:
    """Change notices heard from the workers."""
    changes: Changes = request.app.state.live_changes
    return changes


LiveDep = Annotated[Live, Depends(live_of)]
ChangesDep = Annotated[Changes, Depends(changes_of)]


def _problem(status: int, slug: str, detail: str) -> dict[str, Any]:
    example = {"type": problem_type(slug), "status": status, "detail": detail}
    return {
        "description": detail,
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": example,
            }
        },
    }


_403 = problem_responses(403)


@router.get(
    "/dashboard/summary",
    summary="The response centre's live picture",
    responses=_403,
    tags=["dashboard"],
)
async def dashboard_summary(_: Operator, live: LiveDep) -> SummaryRead:
    """Doses, coverage, appointments, queues, stock, AEFI, certificates, pipeline and alerts."""
    return await live.summary()


_STREAM_DOC = {
    200: {
        "description": "Server-sent events: `event: summary` with the whole summary as one JSON "
        "line on connect and after each change (at most one per 500 ms), `: keep-alive` "
        "comments every 15 s.",
        # Each event, as server-sent-event readers (and OpenAPI 3.2's `itemSchema`) see it.
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "event": {"type": "string", "enum": ["summary"]},
                        "data": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "description": "The summary (GET /dashboard/summary) as one line.",
                        },
                    },
                    "required": ["event", "data"],
                }
            }
        },
    },
    **_403,
}


@router.get(
    "/dashboard/stream",
    summary="The live picture as server-sent events",
    response_class=EventSourceResponse,
    responses=_STREAM_DOC,
    tags=["dashboard"],
)
async def dashboard_stream(
    _: Operator, live: LiveDep, changes: ChangesDep, request: Request
) -> EventSourceResponse:
    """Push the summary on connect and whenever it changes; read it with fetch, not EventSource."""
    settings = request.app.state.settings.live
    return EventSourceResponse(
        _summaries(live, changes, settings.stream_min_interval_s),
        ping=settings.stream_keepalive_s,
        ping_message_factory=lambda: ServerSentEvent(comment="keep-alive"),
    )


async def _summaries(
    live: Live, changes: Changes, min_interval_s: float
) -> AsyncIterator[ServerSentEvent]:
    loop = asyncio.get_running_loop()
    version, sent_at = changes.version, 0.0
    while True:
        summary = await live.shared_summary(version)  # one read serves every open stream
        sent_at = loop.time()
        yield ServerSentEvent(data=summary.model_dump_json(), event="summary")
        # Wait for a change (or refresh now and then, so waits and `as_of` move), then let at
        # least `min_interval_s` pass since the last message: bursts collapse into one.
        version = await changes.after(version, timeout_s=30.0)
        await asyncio.sleep(max(sent_at + min_interval_s - loop.time(), 0))
        version = changes.version


@router.get(
    "/alerts",
    summary="Alerts, newest first",
    responses={**_403, 422: _problem(422, "validation-error", "Not a cursor of this list.")},
    tags=["alerts"],
)
async def list_alerts(
    _: Operator,
    live: LiveDep,
    status: Annotated[AlertStatus | None, Query(description="Only alerts in this state.")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AlertPage:
    """Open, acknowledged or closed alerts (all when `status` is absent), paginated."""
    try:
        page, next_cursor = await live.store.alerts_page(status, cursor, limit)
    except ValueError:
        rule = FieldError(field="query.cursor", rule="invalid_cursor", message="Not a cursor.")
        raise validation_problem([rule]) from None
    return AlertPage(items=[_read(a) for a in page], next_cursor=next_cursor)


def _read(alert: dict[str, Any]) -> AlertRead:
    return AlertRead.model_validate({**alert, "alert_id": alert["_id"]})


@router.post(
    "/alerts/{alert_id}/acknowledge",
    summary="Acknowledge an alert",
    responses={
        **_403,
        404: _problem(404, "alert-not-found", "No alert has this id."),
        409: _problem(409, "alert-closed", "The alert is closed: its condition cleared."),
    },
    tags=["alerts"],
)
async def acknowledge_alert(
    alert_id: AlertId,
    operator: Operator,
    live: LiveDep,
    request: Request,
    body: AcknowledgeCreate | None = None,
) -> AlertRead:
    """Mark an open alert as seen by an operator; acknowledging again changes nothing."""
    alert = await live.acknowledge(alert_id, operator.subject, body.note if body else None)
    await request.app.state.live_notifier.changed()
    return alert


@router.get(
    "/alert-rules", summary="Alert rules and their thresholds", responses=_403, tags=["alerts"]
)
async def list_rules(_: Operator, live: LiveDep) -> RulePage:
    """Every rule with its threshold and per-site overrides."""
    return RulePage(items=await live.rule_reads())


@router.put(
    "/alert-rules/{rule}",
    summary="Change a rule's threshold, or one site's",
    responses={
        **_403,
        404: _problem(404, "rule-not-found", "No alert rule has this name."),
        422: _problem(422, "validation-error", "crowding and stock_low alone take a site_id."),
    },
    tags=["alerts"],
)
async def update_rule(
    rule: Annotated[str, Path(max_length=40, description="Name of the rule.")],
    body: RuleUpdate,
    _: Operator,
    live: LiveDep,
    request: Request,
) -> RuleRead:
    """Set the threshold (with `site_id`: for that site only); alerts are re-evaluated at once."""
    site_id = str(body.site_id) if body.site_id else None
    try:
        updated = await live.set_threshold(rule, body.threshold, site_id)
    except UnknownRule:
        raise ProblemError(404, "No alert rule has this name.", slug="rule-not-found") from None
    except ValueError:
        error = FieldError(
            field="body.site_id",
            rule="not_per_site",
            message="This rule has no per-site threshold.",
        )
        raise validation_problem([error]) from None
    if await live.evaluate_alerts():
        await request.app.state.live_notifier.changed()
    return updated
