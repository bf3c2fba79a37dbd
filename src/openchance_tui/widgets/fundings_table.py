"""The latest fundings, newest first: what each payer was charged, and whether the money
reached the challenge's escrow."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from openchance.db.types import Money
from openchance.payments.funding_schemas import FundingRead
from openchance_tui.formatting import format_minute, short_id
from openchance_tui.styles import component_css


def funding_target(funding: FundingRead) -> str:
    """What it pays for: the whole prize, or one milestone."""
    if funding.milestone_position is None:
        return "prize"
    return f"milestone {funding.milestone_position}"


def escrowed_text(funding: FundingRead) -> str:
    """``yes``; ``no`` while it is under way; ``no: <why>`` once refused or kept aside."""
    if funding.escrowed:
        return "yes"
    return f"no: {funding.failure_code}" if funding.failure_code else "no"


class FundingsTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Latest fundings"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        # What matters first: whether the money came in and reached the escrow.
        self.add_column("created (UTC)", key="created")
        self.add_column("status", key="status")
        self.add_column("charged", key="charged")
        self.add_column("escrowed", key="escrowed")
        self.add_column("prize", key="prize")
        self.add_column("challenge", key="challenge")
        self.add_column("for", key="for")

    def show_fundings(self, fundings: Sequence[FundingRead]) -> None:
        """Replace the rows, keeping the cursor where it was."""
        row = self.cursor_row
        self.clear()
        for funding in fundings:
            self.add_row(
                Text(format_minute(funding.created_at)),
                Text(funding.status.value),
                Text(Money(funding.total_minor, funding.currency).format(), justify="right"),
                Text(escrowed_text(funding)),
                Text(Money(funding.prize_minor, funding.currency).format(), justify="right"),
                Text(short_id(funding.challenge_id)),
                Text(funding_target(funding)),
                key=str(funding.id),
            )
        self.border_subtitle = f"latest {len(fundings)}"
        if fundings:
            self.move_cursor(row=min(row, len(fundings) - 1))
