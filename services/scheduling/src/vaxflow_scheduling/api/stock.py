"""Routes of the stock ledger."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from vaxflow_scheduling.api.deps import ROLE, ComponentsDep, Manager, Staff
from vaxflow_scheduling.handlers import stock
from vaxflow_scheduling.schemas import (
    AdjustmentCreate,
    LedgerEntryRead,
    LotRead,
    ReceiptCreate,
    StockRead,
)
from vaxflow_servicekit.context import CorrelationIdDep
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["stock"])


@router.post(
    "/stock/receipts",
    status_code=201,
    summary="Receive doses of a lot at a site",
    description="Site managers of the site, district admins, admins. The same `receipt_id` again "
    "answers `repeated: true` and changes nothing. 422 for an unknown product or an expired lot.",
    responses={**ROLE, **problem_responses(404)},
)
async def receive(
    body: ReceiptCreate, caller: Manager, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> LedgerEntryRead:
    """Append a receipt (publishes StockReceived)."""
    cmd = stock.ReceiveStock(
        str(body.receipt_id or uuid.uuid4()),
        str(body.site_id),
        body.product_code,
        body.manufacturer_code,
        body.lot_number.upper(),
        body.expiry_date,
        body.doses_per_vial,
        body.doses_received,
        correlation_id,
    )
    return LedgerEntryRead.model_validate(await stock.receive_stock(cmd, caller, c))


@router.post(
    "/stock/adjustments",
    status_code=201,
    summary="Record wastage or a recount",
    description="Wastage reasons take doses away (negative delta); `count_correction` may go "
    "either way. 422 for a lot the site does not hold.",
    responses={**ROLE, **problem_responses(404)},
)
async def adjust(
    body: AdjustmentCreate, caller: Manager, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> LedgerEntryRead:
    """Append an adjustment (publishes StockAdjusted)."""
    cmd = stock.AdjustStock(
        str(body.adjustment_id or uuid.uuid4()),
        str(body.site_id),
        str(body.lot_id),
        body.doses_delta,
        body.reason,
        correlation_id,
    )
    return LedgerEntryRead.model_validate(await stock.adjust_stock(cmd, caller, c))


@router.get(
    "/sites/{site_id}/stock",
    summary="A site's stock balance",
    description="Balance = receipts - doses - wastage +/- adjustments, recomputed from the "
    "ledger; suspended and expired lots are flagged and not usable.",
    responses={**ROLE, **problem_responses(404)},
)
async def balance(site_id: Uuid, caller: Staff, c: ComponentsDep) -> StockRead:
    """Every lot the site holds."""
    lots = [LotRead.model_validate(x) for x in await stock.site_stock(str(site_id), caller, c)]
    usable: dict[str, int] = {}
    for lot in lots:
        if lot.usable and lot.product_code:
            usable[lot.product_code] = usable.get(lot.product_code, 0) + max(lot.balance, 0)
    return StockRead(site_id=str(site_id), usable_by_product=usable, items=lots)
