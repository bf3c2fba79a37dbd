"""Who may do what with accounts."""

from __future__ import annotations

import uuid

from openchance.actor import Actor, Role
from openchance.errors import NotAuthenticated, PermissionDenied


def require_user(actor: Actor) -> uuid.UUID:
    """The signed-in user's id; anonymous visitors and the system are refused."""
    if actor.user_id is None:
        raise NotAuthenticated("sign in first")
    return actor.user_id


def check_staff(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not actor.is_staff:
        raise PermissionDenied("only staff may do this")


def is_support(actor: Actor) -> bool:
    """Support, admins and the system: who may move money on someone's behalf."""
    return actor.is_system or actor.has_role(Role.SUPPORT) or actor.has_role(Role.ADMIN)


def check_support(actor: Actor, doing: str) -> None:
    """Refuse anyone but support, admins and the system (``staff_only``); ``doing`` ends
    the message ("only support and admins <doing>")."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not is_support(actor):
        raise PermissionDenied(f"only support and admins {doing}", code="staff_only")


def check_can_manage_roles(actor: Actor, target_id: uuid.UUID) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("only admins may change roles")
    if actor.user_id == target_id:
        raise PermissionDenied(
            "admins cannot change their own role", code="own_role_change_refused"
        )


def check_can_moderate(actor: Actor) -> None:
    """Moderators and admins; checked before looking anything up, so others learn nothing."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not (actor.has_role(Role.ADMIN) or actor.has_role(Role.MODERATOR)):
        raise PermissionDenied("only moderators and admins may suspend accounts")


def check_can_suspend(actor: Actor, target_id: uuid.UUID, target_role: Role) -> None:
    check_can_moderate(actor)
    if actor.user_id == target_id:
        raise PermissionDenied("you cannot suspend yourself", code="own_suspension_refused")
    if target_role is not Role.USER and not actor.has_role(Role.ADMIN):
        raise PermissionDenied("only admins may suspend staff accounts")


def check_can_create_users(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("only admins may create accounts directly")


def require_interactive(actor: Actor) -> uuid.UUID:
    """The signed-in user, through a real sign-in: personal access tokens may not manage
    credentials, tokens or the account itself."""
    user_id = require_user(actor)
    if actor.scopes is not None:
        raise PermissionDenied(
            "sign in with your password for this (a personal access token cannot)",
            code="interactive_session_required",
        )
    return user_id


def check_can_delete_users(actor: Actor, target_id: uuid.UUID) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("only admins may delete other people's accounts")
    if actor.user_id == target_id:
        raise PermissionDenied(
            "delete your own account from your account settings", code="own_deletion_refused"
        )
