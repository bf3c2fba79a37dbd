"""Dead jobs, one row each, keyed by job id, so the screen can act on the selected one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from openchance.jobs.schemas import JobRead
from openchance_tui.formatting import format_time, short_id
from openchance_tui.styles import component_css

ERROR_WIDTH = 80


def first_line(text: str | None, width: int = ERROR_WIDTH) -> str:
    lines = (text or "").strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


class DeadJobsTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Dead jobs"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.add_column("id", key="id")
        self.add_column("name", key="name")
        self.add_column("attempts", key="attempts")
        self.add_column("finished (UTC)", key="finished_at")
        self.add_column("last error", key="last_error")

    @property
    def selected_job_id(self) -> uuid.UUID | None:
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return uuid.UUID(row_key.value) if row_key.value is not None else None

    def show_jobs(self, jobs: Sequence[JobRead]) -> None:
        """Replace the rows, keeping the cursor on the same job when it is still listed."""
        selected = self.selected_job_id
        self.clear()
        for job in jobs:
            # Text cells: job names and errors are data, never markup.
            self.add_row(
                Text(short_id(job.id)),
                Text(job.name),
                Text(f"{job.attempts}/{job.max_attempts}"),
                Text(format_time(job.finished_at)),
                Text(first_line(job.last_error)),
                key=str(job.id),
            )
        self.border_subtitle = f"{len(jobs)} shown"
        if selected is not None and str(selected) in self.rows:
            self.move_cursor(row=self.get_row_index(str(selected)))
