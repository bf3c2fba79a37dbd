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
from openchance.models.events import EventRecord
from openchance.models.jobs import Job, JobState
from openchance.models.mail import OutboundMail
from openchance.models.oauth import OAuthIdentity, OAuthProvider
from openchance.models.profiles import Availability, Profile
from openchance.models.workers import WorkerRecord

__all__ = [
    "AuditEntry",
    "AuthSession",
    "Availability",
    "EventRecord",
    "Job",
    "JobState",
    "OAuthIdentity",
    "OAuthProvider",
    "OutboundMail",
    "Profile",
    "RecoveryCode",
    "SessionKind",
    "TokenPurpose",
    "User",
    "UserStatus",
    "UserToken",
    "WorkerRecord",
]
