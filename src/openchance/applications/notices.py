"""Telling people about a change of an application: the in-app notification of the other
side, and the audit entry of a staff decision."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from openchance.actor import Actor, ClientInfo
from openchance.challenges.policy import is_owner
from openchance.models.applications import Application
from openchance.models.challenges import Challenge
from openchance.moderation.audit import record_audit
from openchance.notifications.feed import notify

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def announce(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    kind: str,
    title: str,
    body: str,
    application: Application,
) -> None:
    """Notify ``user_id`` once per application and ``kind`` (each happens at most once)."""
    await notify(
        uow,
        user_id=user_id,
        kind=kind,
        title=title,
        body=body,
        dedupe_key=f"{kind}:{application.id}",
        data={
            "application_id": str(application.id),
            "challenge_id": str(application.challenge_id),
            "status": application.status.value,
        },
    )


def audit_decision(
    uow: UnitOfWork,
    actor: Actor,
    challenge: Challenge,
    application: Application,
    action: str,
    note: str,
    client: ClientInfo | None,
) -> None:
    """Staff deciding on someone else's challenge leave an audit entry."""
    if not actor.is_staff or is_owner(actor, challenge):
        return
    record_audit(
        uow,
        actor,
        f"application.{action}",
        target_type="application",
        target_id=application.id,
        reason=note or None,
        client=client,
        details={"challenge_id": str(challenge.id), "status": application.status.value},
    )
