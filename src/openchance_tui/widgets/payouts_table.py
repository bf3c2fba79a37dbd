"""Payouts to solvers, the held ones first (the ones to decide about), then the latest,
newest first; one row each, keyed by payout id, so the screen can act on the selected one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from openchance.db.types import Money
from openchance.models.payouts import PayoutStatus
from openchance.payments.payout_schemas import PayoutRead
from openchance_tui.formatting import format_date, format_minute, short_id, shorten
from openchance_tui.styles import component_css

WHY_WIDTH = 60

WAITING_TEXT = {
    "payout_account": "the solver's payout account is not enabled yet",
    "sending": "being sent",
}


def status_text(payout: PayoutRead) -> str:
    return payout.status.value.replace("_", " ")


def why_text(payout: PayoutRead) -> str:
    """Why it waits, why it is held or why it failed; where it is once sent."""
    match payout.status:
        case PayoutStatus.ON_HOLD:
            return f"held: {payout.hold_reason or 'no reason given'}"
        case PayoutStatus.FAILED:
            parts = (payout.failure_code, payout.failure_message)
            return ": ".join(part for part in parts if part) or "failed"
        case PayoutStatus.IN_TRANSIT:
            arrival = format_date(payout.arrival_date)
            return f"arrives {arrival}" if arrival else "on its way to the bank"
        case PayoutStatus.PAID:
            return f"paid {format_date(payout.paid_at)}"
    if payout.waiting_for == "delay":
        return f"security delay until {format_minute(payout.available_at)} UTC"
    return WAITING_TEXT.get(payout.waiting_for or "", "due to be sent")


def held_first(payouts: Sequence[PayoutRead]) -> list[PayoutRead]:
    """On hold first, each group in the order given (the core's: newest first)."""
    return sorted(payouts, key=lambda payout: payout.status is not PayoutStatus.ON_HOLD)


class PayoutsTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Payouts"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._payouts: dict[str, PayoutRead] = {}

    def on_mount(self) -> None:
        self.add_column("solver", key="solver")
        self.add_column("challenge", key="challenge")
        self.add_column("status", key="status")
        self.add_column("amount", key="amount")
        self.add_column("why", key="why")

    @property
    def selected_payout(self) -> PayoutRead | None:
        """The payout under the cursor, as last loaded."""
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return self._payouts.get(row_key.value) if row_key.value is not None else None

    def show_payouts(self, payouts: Sequence[PayoutRead]) -> None:
        """Replace the rows, held first. The cursor stays on the same payout when it is
        still listed (it moves with it when it is held or released)."""
        selected = self.selected_payout
        row = self.cursor_row
        self.clear()
        ordered = held_first(payouts)
        self._payouts = {str(payout.id): payout for payout in ordered}
        for payout in ordered:
            # Text cells: a hold reason is staff's words, a failure the bank's: never markup.
            self.add_row(
                Text(short_id(payout.user_id)),
                Text(short_id(payout.challenge_id)),
                Text(status_text(payout)),
                Text(Money(payout.amount_minor, payout.currency).format(), justify="right"),
                Text(shorten(why_text(payout), WHY_WIDTH)),
                key=str(payout.id),
            )
        held = sum(payout.status is PayoutStatus.ON_HOLD for payout in ordered)
        self.border_subtitle = f"{held} on hold, {len(ordered)} shown"
        if selected is not None and str(selected.id) in self._payouts:
            self.move_cursor(row=self.get_row_index(str(selected.id)))
        elif ordered:
            self.move_cursor(row=min(row, len(ordered) - 1))
