"""The challenge lifecycle: one table of every legal (status, action) → status.

Every status change of a challenge goes through :func:`next_status`; anything not in
:data:`TRANSITIONS` is refused with ``Conflict`` (code ``invalid_transition``), whoever
asks. Who may take an action is decided by the use cases (``challenges/service.py``);
this module knows only what is legal from where.

    draft ──submit_for_review──▶ pending_review ──approve──▶ open
      │  ◀────────reject──────────────┘                       │
      └────────publish (review off)──────────────────────────▶│
    open ──start_work──▶ in_progress ──deliver──▶ in_review ──complete──▶ completed
                             ▲                        │
                             └────request_changes─────┘
    pending_review, open, in_progress, in_review ──cancel──▶ cancelled
    pending_review, open ──expire──▶ expired
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from openchance.errors import Conflict
from openchance.models.challenges import ChallengeStatus


class ChallengeAction(StrEnum):
    """Something that moves a challenge along its lifecycle."""

    SUBMIT_FOR_REVIEW = "submit_for_review"
    """The challenger submits a draft while pre-publish review is on."""
    PUBLISH = "publish"
    """The challenger submits a draft while pre-publish review is off: it opens at once."""
    APPROVE = "approve"
    """A moderator lets a challenge in review open."""
    REJECT = "reject"
    """A moderator sends a challenge in review back to draft, with a reason."""
    START_WORK = "start_work"
    """An application was accepted (the applications use cases take this)."""
    DELIVER = "deliver"
    """The solver delivered the work for the challenger to review."""
    REQUEST_CHANGES = "request_changes"
    """The challenger sends the delivered work back for changes."""
    RESUME_WORK = "resume_work"
    """A delivery was approved and more work remains (a next milestone, another winner)."""
    COMPLETE = "complete"
    """The challenger accepts the delivered work."""
    CANCEL = "cancel"
    """The challenger (before work) or staff stop the challenge, with a typed reason."""
    EXPIRE = "expire"
    """The deadline passed without an accepted application (the expiry job takes this)."""


S = ChallengeStatus
A = ChallengeAction

TRANSITIONS: Mapping[tuple[ChallengeStatus, ChallengeAction], ChallengeStatus] = {
    (S.DRAFT, A.SUBMIT_FOR_REVIEW): S.PENDING_REVIEW,
    (S.DRAFT, A.PUBLISH): S.OPEN,
    (S.PENDING_REVIEW, A.APPROVE): S.OPEN,
    (S.PENDING_REVIEW, A.REJECT): S.DRAFT,
    (S.OPEN, A.START_WORK): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.DELIVER): S.IN_REVIEW,
    (S.IN_REVIEW, A.REQUEST_CHANGES): S.IN_PROGRESS,
    (S.IN_REVIEW, A.RESUME_WORK): S.IN_PROGRESS,
    (S.IN_REVIEW, A.COMPLETE): S.COMPLETED,
    (S.PENDING_REVIEW, A.CANCEL): S.CANCELLED,
    (S.OPEN, A.CANCEL): S.CANCELLED,
    (S.IN_PROGRESS, A.CANCEL): S.CANCELLED,
    (S.IN_REVIEW, A.CANCEL): S.CANCELLED,
    (S.PENDING_REVIEW, A.EXPIRE): S.EXPIRED,
    (S.OPEN, A.EXPIRE): S.EXPIRED,
}
"""Every legal transition; nothing else is."""

TERMINAL_STATUSES: frozenset[ChallengeStatus] = frozenset({S.COMPLETED, S.CANCELLED, S.EXPIRED})
"""No action leads out of these."""

EDITABLE_STATUSES: frozenset[ChallengeStatus] = frozenset({S.DRAFT, S.PENDING_REVIEW, S.OPEN})
"""Where the substance may still change (and only until the first application)."""

CLARIFIABLE_STATUSES: frozenset[ChallengeStatus] = frozenset({S.OPEN, S.IN_PROGRESS, S.IN_REVIEW})
"""Published and not finished: where the challenger adds dated clarifications."""

BEFORE_WORK_STATUSES: frozenset[ChallengeStatus] = frozenset({S.PENDING_REVIEW, S.OPEN})
"""Cancellable by the challenger: no application has been accepted yet."""


def next_status(current: ChallengeStatus, action: ChallengeAction) -> ChallengeStatus:
    """The status ``action`` leads to from ``current``; ``Conflict`` if it is not legal."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise Conflict(
            f"a challenge that is {current.value} cannot {action.value.replace('_', ' ')}",
            code="invalid_transition",
            **{"from": current.value, "action": action.value},
        )
    return target


def sources_of(action: ChallengeAction) -> frozenset[ChallengeStatus]:
    """The statuses ``action`` may be taken from (for conditional updates)."""
    return frozenset(source for source, taken in TRANSITIONS if taken is action)


def allowed_actions(current: ChallengeStatus) -> frozenset[ChallengeAction]:
    """The actions the table allows from ``current`` (whoever may take them)."""
    return frozenset(action for source, action in TRANSITIONS if source is current)
