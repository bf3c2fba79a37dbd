"""Hold a payout, or release its hold: the reason is all the dialog asks (it is audited,
and a hold's reason is what the solver is told)."""

from __future__ import annotations

from openchance.payments.payout_schemas import PayoutHoldRequest
from openchance_tui.modals.reason_modal import AUDIT_REASON_LABEL, ReasonModal

HOLD_REASON_LABEL = "Reason (the solver is told it; it is audited too)"


class PayoutHoldModal(ReasonModal[PayoutHoldRequest]):
    CSS_PATH = "payout_hold.tcss"

    def __init__(self, title: str, *, confirm_label: str, solver_told: bool = False) -> None:
        reason_label = HOLD_REASON_LABEL if solver_told else AUDIT_REASON_LABEL
        super().__init__(title, confirm_label=confirm_label, reason_label=reason_label)

    def build_result(self, reason: str) -> PayoutHoldRequest:
        # The request keeps spaces as typed: strip them, so "   " is refused as empty.
        return PayoutHoldRequest(reason=reason.strip())
