"""Who is acting: a signed-in user with roles, an anonymous visitor, or the system operator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a user may do beyond their own data."""

    USER = "user"
    """Every account: challenger and solver alike."""
    MODERATOR = "moderator"
    """Reviews challenges and reports; can hide content."""
    SUPPORT = "support"
    """Helps users: reads their account state, joins conversations for support."""
    ADMIN = "admin"
    """Runs the platform: settings, roles, jobs, money operations."""


STAFF_ROLES = frozenset({Role.MODERATOR, Role.SUPPORT, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Actor:
    """The subject of a use case. Adapters resolve it; services check policy against it."""

    user_id: uuid.UUID | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    is_system: bool = False
    label: str = "anonymous"
    session_id: uuid.UUID | None = None
    """The session the user acts through (None for the system and anonymous visitors)."""
    scopes: frozenset[str] | None = None
    """What a personal access token may do; None for an interactive session (everything
    the user may do)."""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The operator at the machine (CLI, console, jobs): trusted with every staff power."""
        return cls(is_system=True, roles=frozenset(Role), label=label)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls()

    @classmethod
    def user(
        cls,
        user_id: uuid.UUID,
        roles: frozenset[Role] | set[Role] = frozenset(),
        *,
        session_id: uuid.UUID | None = None,
        scopes: frozenset[str] | None = None,
    ) -> Actor:
        return cls(
            user_id=user_id,
            roles=frozenset({Role.USER, *roles}),
            label=str(user_id),
            session_id=session_id,
            scopes=scopes,
        )

    @property
    def is_authenticated(self) -> bool:
        return self.is_system or self.user_id is not None

    @property
    def is_staff(self) -> bool:
        return self.is_system or bool(self.roles & STAFF_ROLES)

    def has_role(self, role: Role) -> bool:
        return self.is_system or role in self.roles


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Where a request came from, as the adapter determined it (for limits, logs and audit)."""

    ip_address: str | None = None
    user_agent: str | None = None

    @classmethod
    def local(cls, label: str = "local") -> ClientInfo:
        """A command run on the machine itself (CLI, console)."""
        return cls(ip_address=None, user_agent=label)
