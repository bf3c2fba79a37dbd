"""Receipts: a numbered PDF for every charged funding and every paid refund, and each
user's payment history (also as CSV).

A receipt is issued in the unit of work that records the money (the funding's success,
the refund's payment), so it exists exactly when the money moved. Numbers run 1, 2, 3, …
across the installation without gaps: the next number is taken under a row lock on the
one-row ``receipt_sequence`` table, so two receipts issued at once never share one. The
PDF (``fpdf2``) is rendered when asked for, from the stored rows: the fee breakdown the
payer was charged by, or the refund and its reason.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import TYPE_CHECKING

from fpdf import FPDF
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openchance.actor import Actor
from openchance.db.types import Money, utcnow
from openchance.errors import NotAuthenticated, NotFound
from openchance.models.accounts import User
from openchance.models.challenges import Challenge
from openchance.models.payments import (
    EscrowFunding,
    FundingStatus,
    Receipt,
    ReceiptKind,
    ReceiptSequence,
    Refund,
    RefundStatus,
)
from openchance.payments.fees import FeeBreakdown
from openchance.payments.funding_schemas import PaymentHistory, PaymentHistoryLine

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

SEQUENCE_ROW = 1
CSV_COLUMNS = ("date", "kind", "status", "challenge_id", "amount", "currency", "receipt_number")


async def issue_receipt(
    uow: UnitOfWork, funding: EscrowFunding, refund: Refund | None = None
) -> Receipt:
    """The receipt of a charged funding, or of one of its paid refunds, numbered next."""
    number = await next_number(uow, SEQUENCE_ROW)
    receipt = Receipt(
        id=uuid.uuid4(),
        number=number,
        kind=ReceiptKind.REFUND if refund is not None else ReceiptKind.FUNDING,
        funding_id=funding.id,
        refund_id=refund.id if refund is not None else None,
        user_id=funding.payer_id,
        currency=funding.currency,
        amount_minor=refund.amount_minor if refund is not None else funding.total_minor,
        issued_at=utcnow(),
    )
    uow.session.add(receipt)
    await uow.flush()
    return receipt


class ReceiptService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def receipt_pdf(self, actor: Actor, payment_id: uuid.UUID) -> tuple[str, bytes]:
        """The receipt of a funding or a refund (by its id) as ``(file name, PDF)``, for
        the payer and staff; anyone else, or a payment without a receipt yet, gets not
        found."""
        if not actor.is_authenticated:
            raise NotAuthenticated("sign in first")
        async with self._platform.unit_of_work(read_only=True) as uow:
            receipt = (
                await uow.session.scalars(
                    select(Receipt).where(
                        or_(
                            Receipt.refund_id == payment_id,
                            (Receipt.funding_id == payment_id)
                            & (Receipt.kind == ReceiptKind.FUNDING),
                        )
                    )
                )
            ).one_or_none()
            if receipt is None or not (actor.is_staff or actor.user_id == receipt.user_id):
                raise NotFound("receipt", payment_id)
            funding = await uow.session.get(EscrowFunding, receipt.funding_id)
            assert funding is not None
            refund = await uow.session.get(Refund, receipt.refund_id) if receipt.refund_id else None
            challenge = await uow.session.get(Challenge, funding.challenge_id)
            payer = await uow.session.get(User, receipt.user_id)
            assert challenge is not None
            assert payer is not None
            pdf = render_receipt(receipt, funding, refund, challenge.title, payer.display_name)
            return f"openchance-receipt-{receipt.number:06d}.pdf", pdf

    async def payment_history(self, actor: Actor) -> PaymentHistory:
        """The signed-in user's charged payments and paid refunds, newest first."""
        if actor.user_id is None:
            raise NotAuthenticated("sign in first")
        async with self._platform.unit_of_work(read_only=True) as uow:
            fundings = list(
                await uow.session.scalars(
                    select(EscrowFunding).where(
                        EscrowFunding.payer_id == actor.user_id,
                        EscrowFunding.status == FundingStatus.SUCCEEDED,
                    )
                )
            )
            refunds = list(
                await uow.session.scalars(
                    select(Refund)
                    .join(EscrowFunding, EscrowFunding.id == Refund.funding_id)
                    .where(
                        EscrowFunding.payer_id == actor.user_id,
                        Refund.status == RefundStatus.SUCCEEDED,
                    )
                )
            )
            numbers = {
                (row.kind, row.refund_id or row.funding_id): row.number
                for row in await uow.session.scalars(
                    select(Receipt).where(Receipt.user_id == actor.user_id)
                )
            }
        lines = [
            PaymentHistoryLine(
                id=funding.id, kind=ReceiptKind.FUNDING, challenge_id=funding.challenge_id,
                amount_minor=funding.total_minor, currency=funding.currency,
                at=funding.succeeded_at or funding.created_at,
                receipt_number=numbers.get((ReceiptKind.FUNDING, funding.id)),
            )
            for funding in fundings
        ] + [
            PaymentHistoryLine(
                id=refund.id, kind=ReceiptKind.REFUND, challenge_id=refund.challenge_id,
                amount_minor=refund.amount_minor, currency=refund.currency,
                at=refund.succeeded_at or refund.created_at,
                receipt_number=numbers.get((ReceiptKind.REFUND, refund.id)),
            )
            for refund in refunds
        ]  # fmt: skip
        lines.sort(key=lambda line: (line.at, str(line.id)), reverse=True)
        return PaymentHistory(lines=lines)


def history_csv(history: PaymentHistory) -> str:
    """The payment history as CSV, one line per payment, amounts in major units."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in history.lines:
        writer.writerow(
            (
                line.at.isoformat(timespec="seconds"),
                line.kind.value,
                "paid" if line.kind is ReceiptKind.FUNDING else "refunded",
                str(line.challenge_id),
                Money(line.amount_minor, line.currency).format().split(" ")[0],
                line.currency,
                "" if line.receipt_number is None else str(line.receipt_number),
            )
        )
    return out.getvalue()


def render_receipt(
    receipt: Receipt,
    funding: EscrowFunding,
    refund: Refund | None,
    challenge_title: str,
    payer_name: str,
) -> bytes:
    """The receipt as a one-page PDF."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"OpenChance receipt {receipt.number:06d}")
    pdf.set_author("OpenChance")
    pdf.set_creation_date(receipt.issued_at)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    kind = "Refund receipt" if refund is not None else "Receipt"
    pdf.cell(0, 10, latin_text(f"{kind} No. {receipt.number:06d}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    for label, value in (
        ("Issued", receipt.issued_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Paid by" if refund is None else "Refunded to", payer_name),
        ("Challenge", challenge_title),
        ("Payment", funding.processor_payment_id or str(funding.id)),
    ):
        pdf.cell(40, 6, latin_text(label))
        pdf.multi_cell(0, 6, latin_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    breakdown = FeeBreakdown.model_validate(funding.breakdown)
    rows: list[tuple[str, int]]
    if refund is None:
        rows = [
            ("Prize into escrow", breakdown.prize_minor),
            ("Platform fee", breakdown.challenger_fee_minor),
            ("Fixed fee", breakdown.fixed_fee_minor),
            ("Payment processing fee", breakdown.processor_fee_minor),
            ("Total charged", funding.total_minor),
        ]
        if funding.milestone_position is not None:
            pdf.cell(0, 6, latin_text(f"Milestone {funding.milestone_position}"),
                     new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    else:
        rows = [
            ("Held for the challenge", refund.held_minor),
            ("Processing fee returned", refund.processor_fee_minor),
            ("Total refunded", refund.amount_minor),
        ]
    write_amount_rows(pdf, rows, funding.currency)
    if refund is not None:
        pdf.ln(4)
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(0, 6, latin_text(f"Reason: {refund.reason}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


async def next_number(uow: UnitOfWork, sequence_row: int) -> int:
    """The next number of one ``receipt_sequence`` row (receipts, payout statements)."""
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await uow.session.execute(
        insert(ReceiptSequence)
        .values(id=sequence_row, last_number=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    # The UPDATE takes the row lock: concurrent issuers take numbers one after the other.
    number = await uow.session.scalar(
        update(ReceiptSequence)
        .where(ReceiptSequence.id == sequence_row)
        .values(last_number=ReceiptSequence.last_number + 1)
        .returning(ReceiptSequence.last_number)
    )
    assert number is not None
    return int(number)


def write_amount_rows(pdf: FPDF, rows: list[tuple[str, int]], currency: str) -> None:
    """Label and amount lines, the last one (the total) in bold under a rule."""
    for index, (label, amount) in enumerate(rows):
        last = index == len(rows) - 1
        pdf.set_font("helvetica", "B" if last else "", 11)
        pdf.cell(120, 7, latin_text(label), border="T" if last else 0)
        pdf.cell(0, 7, latin_text(Money(amount, currency).format()),
                 border="T" if last else 0, align="R", new_x="LMARGIN", new_y="NEXT")  # fmt: skip


def latin_text(text: str) -> str:
    """The core PDF fonts cover Latin-1 only: anything else is replaced, never an error."""
    return (
        text.replace("“", '"')
        .replace("”", '"')
        .replace("\u2019", "'")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )
