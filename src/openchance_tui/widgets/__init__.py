"""The console's reusable components, each with its own ``.tcss`` beside it."""

from openchance_tui.widgets.dead_jobs_table import DeadJobsTable
from openchance_tui.widgets.health_panel import HealthPanel
from openchance_tui.widgets.job_counts import JobCountsPanel
from openchance_tui.widgets.user_detail import UserDetail, UserDetailPanel
from openchance_tui.widgets.users_table import UsersTable

__all__ = [
    "DeadJobsTable",
    "HealthPanel",
    "JobCountsPanel",
    "UserDetail",
    "UserDetailPanel",
    "UsersTable",
]
