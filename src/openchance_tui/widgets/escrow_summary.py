"""How many escrows are in each state, per currency, and the prize money paid into them;
and the last reconciliation of the ledger with the processor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Label

from openchance.db.types import Money
from openchance.payments.funding_schemas import EscrowCount, EscrowSummary
from openchance.payments.reconciliation import ReconciliationReport
from openchance_tui.styles import component_css

STATE_WIDTH = 10
COUNT_WIDTH = 6
MONEY_WIDTH = 18


def escrow_count_id(count: EscrowCount) -> str:
    """``escrow-funded-eur``: one label per state and currency."""
    return f"escrow-{count.state.value}-{count.currency.lower()}"


def escrow_count_line(count: EscrowCount) -> str:
    funded = Money(count.prize_funded_minor, count.currency).format()
    state = count.state.value
    return f"{state:<{STATE_WIDTH}}{count.escrows:>{COUNT_WIDTH}}{funded:>{MONEY_WIDTH}}"


def reconciliation_line(report: ReconciliationReport | None) -> str:
    """The last comparison of the ledger with the processor, in one line."""
    if report is None:
        return "reconciliation: not run yet (openchance payments reconcile)"
    when = report.ran_at.strftime("%Y-%m-%d %H:%M UTC")
    if report.ok:
        return f"reconciliation: ok, {when}"
    return f"reconciliation: {report.mismatch_count} mismatch(es), {when}"


class EscrowSummaryPanel(Vertical):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Escrows"

    summary: reactive[EscrowSummary | None] = reactive(None, recompose=True)
    reconciliation: reactive[ReconciliationReport | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        yield Label(reconciliation_line(self.reconciliation), id="escrow-reconciliation")
        summary = self.summary
        if summary is None:
            yield Label("counting…", id="escrow-empty")
            return
        if not summary.counts:
            yield Label("no escrow yet", id="escrow-empty")
            return
        yield Label(
            f"{'state':<{STATE_WIDTH}}{'count':>{COUNT_WIDTH}}{'prize funded':>{MONEY_WIDTH}}",
            classes="escrow-heading",
        )
        for count in summary.counts:
            yield Label(
                escrow_count_line(count),
                id=escrow_count_id(count),
                classes=f"escrow-count state-{count.state.value}",
            )
