"""Suspend or unsuspend: the reason is all the dialog asks."""

from __future__ import annotations

from openchance.accounts.schemas import StatusChange
from openchance_tui.modals.reason_modal import ReasonModal


class StatusChangeModal(ReasonModal[StatusChange]):
    CSS_PATH = "status_change.tcss"

    def build_result(self, reason: str) -> StatusChange:
        return StatusChange(reason=reason)
