"""Send a challenge back to its challenger: the reason is all the dialog asks, and the
challenger reads it, so it says what to change."""

from __future__ import annotations

from openchance.challenges.schemas import MAX_NOTE_LENGTH, ChallengeRejection
from openchance_tui.modals.reason_modal import ReasonModal

REJECTION_REASON_LABEL = "What to change (the challenger reads this; it is audited too)"


class ChallengeRejectionModal(ReasonModal[ChallengeRejection]):
    CSS_PATH = "challenge_rejection.tcss"

    def __init__(self, title: str) -> None:
        super().__init__(
            title,
            confirm_label="Send back",
            reason_label=REJECTION_REASON_LABEL,
            reason_max_length=MAX_NOTE_LENGTH,  # ChallengeRejection.reason's limit
        )

    def build_result(self, reason: str) -> ChallengeRejection:
        return ChallengeRejection(reason=reason)
