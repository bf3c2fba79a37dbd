"""The application lifecycle: one table of every legal (status, action) → status.

Every status change of an application goes through :func:`next_status`; anything not in
:data:`TRANSITIONS` is refused with ``Conflict`` (code ``invalid_transition``), whoever
asks. Who may take an action, and what else it needs (an open challenge, a winner's place
left), is decided by the use cases (``applications/service.py``).

    submitted ──shortlist──▶ shortlisted
    submitted, shortlisted ──accept──▶ accepted
    submitted, shortlisted ──reject / auto_reject──▶ rejected
    submitted, shortlisted ──withdraw──▶ withdrawn

``accepted``, ``rejected`` and ``withdrawn`` are final. Edits change no status and are
allowed only while ``submitted`` (:data:`EDITABLE_STATUSES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from openchance.errors import Conflict
from openchance.models.applications import ApplicationStatus


class ApplicationAction(StrEnum):
    """Something that moves an application along its lifecycle."""

    SHORTLIST = "shortlist"
    """The challenger (or staff) is considering it."""
    ACCEPT = "accept"
    """The challenger (or staff) chooses it: the work starts."""
    REJECT = "reject"
    """The challenger (or staff) declines it, with an optional note."""
    AUTO_REJECT = "auto_reject"
    """Every winner's place was filled by other applications (the system takes this)."""
    WITHDRAW = "withdraw"
    """The solver takes it back before it is accepted."""


S = ApplicationStatus
A = ApplicationAction

TRANSITIONS: Mapping[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    (S.SUBMITTED, A.SHORTLIST): S.SHORTLISTED,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.SHORTLISTED, A.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SHORTLISTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.AUTO_REJECT): S.REJECTED,
    (S.SHORTLISTED, A.AUTO_REJECT): S.REJECTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.SHORTLISTED, A.WITHDRAW): S.WITHDRAWN,
}
"""Every legal transition; nothing else is."""

TERMINAL_STATUSES: frozenset[ApplicationStatus] = frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN})
"""No action leads out of these."""

EDITABLE_STATUSES: frozenset[ApplicationStatus] = frozenset({S.SUBMITTED})
"""Where the solver may still change the proposal, the bid, the duration and the links."""

UNDECIDED_STATUSES: frozenset[ApplicationStatus] = frozenset({S.SUBMITTED, S.SHORTLISTED})
"""Waiting for the challenger's decision (what an acceptance auto-rejects)."""


def next_status(current: ApplicationStatus, action: ApplicationAction) -> ApplicationStatus:
    """The status ``action`` leads to from ``current``; ``Conflict`` if it is not legal."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise Conflict(
            f"an application that is {current.value} cannot be {_PAST_PARTICIPLES[action]}",
            code="invalid_transition",
            **{"from": current.value, "action": action.value},
        )
    return target


def allowed_actions(current: ApplicationStatus) -> frozenset[ApplicationAction]:
    """The actions the table allows from ``current`` (whoever may take them)."""
    return frozenset(action for source, action in TRANSITIONS if source is current)


_PAST_PARTICIPLES = {
    A.SHORTLIST: "shortlisted",
    A.ACCEPT: "accepted",
    A.REJECT: "rejected",
    A.AUTO_REJECT: "rejected",
    A.WITHDRAW: "withdrawn",
}
