"""Every table, one module per aggregate. Importing this package registers them all on ``Base``."""

from openchance.models.accounts import (
    AuthSession,
    RecoveryCode,
    SessionKind,
    TokenPurpose,
    User,
    UserStatus,
    UserToken,
)
from openchance.models.applications import (
    ACTIVE_APPLICATION_STATUSES,
    Application,
    ApplicationAttachment,
    ApplicationHistoryEntry,
    ApplicationStatus,
)
from openchance.models.audit import AuditEntry
from openchance.models.challenges import (
    CancelReason,
    Category,
    Challenge,
    ChallengeAttachment,
    ChallengeClarification,
    ChallengeInvite,
    ChallengeMilestone,
    ChallengeStatus,
    Difficulty,
    InviteStatus,
    IPTerms,
    RewardKind,
    Visibility,
)
from openchance.models.events import EventRecord
from openchance.models.jobs import Job, JobState
from openchance.models.ledger import (
    AccountFloor,
    AccountPurpose,
    LedgerAccount,
    LedgerPosting,
    LedgerTransaction,
    OwnerKind,
)
from openchance.models.mail import OutboundMail
from openchance.models.messaging import (
    Conversation,
    ConversationParticipant,
    Message,
    MessageAttachment,
    MessageKind,
    ParticipantRole,
)
from openchance.models.notifications import Notification
from openchance.models.oauth import OAuthIdentity, OAuthProvider
from openchance.models.payments import (
    Escrow,
    EscrowFunding,
    EscrowState,
    EventOutcome,
    FundingStatus,
    LocalPayment,
    LocalPaymentStatus,
    ProcessorEvent,
    ProcessorName,
)
from openchance.models.profiles import Availability, Profile
from openchance.models.saved_searches import AlertFrequency, SavedSearch
from openchance.models.search import (
    SearchDocumentRow,
    SearchDocumentSkill,
    SearchDocumentViewer,
    SearchWord,
)
from openchance.models.workers import WorkerRecord

__all__ = [
    "ACTIVE_APPLICATION_STATUSES",
    "AccountFloor",
    "AccountPurpose",
    "AlertFrequency",
    "Application",
    "ApplicationAttachment",
    "ApplicationHistoryEntry",
    "ApplicationStatus",
    "AuditEntry",
    "AuthSession",
    "Availability",
    "CancelReason",
    "Category",
    "Challenge",
    "ChallengeAttachment",
    "ChallengeClarification",
    "ChallengeInvite",
    "ChallengeMilestone",
    "ChallengeStatus",
    "Conversation",
    "ConversationParticipant",
    "Difficulty",
    "Escrow",
    "EscrowFunding",
    "EscrowState",
    "EventOutcome",
    "EventRecord",
    "FundingStatus",
    "IPTerms",
    "InviteStatus",
    "Job",
    "JobState",
    "LedgerAccount",
    "LedgerPosting",
    "LedgerTransaction",
    "LocalPayment",
    "LocalPaymentStatus",
    "Message",
    "MessageAttachment",
    "MessageKind",
    "Notification",
    "OAuthIdentity",
    "OAuthProvider",
    "OutboundMail",
    "OwnerKind",
    "ParticipantRole",
    "ProcessorEvent",
    "ProcessorName",
    "Profile",
    "RecoveryCode",
    "RewardKind",
    "SavedSearch",
    "SearchDocumentRow",
    "SearchDocumentSkill",
    "SearchDocumentViewer",
    "SearchWord",
    "SessionKind",
    "TokenPurpose",
    "User",
    "UserStatus",
    "UserToken",
    "Visibility",
    "WorkerRecord",
]
