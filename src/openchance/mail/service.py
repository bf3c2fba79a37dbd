"""Queueing e-mail from use cases, and reading the database outbox."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.actor import Actor, Role
from openchance.errors import NotAuthenticated, PermissionDenied
from openchance.mail.jobs import SEND_MAIL
from openchance.mail.schemas import MailRead, OutboxFilter, SendMail
from openchance.models.mail import OutboundMail

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

_LINK = re.compile(r"https?://[^\s<>\"']+")


async def queue_mail(
    uow: UnitOfWork, *, to: str, template: str, context: dict[str, str], key: str
) -> None:
    """Send an e-mail if, and after, the unit of work commits (a ``mail.send`` job)."""
    await uow.enqueue(
        SEND_MAIL,
        SendMail(to=to, template=template, context=context, key=key),
        idempotency_key=f"mail:{key}",
    )


class MailService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def list_outbox(self, actor: Actor, query: OutboxFilter | None = None) -> list[MailRead]:
        """Mail kept by the database backend, newest first (operators and admins only:
        it holds sign-in links)."""
        if not actor.is_authenticated:
            raise NotAuthenticated("sign in to read the mail outbox")
        if not actor.has_role(Role.ADMIN):
            raise PermissionDenied("only admins may read the mail outbox")
        query = query or OutboxFilter()
        statement = select(OutboundMail).order_by(OutboundMail.created_at.desc())
        if query.to:
            statement = statement.where(OutboundMail.to_address == query.to.strip().lower())
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = (await uow.session.scalars(statement.limit(query.limit))).all()
        return [
            MailRead.model_validate(row).model_copy(
                update={"links": list(dict.fromkeys(_LINK.findall(row.text_body)))}
            )
            for row in rows
        ]
