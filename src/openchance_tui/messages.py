"""What the console's workers report back to the screens: past-tense facts.

A screen's workers post these to that screen only, so they do not bubble to the app.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from textual.message import Message

from openchance import OpenChanceError
from openchance.accounts.schemas import UserAdminRead
from openchance.challenges.attachment_schemas import AttachmentRead
from openchance.challenges.schemas import ChallengeRead, ChallengeSummary
from openchance.health.schemas import HealthReport
from openchance.jobs.schemas import JobCounts, JobDetail, JobRead
from openchance.messaging.schemas import ConversationRead, MessageRead
from openchance.moderation.audit import AuditEntryRead
from openchance.payments.dispute_schemas import DisputeRead
from openchance.payments.funding_schemas import EscrowSummary, FundingRead
from openchance.payments.milestone_schemas import MilestoneRead
from openchance.payments.payout_schemas import PayoutRead
from openchance.payments.reconciliation import ReconciliationReport


class JobAction(StrEnum):
    """What an operator can do to a job from the console."""

    RETRY = "retry"
    """Give a dead or cancelled job a fresh set of attempts."""
    CANCEL = "cancel"
    """Call off a pending or dead job."""


class UserAction(StrEnum):
    """What an operator can do to an account from the console (always with a reason)."""

    SUSPEND = "suspend"
    """Lock the account and end its sessions."""
    UNSUSPEND = "unsuspend"
    """Let a suspended account sign in again."""
    CHANGE_ROLE = "change_role"
    """Make the account a user, moderator, support agent or admin."""


class ReviewAction(StrEnum):
    """What a moderator can do to a challenge pending review from the console."""

    APPROVE = "approve"
    """Open it: solvers can find it and apply."""
    REJECT = "reject"
    """Send it back to draft with a reason its challenger sees."""


@dataclass
class HealthChecked(Message, bubble=False):
    report: HealthReport


@dataclass
class JobCountsLoaded(Message, bubble=False):
    counts: JobCounts


@dataclass
class DeadJobsLoaded(Message, bubble=False):
    jobs: Sequence[JobRead]


@dataclass
class JobRetried(Message, bubble=False):
    job: JobDetail


@dataclass
class JobCancelled(Message, bubble=False):
    job: JobDetail


@dataclass
class JobActionRefused(Message, bubble=False):
    """The core refused a job action (the job changed meanwhile, is gone, …)."""

    action: JobAction
    job_id: uuid.UUID
    error: OpenChanceError


# -- users --------------------------------------------------------------------------------


@dataclass
class UsersLoaded(Message, bubble=False):
    query: str
    """The search the list answers (empty for everyone)."""
    users: Sequence[UserAdminRead]


@dataclass
class UserDetailLoaded(Message, bubble=False):
    user: UserAdminRead
    audit: Sequence[AuditEntryRead]
    """The latest audit entries about the user, newest first."""


@dataclass
class UserSuspended(Message, bubble=False):
    user: UserAdminRead


@dataclass
class UserUnsuspended(Message, bubble=False):
    user: UserAdminRead


@dataclass
class UserRoleChanged(Message, bubble=False):
    user: UserAdminRead


@dataclass
class UserActionRefused(Message, bubble=False):
    """The core refused a user action (not allowed, the account changed meanwhile, …)."""

    action: UserAction
    user_id: uuid.UUID
    error: OpenChanceError


# -- challenge review -----------------------------------------------------------------


@dataclass
class ReviewQueueLoaded(Message, bubble=False):
    generation: int
    """Which load this answers: only the latest one is shown."""
    challenges: Sequence[ChallengeSummary]
    """Pending review, longest waiting first."""
    more_waiting: bool
    """More are waiting than the queue shows."""


@dataclass
class ChallengeDetailLoaded(Message, bubble=False):
    challenge: ChallengeRead
    attachments: Sequence[AttachmentRead]


@dataclass
class ChallengeApproved(Message, bubble=False):
    challenge: ChallengeRead


@dataclass
class ChallengeRejected(Message, bubble=False):
    challenge: ChallengeRead


@dataclass
class ReviewActionRefused(Message, bubble=False):
    """The core refused a review (decided meanwhile, not a reviewer, deadline passed, …)."""

    action: ReviewAction
    challenge_id: uuid.UUID
    error: OpenChanceError


# -- conversations --------------------------------------------------------------------


class ConversationAction(StrEnum):
    """What staff can do in a conversation from the console."""

    JOIN = "join"
    """Become a participant (audited; the others see a system message)."""
    POST = "post"
    """Write a message, once joined."""


@dataclass
class ConversationsLoaded(Message, bubble=False):
    generation: int
    """Which load this answers: only the latest one is shown."""
    conversations: Sequence[ConversationRead]
    """Most recent activity first."""
    more: bool
    """More conversations exist than the list shows."""


@dataclass
class ConversationMessagesLoaded(Message, bubble=False):
    conversation: ConversationRead
    messages: Sequence[MessageRead]
    """The newest ones, oldest first."""
    more_before: bool


@dataclass
class ConversationJoined(Message, bubble=False):
    conversation: ConversationRead


@dataclass
class ConversationMessageSent(Message, bubble=False):
    message: MessageRead


@dataclass
class ConversationActionRefused(Message, bubble=False):
    """The core refused a join or a post (not staff, not joined, bad input, …)."""

    action: ConversationAction
    conversation_id: uuid.UUID
    error: OpenChanceError


# -- payments -------------------------------------------------------------------------


@dataclass
class PaymentsLoaded(Message, bubble=False):
    generation: int
    """Which load this answers: only the latest one is shown."""
    summary: EscrowSummary
    disputes: Sequence[DisputeRead]
    """Open, oldest first."""
    more_open: bool
    """More disputes are open than the queue shows."""
    fundings: Sequence[FundingRead]
    """The newest first."""
    reconciliation: ReconciliationReport | None = None
    """The last comparison of the ledger with the processor; None before the first."""
    payouts: Sequence[PayoutRead] = ()
    """Every payout on hold, then the latest others, each group newest first."""


@dataclass
class DisputeDetailLoaded(Message, bubble=False):
    dispute: DisputeRead
    milestone: MilestoneRead
    """The disputed milestone: its share, and what of it remains in escrow."""


@dataclass
class DisputeDecided(Message, bubble=False):
    dispute: DisputeRead
    currency: str | None
    """The milestone's currency, as last shown (``None`` if its detail was not loaded)."""


@dataclass
class DisputeDecisionRefused(Message, bubble=False):
    """The core refused a decision (decided meanwhile, not support, a split that does not
    add up, …)."""

    dispute_id: uuid.UUID
    error: OpenChanceError


class PayoutAction(StrEnum):
    """What support can do to a payout from the console (always with a reason)."""

    HOLD = "hold"
    """Keep a payout not yet sent from being sent."""
    RELEASE_HOLD = "release_hold"
    """Let a held payout go: it is sent once its security delay is over."""


@dataclass
class PayoutHeld(Message, bubble=False):
    payout: PayoutRead


@dataclass
class PayoutHoldReleased(Message, bubble=False):
    payout: PayoutRead


@dataclass
class PayoutActionRefused(Message, bubble=False):
    """The core refused a hold or a release (held or sent meanwhile, not support, …)."""

    action: PayoutAction
    payout_id: uuid.UUID
    error: OpenChanceError
