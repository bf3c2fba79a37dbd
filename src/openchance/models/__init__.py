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
from openchance.models.mail import OutboundMail
from openchance.models.notifications import Notification
from openchance.models.oauth import OAuthIdentity, OAuthProvider
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
    "AlertFrequency",
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
    "Difficulty",
    "EventRecord",
    "IPTerms",
    "InviteStatus",
    "Job",
    "JobState",
    "Notification",
    "OAuthIdentity",
    "OAuthProvider",
    "OutboundMail",
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
