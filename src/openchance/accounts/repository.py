"""Queries the account use cases share."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from openchance.db.uow import UnitOfWork
from openchance.errors import NotFound
from openchance.models.accounts import User


async def load_user(uow: UnitOfWork, user_id: uuid.UUID, *, for_update: bool = False) -> User:
    """The user, or NotFound; ``for_update`` locks the row until the unit of work ends."""
    statement = select(User).where(User.id == user_id)
    if for_update:
        statement = statement.with_for_update()
    user = (await uow.session.scalars(statement)).one_or_none()
    if user is None:
        raise NotFound("user", user_id)
    return user
