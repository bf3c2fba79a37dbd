"""The console's reusable components, each with its own ``.tcss`` beside it."""

from openchance_tui.widgets.challenge_detail import ChallengeDetail, ChallengeDetailPanel
from openchance_tui.widgets.conversation_panel import ConversationDetail, ConversationPanel
from openchance_tui.widgets.conversations_table import ConversationsTable
from openchance_tui.widgets.dead_jobs_table import DeadJobsTable
from openchance_tui.widgets.dispute_detail import DisputeDetail, DisputeDetailPanel
from openchance_tui.widgets.disputes_table import DisputesTable
from openchance_tui.widgets.escrow_summary import EscrowSummaryPanel
from openchance_tui.widgets.fundings_table import FundingsTable
from openchance_tui.widgets.health_panel import HealthPanel
from openchance_tui.widgets.job_counts import JobCountsPanel
from openchance_tui.widgets.payouts_table import PayoutsTable
from openchance_tui.widgets.review_queue_table import ReviewQueueTable
from openchance_tui.widgets.user_detail import UserDetail, UserDetailPanel
from openchance_tui.widgets.users_table import UsersTable

__all__ = [
    "ChallengeDetail",
    "ChallengeDetailPanel",
    "ConversationDetail",
    "ConversationPanel",
    "ConversationsTable",
    "DeadJobsTable",
    "DisputeDetail",
    "DisputeDetailPanel",
    "DisputesTable",
    "EscrowSummaryPanel",
    "FundingsTable",
    "HealthPanel",
    "JobCountsPanel",
    "PayoutsTable",
    "ReviewQueueTable",
    "UserDetail",
    "UserDetailPanel",
    "UsersTable",
]
