"""What happens to accounts, as past-tense facts."""

from __future__ import annotations

import uuid
from typing import ClassVar

from openchance.actor import Role
from openchance.events import DomainEvent


class UserRegistered(DomainEvent):
    name: ClassVar[str] = "user.registered"
    user_id: uuid.UUID


class EmailVerified(DomainEvent):
    name: ClassVar[str] = "user.email_verified"
    user_id: uuid.UUID


class PasswordChanged(DomainEvent):
    name: ClassVar[str] = "user.password_changed"
    user_id: uuid.UUID


class UserRoleChanged(DomainEvent):
    name: ClassVar[str] = "user.role_changed"
    user_id: uuid.UUID
    role: Role


class UserSuspended(DomainEvent):
    name: ClassVar[str] = "user.suspended"
    user_id: uuid.UUID


class UserUnsuspended(DomainEvent):
    name: ClassVar[str] = "user.unsuspended"
    user_id: uuid.UUID


class UserDeleted(DomainEvent):
    """Personal data is gone; domains holding copies (profiles, search) erase theirs."""

    name: ClassVar[str] = "user.deleted"
    user_id: uuid.UUID
