"""Receipts: one numbered PDF per charged funding and per paid refund, and the payment
history (also as CSV)."""

from __future__ import annotations

import re
import zlib

import anyio
import pytest

from openchance import Actor, OpenChance
from openchance.errors import NotFound
from openchance.models.payments import ReceiptKind
from openchance.payments.funding_schemas import FundingRead, RefundRequest
from openchance.payments.receipts import history_csv
from tests.factories.challenges import insert_challenge
from tests.factories.payments import fund
from tests.factories.users import actor_for, create_user

SYSTEM = Actor.system("tests")


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the PDF's pages (its content streams, inflated)."""
    assert pdf.startswith(b"%PDF-")
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            parts.append(stream.decode("latin-1"))
    return "\n".join(parts)


async def paid(
    oc: OpenChance, *, title: str = "Forecast bakery demand"
) -> tuple[Actor, FundingRead]:
    owner = await create_user(oc, email="owner@example.org")
    actor = await actor_for(oc, "owner@example.org")
    challenge = await insert_challenge(oc, owner, title=title, reward_min_minor=100_000)
    return actor, await fund(oc, actor, challenge)


class TestReceipts:
    async def test_a_charged_funding_gets_a_receipt_with_its_breakdown(
        self, oc: OpenChance
    ) -> None:
        owner, funding = await paid(oc)

        name, pdf = await oc.receipts.receipt_pdf(owner, funding.id)

        assert name == "openchance-receipt-000001.pdf"
        text = pdf_text(pdf)
        assert "Receipt No. 000001" in text
        assert "Forecast bakery demand" in text
        assert "1066.00 EUR" in text  # the total charged

    async def test_a_paid_refund_gets_the_next_number(self, oc: OpenChance) -> None:
        owner, funding = await paid(oc)
        refund = await oc.refunds.refund_funding(
            SYSTEM,
            funding.id,
            RefundRequest(reason="Withdrawn."),
        )

        name, pdf = await oc.receipts.receipt_pdf(owner, refund.id)

        assert name == "openchance-receipt-000002.pdf"
        assert "Refund receipt No. 000002" in pdf_text(pdf)
        assert "Reason: Withdrawn." in pdf_text(pdf)

    async def test_numbers_have_no_gaps_when_issued_at_once(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        actor = await actor_for(oc, "owner@example.org")
        challenges = [await insert_challenge(oc, owner, title=f"Challenge {n}") for n in range(6)]

        async with anyio.create_task_group() as group:
            for challenge in challenges:
                group.start_soon(fund, oc, actor, challenge)

        history = await oc.receipts.payment_history(actor)
        assert sorted(line.receipt_number or 0 for line in history.lines) == list(range(1, 7))

    async def test_a_stranger_cannot_read_a_receipt(self, oc: OpenChance) -> None:
        _, funding = await paid(oc)
        await create_user(oc, email="stranger@example.org")
        stranger = await actor_for(oc, "stranger@example.org")

        with pytest.raises(NotFound):
            await oc.receipts.receipt_pdf(stranger, funding.id)

    async def test_staff_can_read_a_receipt(self, oc: OpenChance) -> None:
        _, funding = await paid(oc)

        name, _ = await oc.receipts.receipt_pdf(SYSTEM, funding.id)

        assert name.endswith(".pdf")

    async def test_a_payment_not_charged_yet_has_no_receipt(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        actor = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(oc, owner)
        started = await oc.escrow.start_funding(actor, challenge)

        with pytest.raises(NotFound):
            await oc.receipts.receipt_pdf(actor, started.id)


class TestPaymentHistory:
    async def test_lists_payments_and_refunds_newest_first(self, oc: OpenChance) -> None:
        owner, funding = await paid(oc)
        await oc.refunds.refund_funding(
            SYSTEM,
            funding.id,
            RefundRequest(reason="Withdrawn."),
        )

        history = await oc.receipts.payment_history(owner)

        assert [line.kind for line in history.lines] == [ReceiptKind.REFUND, ReceiptKind.FUNDING]
        assert [line.receipt_number for line in history.lines] == [2, 1]

    async def test_the_csv_export_has_a_line_per_payment(self, oc: OpenChance) -> None:
        owner, _ = await paid(oc)

        csv = history_csv(await oc.receipts.payment_history(owner))

        header, line = csv.strip().splitlines()
        assert header == "date,kind,status,challenge_id,amount,currency,receipt_number"
        assert line.split(",")[1:3] == ["funding", "paid"]
        assert line.split(",")[4:] == ["1066.00", "EUR", "1"]
