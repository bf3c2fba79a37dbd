"""The append-only audit log of staff and security-relevant actions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from openchance.actor import Actor, ClientInfo
from openchance.db.types import utcnow
from openchance.errors import NotAuthenticated, PermissionDenied
from openchance.models.audit import AuditEntry

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


def record_audit(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    *,
    target_type: str,
    target_id: uuid.UUID | str | None,
    reason: str | None = None,
    client: ClientInfo | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry in the use case's transaction: it exists exactly when the action does."""
    uow.session.add(
        AuditEntry(
            id=uuid.uuid4(),
            occurred_at=utcnow(),
            actor_user_id=actor.user_id,
            actor_label=actor.label,
            action=action,
            target_type=target_type,
            target_id=str(target_id) if target_id is not None else None,
            reason=reason,
            ip_address=client.ip_address if client else None,
            details=details or {},
        )
    )


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    occurred_at: datetime
    actor_user_id: uuid.UUID | None
    actor_label: str
    action: str
    target_type: str
    target_id: str | None
    reason: str | None
    ip_address: str | None
    details: dict[str, Any]


class AuditFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    limit: int = Field(default=50, ge=1, le=1000)


class AuditService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def list_entries(
        self, actor: Actor, query: AuditFilter | None = None
    ) -> list[AuditEntryRead]:
        if not actor.is_authenticated:
            raise NotAuthenticated("sign in to read the audit log")
        if not actor.is_staff:
            raise PermissionDenied("only staff may read the audit log")
        query = query or AuditFilter()
        statement = select(AuditEntry).order_by(AuditEntry.occurred_at.desc())
        if query.target_type:
            statement = statement.where(AuditEntry.target_type == query.target_type)
        if query.target_id:
            statement = statement.where(AuditEntry.target_id == query.target_id)
        if query.action:
            statement = statement.where(AuditEntry.action == query.action)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = (await uow.session.scalars(statement.limit(query.limit))).all()
        return [AuditEntryRead.model_validate(row) for row in rows]
