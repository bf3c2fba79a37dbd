"""Challenges pending review, longest waiting first, one row each, keyed by challenge id,
so the screen can act on the selected one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from openchance.challenges.schemas import ChallengeSummary
from openchance.db.types import utcnow
from openchance_tui.formatting import format_age, format_date, shorten
from openchance_tui.styles import component_css

TITLE_WIDTH = 36
CATEGORY_WIDTH = 20
NAME_WIDTH = 20


def waiting_since(challenge: ChallengeSummary) -> datetime:
    """When it joined the queue (the queue's own order: submission, else creation)."""
    return challenge.submitted_at or challenge.created_at


class ReviewQueueTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Pending review"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._challenges: dict[str, ChallengeSummary] = {}

    def on_mount(self) -> None:
        self.add_column("submitted", key="submitted")
        self.add_column("title", key="title")
        self.add_column("category", key="category")
        self.add_column("reward", key="reward")
        self.add_column("deadline (UTC)", key="deadline")
        self.add_column("challenger", key="challenger")

    @property
    def selected_challenge(self) -> ChallengeSummary | None:
        """The challenge under the cursor, as last loaded."""
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return self._challenges.get(row_key.value) if row_key.value is not None else None

    @property
    def selected_challenge_id(self) -> uuid.UUID | None:
        challenge = self.selected_challenge
        return challenge.id if challenge is not None else None

    def show_challenges(
        self, challenges: Sequence[ChallengeSummary], *, more_waiting: bool = False
    ) -> None:
        """Replace the rows. The cursor stays on the same challenge when it is still
        listed; when it left the queue, on the one that took its place."""
        selected = self.selected_challenge_id
        row = self.cursor_row
        self.clear()
        self._challenges = {str(challenge.id): challenge for challenge in challenges}
        now = utcnow()
        for challenge in challenges:
            # Text cells: titles and names are the challenger's data, never markup.
            self.add_row(
                Text(format_age(waiting_since(challenge), now)),
                Text(shorten(challenge.title, TITLE_WIDTH)),
                Text(shorten(challenge.category.name, CATEGORY_WIDTH)),
                Text(challenge.reward.formatted, justify="right"),
                Text(format_date(challenge.deadline)),
                Text(shorten(challenge.owner.display_name, NAME_WIDTH)),
                key=str(challenge.id),
            )
        shown = len(challenges)
        self.border_subtitle = (
            f"first {shown} shown, more waiting" if more_waiting else (f"{shown} waiting")
        )
        if selected is not None and str(selected) in self._challenges:
            self.move_cursor(row=self.get_row_index(str(selected)))
        elif shown:
            self.move_cursor(row=min(row, shown - 1))
