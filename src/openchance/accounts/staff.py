"""Staff use cases on accounts: create, find, change roles, suspend. Every change is audited."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from openchance.accounts import sessions as session_rows
from openchance.accounts.deletion import erase_user
from openchance.accounts.emails import normalise_email
from openchance.accounts.events import (
    UserRegistered,
    UserRoleChanged,
    UserSuspended,
    UserUnsuspended,
)
from openchance.accounts.passwords import check_password_strength, hash_password
from openchance.accounts.policy import (
    check_can_create_users,
    check_can_delete_users,
    check_can_manage_roles,
    check_can_moderate,
    check_can_suspend,
    check_staff,
)
from openchance.accounts.repository import load_user
from openchance.accounts.schemas import (
    RoleChange,
    StatusChange,
    UserAdminRead,
    UserCreate,
    UserFilter,
)
from openchance.actor import Actor, ClientInfo
from openchance.challenges.invites import claim_email_invites
from openchance.db.types import utcnow
from openchance.errors import Conflict
from openchance.models.accounts import User, UserStatus
from openchance.moderation.audit import record_audit

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


class UserAdminService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def create_user(
        self, actor: Actor, data: UserCreate, client: ClientInfo | None = None
    ) -> UserAdminRead:
        check_can_create_users(actor)
        email = normalise_email(data.email)
        check_password_strength(data.password, user_inputs=[email, data.display_name])
        password_hash = await hash_password(data.password)
        now = utcnow()
        async with self._platform.unit_of_work() as uow:
            user = User(
                id=uuid.uuid4(),
                email=email,
                password_hash=password_hash,
                password_changed_at=now,
                display_name=data.display_name,
                role=data.role,
                email_verified_at=now if data.email_verified else None,
            )
            uow.session.add(user)
            try:
                await uow.flush()
            except IntegrityError:
                raise Conflict(
                    f"an account with {email} exists already", code="email_taken"
                ) from None
            record_audit(
                uow, actor, "user.create", target_type="user", target_id=user.id,
                client=client, details={"role": data.role.value},
            )  # fmt: skip
            uow.record(UserRegistered(user_id=user.id))
            if user.email_verified_at is not None:
                await claim_email_invites(uow, user.id, user.email)
            return await _admin_view(uow, user)

    async def list_users(
        self, actor: Actor, query: UserFilter | None = None
    ) -> list[UserAdminRead]:
        check_staff(actor)
        query = query or UserFilter()
        statement = select(User).order_by(User.created_at.desc()).limit(query.limit)
        if query.query:
            text = query.query.strip().lower()
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            statement = statement.where(
                or_(
                    User.email.like(pattern, escape="\\"),
                    func.lower(User.display_name).like(pattern, escape="\\"),
                )
            )
        if query.role is not None:
            statement = statement.where(User.role == query.role)
        if query.status is not None:
            statement = statement.where(User.status == query.status)
        async with self._platform.unit_of_work(read_only=True) as uow:
            users = (await uow.session.scalars(statement)).all()
            return [await _admin_view(uow, user) for user in users]

    async def get_user(self, actor: Actor, user_id: uuid.UUID) -> UserAdminRead:
        check_staff(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await _admin_view(uow, await load_user(uow, user_id))

    async def set_role(
        self, actor: Actor, user_id: uuid.UUID, change: RoleChange, client: ClientInfo | None = None
    ) -> UserAdminRead:
        check_can_manage_roles(actor, user_id)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if user.status is UserStatus.DELETED:
                raise Conflict("a deleted account cannot get a role", code="user_deleted")
            previous = user.role
            if previous is change.role:
                raise Conflict(f"the account is {previous} already", code="role_unchanged")
            user.role = change.role
            record_audit(
                uow, actor, "user.set_role", target_type="user", target_id=user.id,
                reason=change.reason, client=client,
                details={"from": previous.value, "to": change.role.value},
            )  # fmt: skip
            uow.record(UserRoleChanged(user_id=user.id, role=change.role))
            await uow.flush()
            return await _admin_view(uow, user)

    async def suspend(
        self,
        actor: Actor,
        user_id: uuid.UUID,
        change: StatusChange,
        client: ClientInfo | None = None,
    ) -> UserAdminRead:
        """Lock the account and end every session at once."""
        check_can_moderate(actor)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            check_can_suspend(actor, user_id, user.role)
            if user.status is not UserStatus.ACTIVE:
                raise Conflict(f"the account is {user.status}", code="user_not_active")
            user.status = UserStatus.SUSPENDED
            user.status_reason = change.reason
            user.status_changed_at = utcnow()
            ended = await session_rows.revoke_sessions(uow.session, user.id, reason="suspended")
            record_audit(
                uow, actor, "user.suspend", target_type="user", target_id=user.id,
                reason=change.reason, client=client, details={"sessions_ended": ended},
            )  # fmt: skip
            uow.record(UserSuspended(user_id=user.id))
            await uow.flush()
            return await _admin_view(uow, user)

    async def unsuspend(
        self,
        actor: Actor,
        user_id: uuid.UUID,
        change: StatusChange,
        client: ClientInfo | None = None,
    ) -> UserAdminRead:
        check_can_moderate(actor)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            check_can_suspend(actor, user_id, user.role)
            if user.status is not UserStatus.SUSPENDED:
                raise Conflict(f"the account is {user.status}", code="user_not_suspended")
            user.status = UserStatus.ACTIVE
            user.status_reason = change.reason
            user.status_changed_at = utcnow()
            record_audit(
                uow, actor, "user.unsuspend", target_type="user", target_id=user.id,
                reason=change.reason, client=client,
            )  # fmt: skip
            uow.record(UserUnsuspended(user_id=user.id))
            await uow.flush()
            return await _admin_view(uow, user)

    async def delete_user(
        self,
        actor: Actor,
        user_id: uuid.UUID,
        change: StatusChange,
        client: ClientInfo | None = None,
    ) -> UserAdminRead:
        """Delete an account on the holder's behalf (e.g. an erasure request): admins only."""
        check_can_delete_users(actor, user_id)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if user.status is UserStatus.DELETED:
                raise Conflict("the account is deleted already", code="user_deleted")
            ended = await erase_user(uow, user, reason=change.reason)
            record_audit(
                uow, actor, "user.delete", target_type="user", target_id=user.id,
                reason=change.reason, client=client, details={"sessions_ended": ended},
            )  # fmt: skip
            await uow.flush()
            return await _admin_view(uow, user)


async def _admin_view(uow: UnitOfWork, user: User) -> UserAdminRead:
    view = UserAdminRead.model_validate(user)
    return view.model_copy(
        update={"active_sessions": await session_rows.count_live_sessions(uow.session, user.id)}
    )
