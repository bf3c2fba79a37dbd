"""Where the application workflow meets messaging.

A conversation between the solver and the challenger opens when an application is
submitted (``messaging.conversations.open_application_conversation``), and every change of
status posts a short system message into it (``post_system_message``), in the use case's
unit of work: the message exists exactly when the change does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openchance.applications.workflow import ApplicationAction
from openchance.messaging.conversations import (
    open_application_conversation,
    post_system_message,
)
from openchance.models.accounts import User
from openchance.models.applications import Application
from openchance.models.challenges import Challenge

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

STAFF_NAME = "Staff"
"""Who a decision is attributed to when no user took it (an operator at the CLI)."""

_TEMPLATES = {
    ApplicationAction.SHORTLIST: "{name} shortlisted this application.",
    ApplicationAction.ACCEPT: "{name} accepted this application: the work can start.",
    ApplicationAction.REJECT: "{name} declined this application.",
    ApplicationAction.AUTO_REJECT: "This application was closed: another one was chosen.",
    ApplicationAction.WITHDRAW: "{name} withdrew this application.",
}


@dataclass(frozen=True, slots=True)
class SystemMessage:
    """What a status change posts into the application's conversation."""

    body: str
    data: dict[str, Any] = field(default_factory=dict)


def system_message(
    application: Application, action: ApplicationAction, note: str, *, name: str
) -> SystemMessage:
    """The human-readable line for ``action`` taken by ``name``, with the note if any."""
    body = _TEMPLATES[action].format(name=name)
    if note and action is not ApplicationAction.AUTO_REJECT:
        body = f"{body}\n\n{note}"
    return SystemMessage(
        body=body,
        data={
            "kind": "application.status_changed",
            "application_id": str(application.id),
            "action": action.value,
            "status": application.status.value,
        },
    )


async def on_submitted(uow: UnitOfWork, challenge: Challenge, application: Application) -> None:
    """The application was submitted: its conversation opens (idempotent)."""
    await open_application_conversation(uow, challenge=challenge, application=application)


async def on_status_changed(
    uow: UnitOfWork, application: Application, action: ApplicationAction, note: str
) -> SystemMessage:
    """The application's status changed: post the system message into its conversation
    (none is posted for an application without one) and return it. The name is the
    solver's for a withdrawal and the decider's otherwise."""
    actor_id = (
        application.solver_id if action is ApplicationAction.WITHDRAW else application.decided_by
    )
    user = await uow.session.get(User, actor_id) if actor_id is not None else None
    name = user.display_name if user is not None else STAFF_NAME
    message = system_message(application, action, note, name=name)
    await post_system_message(
        uow, application_id=application.id, body=message.body, data=message.data
    )
    return message
