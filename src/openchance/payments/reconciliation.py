"""Reconciliation: the ledger compared with the processor's own records.

``oc.reconciliation.run(actor, since=None)`` reads the processor's payments, refunds and
transfers to solvers' payout accounts (created since then) and our fundings, refunds and
payouts of the same period (each payout sent to a bank is read back from the processor),
and reports every mismatch:

| kind | what differs |
| --- | --- |
| ``payment_unknown`` | the processor holds a payment no funding of ours made |
| ``charge_not_recorded`` | the processor charged it; the ledger has no deposit for it |
| ``charge_recorded_not_at_processor`` | the ledger has the deposit; the processor did not charge |
| ``charge_amount_differs`` | both have it, for different amounts or currencies |
| ``refund_unknown`` | the processor refunded money no succeeded refund of ours records |
| ``refund_recorded_not_at_processor`` | our succeeded refund has no refund at the processor |
| ``refund_amount_differs`` | both have it, for different amounts |
| ``transfer_unknown`` | the processor made a transfer to a payout account for no payout |
| ``transfer_recorded_not_at_processor`` | our payout's transfer is not at the processor |
| ``transfer_amount_differs`` | both have it, for different amounts or currencies |
| ``payout_state_differs`` | our payout to a bank and the processor's disagree (state or amount) |

Each run is stored (``reconciliation_runs``) so staff see the last result; the daily job
``payments.reconcile`` runs it over the last two days.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, computed_field
from sqlalchemy import select

from openchance.accounts.policy import check_staff
from openchance.actor import Actor
from openchance.db.types import utcnow
from openchance.jobs import JobContext, JobRegistry, JobType, Schedule
from openchance.models.payments import (
    EscrowFunding,
    FundingStatus,
    ReconciliationRun,
    Refund,
    RefundStatus,
)
from openchance.models.payouts import Payout, PayoutAccount, PayoutStatus
from openchance.payments.processors.base import (
    FUNDING_ID_METADATA,
    PaymentState,
    PayoutState,
    ProcessorPayment,
    ProcessorRefund,
    ProcessorTransfer,
)

if TYPE_CHECKING:
    from openchance.platform import OpenChance

DAILY_WINDOW = timedelta(days=2)
PAYOUT_STATES = {
    PayoutState.PENDING: PayoutStatus.IN_TRANSIT,
    PayoutState.IN_TRANSIT: PayoutStatus.IN_TRANSIT,
    PayoutState.PAID: PayoutStatus.PAID,
    PayoutState.FAILED: PayoutStatus.FAILED,
    PayoutState.CANCELED: PayoutStatus.FAILED,
}
"""What our payout should be for each state of the processor's."""
MAX_LISTED = 200


class Mismatch(BaseModel):
    kind: str
    subject: str = Field(description="The processor's payment or refund id, or ours.")
    detail: str


class ReconciliationReport(BaseModel):
    id: uuid.UUID
    processor: str
    since: datetime | None
    ran_at: datetime
    payments_checked: int
    refunds_checked: int
    transfers_checked: int
    payouts_checked: int
    mismatch_count: int
    mismatches: list[Mismatch] = Field(description=f"The first {MAX_LISTED}.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.mismatch_count == 0


class ReconciliationService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def run(self, actor: Actor, *, since: datetime | None = None) -> ReconciliationReport:
        """Compare, store the result and answer it (staff and the system operator)."""
        check_staff(actor)
        processor = self._platform.payment_processor
        payments = await processor.list_payments(created_since=since)
        refunds = await processor.list_refunds(created_since=since)
        transfers = await self._platform.payout_processor.list_transfers(created_since=since)
        sent = await self._sent_payouts(since)
        payout_mismatches = await self._compare_payouts(sent)
        async with self._platform.unit_of_work() as uow:
            # The processor's records of the window are matched against all of ours (one of
            # ours may be older than its processor record); only "ours, not at the
            # processor" looks at our records of the window.
            fundings = list(await uow.session.scalars(select(EscrowFunding)))
            ours = list(await uow.session.scalars(select(Refund)))
            payouts = list(
                await uow.session.scalars(select(Payout).where(Payout.transfer_id.is_not(None)))
            )
            mismatches = (
                _compare_payments(payments, fundings, since)
                + _compare_refunds(refunds, ours, since)
                + _compare_transfers(transfers, payouts, since)
                + payout_mismatches
            )
            run = ReconciliationRun(
                id=uuid.uuid4(),
                processor=processor.name,
                since=since,
                ran_at=utcnow(),
                mismatch_count=len(mismatches),
                report={
                    "payments_checked": len(payments),
                    "refunds_checked": len(refunds),
                    "transfers_checked": len(transfers),
                    "payouts_checked": len(sent),
                    "mismatches": [m.model_dump() for m in mismatches[:MAX_LISTED]],
                },
            )
            uow.session.add(run)
            await uow.flush()
            return _report(run)

    async def _sent_payouts(self, since: datetime | None) -> list[tuple[Payout, str]]:
        """Our payouts sent to a bank (in the window), with their connected account."""
        statement = (
            select(Payout, PayoutAccount.processor_account_id)
            .join(PayoutAccount, PayoutAccount.id == Payout.payout_account_id)
            .where(Payout.processor_payout_id.is_not(None))
        )
        if since is not None:
            statement = statement.where(Payout.updated_at >= since)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return [(row[0], row[1]) for row in await uow.session.execute(statement)]

    async def _compare_payouts(self, sent: list[tuple[Payout, str]]) -> list[Mismatch]:
        found: list[Mismatch] = []
        processor = self._platform.payout_processor
        for payout, account_id in sent:
            assert payout.processor_payout_id is not None
            theirs = await processor.retrieve_payout(
                account_id=account_id, payout_id=payout.processor_payout_id
            )
            expected = PAYOUT_STATES.get(theirs.state)
            if (expected, theirs.amount_minor) != (payout.status, payout.amount_minor):
                found.append(
                    Mismatch(
                        kind="payout_state_differs", subject=str(payout.id),
                        detail=f"ours {payout.status.value} {payout.amount_minor}, the "
                        f"processor's {theirs.state.value} {theirs.amount_minor}",
                    )
                )  # fmt: skip
        return found

    async def last_run(self, actor: Actor) -> ReconciliationReport | None:
        """The latest stored result, for staff; None before the first run."""
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            run = await uow.session.scalar(
                select(ReconciliationRun)
                .order_by(ReconciliationRun.ran_at.desc(), ReconciliationRun.id.desc())
                .limit(1)
            )
            return None if run is None else _report(run)


def _compare_payments(
    payments: list[ProcessorPayment], fundings: list[EscrowFunding], since: datetime | None
) -> list[Mismatch]:
    found: list[Mismatch] = []
    by_payment = {f.processor_payment_id: f for f in fundings if f.processor_payment_id}
    by_id = {str(f.id): f for f in fundings}
    seen: set[uuid.UUID] = set()
    for payment in payments:
        funding = by_payment.get(payment.id) or by_id.get(
            payment.metadata.get(FUNDING_ID_METADATA, "")
        )
        charged = payment.state is PaymentState.SUCCEEDED
        if funding is None:
            if charged:
                found.append(
                    Mismatch(
                        kind="payment_unknown",
                        subject=payment.id,
                        detail=f"{payment.amount_minor} {payment.currency} "
                        "charged for no funding of ours",
                    )
                )
            continue
        seen.add(funding.id)
        recorded = funding.status is FundingStatus.SUCCEEDED
        if charged and not recorded:
            found.append(
                Mismatch(
                    kind="charge_not_recorded",
                    subject=payment.id,
                    detail=f"funding {funding.id} is {funding.status.value}",
                )
            )
        elif recorded and not charged:
            found.append(
                Mismatch(
                    kind="charge_recorded_not_at_processor",
                    subject=payment.id,
                    detail=f"the processor's payment is {payment.state.value}",
                )
            )
        elif charged and (payment.amount_minor, payment.currency) != (
            funding.total_minor,
            funding.currency,
        ):
            found.append(
                Mismatch(
                    kind="charge_amount_differs",
                    subject=payment.id,
                    detail=f"processor {payment.amount_minor} {payment.currency}, "
                    f"ledger {funding.total_minor} {funding.currency}",
                )
            )
    for funding in fundings:
        if since is not None and funding.created_at < since:
            continue
        if funding.status is FundingStatus.SUCCEEDED and funding.id not in seen:
            found.append(
                Mismatch(
                    kind="charge_recorded_not_at_processor",
                    subject=str(funding.id),
                    detail="the processor lists no payment for this funding",
                )
            )
    return found


def _compare_refunds(
    refunds: list[ProcessorRefund], ours: list[Refund], since: datetime | None
) -> list[Mismatch]:
    found: list[Mismatch] = []
    by_processor_id = {r.processor_refund_id: r for r in ours if r.processor_refund_id}
    matched: set[uuid.UUID] = set()
    for refund in refunds:
        mine = by_processor_id.get(refund.id)
        if mine is None or mine.status is not RefundStatus.SUCCEEDED:
            found.append(
                Mismatch(
                    kind="refund_unknown",
                    subject=refund.id,
                    detail=f"{refund.amount_minor} {refund.currency} refunded "
                    "with no succeeded refund of ours",
                )
            )
            continue
        matched.add(mine.id)
        if refund.amount_minor != mine.amount_minor:
            found.append(
                Mismatch(
                    kind="refund_amount_differs",
                    subject=refund.id,
                    detail=f"processor {refund.amount_minor}, ledger {mine.amount_minor}",
                )
            )
    for mine in ours:
        if since is not None and mine.created_at < since:
            continue
        if mine.status is RefundStatus.SUCCEEDED and mine.id not in matched:
            found.append(
                Mismatch(
                    kind="refund_recorded_not_at_processor",
                    subject=str(mine.id),
                    detail="the processor lists no such refund",
                )
            )
    return found


def _compare_transfers(
    transfers: list[ProcessorTransfer], payouts: list[Payout], since: datetime | None
) -> list[Mismatch]:
    found: list[Mismatch] = []
    by_transfer = {payout.transfer_id: payout for payout in payouts}
    matched: set[uuid.UUID] = set()
    for transfer in transfers:
        payout = by_transfer.get(transfer.id)
        if payout is None:
            found.append(
                Mismatch(
                    kind="transfer_unknown", subject=transfer.id,
                    detail=f"{transfer.amount_minor} {transfer.currency} transferred to "
                    f"{transfer.account_id} for no payout of ours",
                )
            )  # fmt: skip
            continue
        matched.add(payout.id)
        if (transfer.amount_minor, transfer.currency) != (payout.amount_minor, payout.currency):
            found.append(
                Mismatch(
                    kind="transfer_amount_differs", subject=transfer.id,
                    detail=f"processor {transfer.amount_minor} {transfer.currency}, "
                    f"ledger {payout.amount_minor} {payout.currency}",
                )
            )  # fmt: skip
    for payout in payouts:
        if since is not None and (payout.transferred_at or payout.created_at) < since:
            continue
        if payout.id not in matched:
            found.append(
                Mismatch(
                    kind="transfer_recorded_not_at_processor", subject=str(payout.id),
                    detail=f"the processor lists no transfer {payout.transfer_id}",
                )
            )  # fmt: skip
    return found


def _report(run: ReconciliationRun) -> ReconciliationReport:
    return ReconciliationReport(
        id=run.id,
        processor=run.processor.value,
        since=run.since,
        ran_at=run.ran_at,
        payments_checked=int(run.report.get("payments_checked", 0)),
        refunds_checked=int(run.report.get("refunds_checked", 0)),
        transfers_checked=int(run.report.get("transfers_checked", 0)),
        payouts_checked=int(run.report.get("payouts_checked", 0)),
        mismatch_count=run.mismatch_count,
        mismatches=[Mismatch.model_validate(m) for m in run.report.get("mismatches", [])],
    )


class Reconcile(BaseModel):
    """The daily run covers the last two days (a day's payments and their late refunds)."""


RECONCILE = JobType("payments.reconcile", Reconcile, max_attempts=5)
RECONCILE_SCHEDULE = Schedule("payments.reconcile", RECONCILE, Reconcile(), cron="30 3 * * *")


async def reconcile(context: JobContext, payload: Reconcile) -> None:
    await context.platform.reconciliation.run(
        Actor.system("reconciliation"), since=utcnow() - DAILY_WINDOW
    )


def register(registry: JobRegistry) -> None:
    registry.add_handler(RECONCILE, reconcile)
    registry.add_schedule(RECONCILE_SCHEDULE)
