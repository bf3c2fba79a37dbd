"""Payments: escrows by state and currency, the open disputes (oldest first, the first to
decide) with the selected one's reason, evidence, cited messages and what remains of its
milestone, the payouts (held first) and the latest fundings; decide the selected dispute,
hold the selected payout or release its hold."""

from __future__ import annotations

import uuid

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header
from textual.worker import Worker, WorkerState

from openchance import Actor, OpenChance, OpenChanceError
from openchance.actor import ClientInfo
from openchance.db.types import Money
from openchance.models.payments import DisputeStatus
from openchance.models.payouts import PayoutStatus
from openchance.payments.dispute_schemas import DisputeDecision, DisputeRead
from openchance.payments.payout_schemas import PayoutHoldRequest, PayoutRead
from openchance_tui.formatting import short_id
from openchance_tui.messages import (
    DisputeDecided,
    DisputeDecisionRefused,
    DisputeDetailLoaded,
    PaymentsLoaded,
    PayoutAction,
    PayoutActionRefused,
    PayoutHeld,
    PayoutHoldReleased,
)
from openchance_tui.modals import DisputeDecisionModal, PayoutHoldModal
from openchance_tui.notices import Notice, show_error, show_notice, show_refusal
from openchance_tui.widgets import (
    DisputeDetail,
    DisputeDetailPanel,
    DisputesTable,
    EscrowSummaryPanel,
    FundingsTable,
    PayoutsTable,
)

QUEUE_SHOWN = 100
FUNDINGS_SHOWN = 50
PAYOUTS_SHOWN = 100  # besides those on hold, which are all shown


def amount_text(amount_minor: int, currency: str | None) -> str:
    if currency is None:
        return f"{amount_minor} minor units"
    return Money(amount_minor, currency).format()


def decision_text(dispute: DisputeRead, currency: str | None) -> str:
    """What a decision moved, for its notice."""
    moved = []
    if dispute.released_minor:
        moved.append(f"{amount_text(dispute.released_minor, currency)} released to the solver")
    if dispute.refunded_minor:
        refunded = amount_text(dispute.refunded_minor, currency)
        moved.append(f"{refunded} goes back to the challenger's card")
    outcome = dispute.outcome.value.replace("_", " ") if dispute.outcome else "decided"
    return f"{outcome.capitalize()}: {'; '.join(moved) or 'nothing remained to move'}."


def payout_text(payout: PayoutRead) -> str:
    """Which payout, for its dialog and notices: ``900.00 EUR to solver 1a2b3c4d``."""
    amount = Money(payout.amount_minor, payout.currency).format()
    return f"{amount} to solver {short_id(payout.user_id)}"


class PaymentsScreen(Screen[None]):
    CSS_PATH = "payments.tcss"
    AUTO_FOCUS = "DisputesTable"
    BINDINGS = [
        Binding("e", "decide", "Decide"),
        Binding("h", "hold", "Hold payout"),
        Binding("l", "release_hold", "Release hold"),
    ]

    def __init__(self, oc: OpenChance, actor: Actor, *, client: ClientInfo) -> None:
        super().__init__()
        self._oc = oc
        self._actor = actor
        self._client = client
        self._generation = 0
        self._hidden = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="payments-disputes"):
            yield DisputesTable(id="disputes")
            yield DisputeDetailPanel(id="dispute-detail")
        yield PayoutsTable(id="payouts")
        with Horizontal(id="payments-money"):
            yield EscrowSummaryPanel(id="escrow-summary")
            yield FundingsTable(id="fundings")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self._hidden = True

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        # Back from another screen (or the dialog): disputes and fundings may have moved.
        if self._hidden:
            self._hidden = False
            self.action_reload()

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        # Each load answers with its number; an earlier one that answers late is dropped.
        self._generation += 1
        self.load_payments(self._generation)

    def action_decide(self) -> None:
        dispute = self.query_one(DisputesTable).selected_dispute
        if dispute is None:
            show_notice(
                self, Notice("There is no open dispute to decide.", "Nothing to decide", "warning")
            )
            return
        dispute_id = dispute.id
        detail = self.query_one(DisputeDetailPanel).detail
        if detail is not None and detail.dispute.id != dispute_id:
            detail = None  # the detail of the one under the cursor is still loading
        currency = detail.milestone.currency if detail is not None else None

        def then(decision: DisputeDecision | None) -> None:
            if decision is not None:
                self.decide_dispute(dispute_id, decision, currency)

        if detail is not None:
            title = f"Decide the dispute on “{detail.milestone.title}”"
        else:
            title = f"Decide dispute {short_id(dispute_id)}"
        remaining = detail.remaining if detail is not None else None
        self.app.push_screen(DisputeDecisionModal(title, remaining=remaining), then)

    def action_hold(self) -> None:
        self._ask_about_payout(PayoutAction.HOLD, "Hold the payout of", "Hold")

    def action_release_hold(self) -> None:
        self._ask_about_payout(
            PayoutAction.RELEASE_HOLD, "Release the hold on the payout of", "Release"
        )

    def _ask_about_payout(self, action: PayoutAction, verb: str, confirm_label: str) -> None:
        # Whether it may be held (or released) is the core's to say: it is asked either way.
        payout = self.query_one(PayoutsTable).selected_payout
        if payout is None:
            show_notice(self, Notice("There is no payout to act on.", "No payout", "warning"))
            return
        title = f"{verb} {payout_text(payout)}"
        solver_told = action is PayoutAction.HOLD
        modal = PayoutHoldModal(title, confirm_label=confirm_label, solver_told=solver_told)
        payout_id = payout.id

        def then(request: PayoutHoldRequest | None) -> None:
            if request is not None:
                self.change_payout(action, payout_id, request)

        self.app.push_screen(modal, then)

    # -- workers: call the core, post what happened ---------------------------------------
    # Loads are never cancelled half-way through a transaction: a stale answer is dropped
    # when it arrives instead. Failures other than refused actions (a non-staff actor's
    # lists, a lost database) surface in on_worker_state_changed (exit_on_error is off).

    @work(group="payments", exit_on_error=False)
    async def load_payments(self, generation: int) -> None:
        summary = await self._oc.escrow.escrow_summary(self._actor)
        disputes = await self._oc.disputes.list_disputes(
            self._actor, status=DisputeStatus.OPEN, limit=QUEUE_SHOWN + 1
        )
        fundings = await self._oc.escrow.list_fundings(self._actor, limit=FUNDINGS_SHOWN)
        reconciliation = await self._oc.reconciliation.last_run(self._actor)
        held = await self._oc.payouts.list_payouts(self._actor, status=PayoutStatus.ON_HOLD)
        latest = await self._oc.payouts.list_payouts(self._actor)
        others = [payout for payout in latest if payout.status is not PayoutStatus.ON_HOLD]
        self.post_message(
            PaymentsLoaded(
                generation,
                summary,
                disputes[:QUEUE_SHOWN],
                more_open=len(disputes) > QUEUE_SHOWN,
                fundings=fundings,
                reconciliation=reconciliation,
                payouts=[*held, *others[:PAYOUTS_SHOWN]],
            )
        )

    @work(group="dispute-detail", exit_on_error=False)
    async def load_dispute_detail(self, dispute_id: uuid.UUID) -> None:
        dispute = await self._oc.disputes.get_dispute(self._actor, dispute_id)
        milestone = await self._oc.milestones.get_milestone(self._actor, dispute.milestone_id)
        self.post_message(DisputeDetailLoaded(dispute, milestone))

    @work(group="dispute-actions", exit_on_error=False)
    async def decide_dispute(
        self, dispute_id: uuid.UUID, decision: DisputeDecision, currency: str | None
    ) -> None:
        try:
            dispute = await self._oc.disputes.decide_dispute(
                self._actor, dispute_id, decision, self._client
            )
        except OpenChanceError as error:
            self.post_message(DisputeDecisionRefused(dispute_id, error))
        else:
            self.post_message(DisputeDecided(dispute, currency))

    @work(group="payout-actions", exit_on_error=False)
    async def change_payout(
        self, action: PayoutAction, payout_id: uuid.UUID, request: PayoutHoldRequest
    ) -> None:
        payouts = self._oc.payouts
        change = payouts.hold if action is PayoutAction.HOLD else payouts.release_hold
        try:
            payout = await change(self._actor, payout_id, request.reason, self._client)
        except OpenChanceError as error:
            self.post_message(PayoutActionRefused(action, payout_id, error))
        else:
            done = PayoutHeld if action is PayoutAction.HOLD else PayoutHoldReleased
            self.post_message(done(payout))

    # -- what the workers report ----------------------------------------------------------

    def on_payments_loaded(self, message: PaymentsLoaded) -> None:
        if message.generation != self._generation:
            return  # an earlier load answered late
        panel = self.query_one(EscrowSummaryPanel)
        panel.summary = message.summary
        panel.reconciliation = message.reconciliation
        self.query_one(FundingsTable).show_fundings(message.fundings)
        self.query_one(PayoutsTable).show_payouts(message.payouts)
        self.query_one(DisputesTable).show_disputes(message.disputes, more_open=message.more_open)
        self._show_selected_dispute()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if isinstance(event.data_table, DisputesTable):
            self._show_selected_dispute()

    def _show_selected_dispute(self) -> None:
        dispute_id = self.query_one(DisputesTable).selected_dispute_id
        if dispute_id is None:
            self.query_one(DisputeDetailPanel).detail = None
        else:
            self.load_dispute_detail(dispute_id)

    def on_dispute_detail_loaded(self, message: DisputeDetailLoaded) -> None:
        if message.dispute.id != self.query_one(DisputesTable).selected_dispute_id:
            return  # the cursor moved on meanwhile
        panel = self.query_one(DisputeDetailPanel)
        panel.detail = DisputeDetail(message.dispute, message.milestone)

    def on_dispute_decided(self, message: DisputeDecided) -> None:
        text = decision_text(message.dispute, message.currency)
        show_notice(self, Notice(text, "Dispute decided", "information"))
        self.action_reload()  # it has left the queue

    def on_dispute_decision_refused(self, message: DisputeDecisionRefused) -> None:
        show_error(self, message.error)
        # Someone may have decided it meanwhile, or what remains moved: show it as it is.
        self.action_reload()

    def on_payout_held(self, message: PayoutHeld) -> None:
        text = f"The payout of {payout_text(message.payout)} is on hold; the solver is told why."
        show_notice(self, Notice(text, "Payout held", "information"))
        self.action_reload()

    def on_payout_hold_released(self, message: PayoutHoldReleased) -> None:
        text = f"The payout of {payout_text(message.payout)} is pending again."
        show_notice(self, Notice(text, "Hold released", "information"))
        self.action_reload()

    def on_payout_action_refused(self, message: PayoutActionRefused) -> None:
        show_refusal(self, message.error)
        # Someone may have held, released or sent it meanwhile: show it as it is.
        self.action_reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            show_error(self, event.worker.error)
