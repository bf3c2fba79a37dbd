"""Receipts (`GET /api/v1/payments/{id}/receipt.pdf`, a funding's or a refund's), the
payment history (`GET /api/v1/me/payments` and `.csv`) and the last reconciliation with the
processor (`GET /api/v1/payments/reconciliation`)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from openchance.files.filenames import content_disposition
from openchance.payments.funding_schemas import PaymentHistory
from openchance.payments.receipts import history_csv
from openchance.payments.reconciliation import ReconciliationReport
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform

payments = APIRouter(prefix="/payments", tags=["payments"])
mine = APIRouter(prefix="/me", tags=["me"])

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The receipt."}
}
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "One line per payment."}
}


@payments.get(
    "/{payment_id}/receipt.pdf",
    summary="The PDF receipt of a funding or a refund (its payer, staff)",
    response_class=Response,
    responses=PDF_RESPONSE,
)
async def receipt_pdf(payment_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> Response:
    """Numbered, with the fee breakdown the payer was charged by (or the refund and its
    reason). 404 for anyone else, and for a payment not charged (or refunded) yet."""
    filename, pdf = await oc.receipts.receipt_pdf(actor, payment_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition("attachment", filename)},
    )


@payments.get("/reconciliation", summary="The last reconciliation with the processor (staff)")
async def last_reconciliation(oc: Platform, actor: CurrentUser) -> ReconciliationReport | None:
    """`null` before the first run (`openchance payments reconcile`, or the daily job)."""
    return await oc.reconciliation.last_run(actor)


@mine.get("/payments", summary="Your payments and refunds")
async def my_payments(oc: Platform, actor: CurrentUser) -> PaymentHistory:
    """Charged fundings and paid refunds, newest first, with their receipt numbers."""
    return await oc.receipts.payment_history(actor)


@mine.get(
    "/payments.csv",
    summary="Your payments and refunds as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
async def my_payments_csv(oc: Platform, actor: CurrentUser) -> Response:
    """Columns: date, kind, status, challenge_id, amount (major units), currency,
    receipt_number."""
    history = await oc.receipts.payment_history(actor)
    return Response(
        history_csv(history),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="openchance-payments.csv"'},
    )


router = APIRouter()
router.include_router(payments)
router.include_router(mine)
