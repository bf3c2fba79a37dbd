"""Open disputes, oldest first (the first to decide), one row each, keyed by dispute id,
so the screen can act on the selected one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from openchance.db.types import utcnow
from openchance.payments.dispute_schemas import DisputeRead
from openchance_tui.formatting import format_age, short_id, shorten
from openchance_tui.styles import component_css

REASON_WIDTH = 60


class DisputesTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Open disputes"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._disputes: dict[str, DisputeRead] = {}

    def on_mount(self) -> None:
        self.add_column("opened", key="opened")
        self.add_column("challenge", key="challenge")
        self.add_column("reason", key="reason")

    @property
    def selected_dispute(self) -> DisputeRead | None:
        """The dispute under the cursor, as last loaded."""
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return self._disputes.get(row_key.value) if row_key.value is not None else None

    @property
    def selected_dispute_id(self) -> uuid.UUID | None:
        dispute = self.selected_dispute
        return dispute.id if dispute is not None else None

    def show_disputes(self, disputes: Sequence[DisputeRead], *, more_open: bool = False) -> None:
        """Replace the rows. The cursor stays on the same dispute when it is still open;
        when it was decided, on the one that took its place."""
        selected = self.selected_dispute_id
        row = self.cursor_row
        self.clear()
        self._disputes = {str(dispute.id): dispute for dispute in disputes}
        now = utcnow()
        for dispute in disputes:
            # Text cells: the reason is a party's words, never markup.
            self.add_row(
                Text(format_age(dispute.created_at, now)),
                Text(short_id(dispute.challenge_id)),
                Text(shorten(dispute.reason, REASON_WIDTH)),
                key=str(dispute.id),
            )
        shown = len(disputes)
        self.border_subtitle = f"first {shown} shown, more open" if more_open else f"{shown} open"
        if selected is not None and str(selected) in self._disputes:
            self.move_cursor(row=self.get_row_index(str(selected)))
        elif shown:
            self.move_cursor(row=min(row, shown - 1))
