"""Users as others see them (``/api/v1/users``) and as staff manage them
(``/api/v1/admin/users``). Staff changes pass the client's address to the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from openchance.accounts.schemas import (
    PublicUser,
    RoleChange,
    StatusChange,
    UserAdminRead,
    UserFilter,
)
from openchance_server.auth import ANONYMOUS_ALLOWED, Client, CurrentActor, CurrentUser
from openchance_server.dependencies import Platform

public = APIRouter(prefix="/users", tags=["users"])
admin = APIRouter(prefix="/admin/users", tags=["admin"])


@public.get("/{user_id}", summary="A user's public profile", openapi_extra=ANONYMOUS_ALLOWED)
async def get_user(user_id: uuid.UUID, oc: Platform, actor: CurrentActor) -> PublicUser:
    """Anyone may look; suspended and deleted accounts are not found."""
    return await oc.accounts.get_public_user(actor, user_id)


@admin.get("", summary="Find accounts (staff)")
async def list_users(
    query: Annotated[UserFilter, Query()], oc: Platform, actor: CurrentUser
) -> list[UserAdminRead]:
    """Newest first; `query` matches a part of the e-mail address or the display name."""
    return await oc.users.list_users(actor, query)


@admin.get("/{user_id}", summary="An account (staff)")
async def get_account(user_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> UserAdminRead:
    return await oc.users.get_user(actor, user_id)


@admin.post("/{user_id}/role", summary="Change an account's role (admins)")
async def set_role(
    user_id: uuid.UUID, data: RoleChange, oc: Platform, actor: CurrentUser, client: Client
) -> UserAdminRead:
    """Admins only, and never their own role; the reason goes to the audit log."""
    return await oc.users.set_role(actor, user_id, data, client)


@admin.post("/{user_id}/suspend", summary="Suspend an account (moderators, admins)")
async def suspend(
    user_id: uuid.UUID, data: StatusChange, oc: Platform, actor: CurrentUser, client: Client
) -> UserAdminRead:
    """Locks the account and ends every session at once; staff accounts only by admins."""
    return await oc.users.suspend(actor, user_id, data, client)


@admin.post("/{user_id}/unsuspend", summary="Lift a suspension (moderators, admins)")
async def unsuspend(
    user_id: uuid.UUID, data: StatusChange, oc: Platform, actor: CurrentUser, client: Client
) -> UserAdminRead:
    return await oc.users.unsuspend(actor, user_id, data, client)


@admin.post("/{user_id}/delete", summary="Delete an account on its holder's behalf (admins)")
async def delete_user(
    user_id: uuid.UUID, data: StatusChange, oc: Platform, actor: CurrentUser, client: Client
) -> UserAdminRead:
    """Anonymises the account (an erasure request, say); ledger and audit rows stay."""
    return await oc.users.delete_user(actor, user_id, data, client)


router = APIRouter()
router.include_router(public)
router.include_router(admin)
