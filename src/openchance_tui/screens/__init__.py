"""The console's screens, each with its own ``.tcss`` beside it."""

from openchance_tui.screens.challenges_review import ChallengesReviewScreen
from openchance_tui.screens.conversations import ConversationsScreen
from openchance_tui.screens.dashboard import DashboardScreen
from openchance_tui.screens.payments import PaymentsScreen
from openchance_tui.screens.users import UsersScreen

__all__ = [
    "ChallengesReviewScreen",
    "ConversationsScreen",
    "DashboardScreen",
    "PaymentsScreen",
    "UsersScreen",
]
