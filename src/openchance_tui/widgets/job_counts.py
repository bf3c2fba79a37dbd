"""How many jobs are in each state, and in all."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Label

from openchance.jobs.schemas import JobCounts
from openchance.models.jobs import JobState
from openchance_tui.styles import component_css

LABEL_WIDTH = 10


class JobCountsPanel(Vertical):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Jobs"

    counts: reactive[JobCounts | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        counts = self.counts
        if counts is None:
            yield Label("counting…")
            return
        for state in JobState:
            yield Label(
                f"{state.value:<{LABEL_WIDTH}}{counts.counts.get(state, 0):>6}",
                id=f"count-{state.value}",
                classes=f"job-count state-{state.value}",
            )
        yield Label(f"{'total':<{LABEL_WIDTH}}{counts.total:>6}", id="count-total")
