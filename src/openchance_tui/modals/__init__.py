"""Dialogs over a screen, each with its own ``.tcss`` beside it."""

from openchance_tui.modals.challenge_rejection import ChallengeRejectionModal
from openchance_tui.modals.dispute_decision import DisputeDecisionModal
from openchance_tui.modals.payout_hold import PayoutHoldModal
from openchance_tui.modals.role_change import RoleChangeModal
from openchance_tui.modals.status_change import StatusChangeModal

__all__ = [
    "ChallengeRejectionModal",
    "DisputeDecisionModal",
    "PayoutHoldModal",
    "RoleChangeModal",
    "StatusChangeModal",
]
