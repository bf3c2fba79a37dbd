"""Staff actions on accounts: roles, suspension, lookup — each in the audit log."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from openchance import Actor, Conflict, NotAuthenticated, OpenChance, PermissionDenied, Role
from openchance.accounts.schemas import RoleChange, StatusChange, UserCreate, UserFilter
from openchance.models.audit import AuditEntry
from openchance.moderation.audit import AuditFilter
from tests.factories.users import SYSTEM, actor_for, create_user, sign_in

REASON = StatusChange(reason="spam in three challenges")


class TestCreateUser:
    async def test_an_operator_creates_the_first_admin(self, oc: OpenChance) -> None:
        admin = await oc.users.create_user(
            SYSTEM,
            UserCreate(
                email="root@example.org",
                password="granite-lantern-orchid-55",
                display_name="Root",
                role=Role.ADMIN,
            ),
        )

        assert admin.role is Role.ADMIN
        assert admin.email_verified

    async def test_a_taken_address_is_a_conflict(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")

        with pytest.raises(Conflict) as raised:
            await create_user(oc, email="ada@example.org")

        assert raised.value.code == "email_taken"

    async def test_a_plain_user_cannot_create_accounts(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        ada = await actor_for(oc, "ada@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.create_user(
                ada,
                UserCreate(email="x@example.org", password="granite-lantern-orchid-55",
                           display_name="X"),
            )  # fmt: skip


class TestSetRole:
    async def test_an_admin_makes_a_user_moderator_and_it_is_audited(self, oc: OpenChance) -> None:
        await create_user(oc, email="boss@example.org", role=Role.ADMIN)
        user_id = await create_user(oc, email="ada@example.org")
        boss = await actor_for(oc, "boss@example.org")

        changed = await oc.users.set_role(
            boss, user_id, RoleChange(role=Role.MODERATOR, reason="joins the moderation team")
        )

        assert changed.role is Role.MODERATOR
        entries = await oc.audit.list_entries(boss, AuditFilter(target_id=str(user_id)))
        role_entry = next(entry for entry in entries if entry.action == "user.set_role")
        assert role_entry.actor_user_id == boss.user_id
        assert role_entry.reason == "joins the moderation team"
        assert role_entry.details == {"from": "user", "to": "moderator"}

    async def test_a_user_cannot_set_their_own_role(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        ada = await actor_for(oc, "ada@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.set_role(ada, user_id, RoleChange(role=Role.ADMIN, reason="why not"))

    async def test_an_admin_cannot_change_their_own_role(self, oc: OpenChance) -> None:
        boss_id = await create_user(oc, email="boss@example.org", role=Role.ADMIN)
        boss = await actor_for(oc, "boss@example.org")

        with pytest.raises(PermissionDenied) as raised:
            await oc.users.set_role(boss, boss_id, RoleChange(role=Role.USER, reason="oops"))

        assert raised.value.code == "own_role_change_refused"

    async def test_a_moderator_cannot_change_roles(self, oc: OpenChance) -> None:
        await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
        user_id = await create_user(oc, email="ada@example.org")
        moderator = await actor_for(oc, "mod@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.set_role(
                moderator, user_id, RoleChange(role=Role.SUPPORT, reason="helping")
            )


class TestSuspend:
    async def test_suspension_ends_every_session_at_once(self, oc: OpenChance) -> None:
        await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
        user_id = await create_user(oc, email="ada@example.org")
        sessions = [await sign_in(oc, "ada@example.org") for _ in range(2)]
        moderator = await actor_for(oc, "mod@example.org")

        suspended = await oc.users.suspend(moderator, user_id, REASON)

        assert suspended.status == "suspended"
        assert suspended.active_sessions == 0
        for session in sessions:
            with pytest.raises(NotAuthenticated):
                await oc.accounts.authenticate(session.token)

    async def test_unsuspend_lets_the_user_sign_in_again(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org", suspended=True)

        await oc.users.unsuspend(SYSTEM, user_id, StatusChange(reason="appeal accepted"))

        assert await sign_in(oc, "ada@example.org")

    async def test_suspending_twice_is_a_conflict(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org", suspended=True)

        with pytest.raises(Conflict):
            await oc.users.suspend(SYSTEM, user_id, REASON)

    async def test_a_moderator_cannot_suspend_an_admin(self, oc: OpenChance) -> None:
        await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
        admin_id = await create_user(oc, email="boss@example.org", role=Role.ADMIN)
        moderator = await actor_for(oc, "mod@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.suspend(moderator, admin_id, REASON)

    async def test_support_cannot_suspend(self, oc: OpenChance) -> None:
        await create_user(oc, email="help@example.org", role=Role.SUPPORT)
        user_id = await create_user(oc, email="ada@example.org")
        support = await actor_for(oc, "help@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.suspend(support, user_id, REASON)


class TestListUsers:
    async def test_staff_find_users_by_part_of_the_address(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        await create_user(oc, email="grace@example.org")

        found = await oc.users.list_users(SYSTEM, UserFilter(query="GRACE"))

        assert [user.email for user in found] == ["grace@example.org"]

    async def test_plain_users_cannot_list_users(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        ada = await actor_for(oc, "ada@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.list_users(ada)

    async def test_anonymous_visitors_must_sign_in(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.users.get_user(Actor.anonymous(), uuid.uuid4())


class TestAuditLogIsAppendOnly:
    async def test_the_database_refuses_to_change_an_entry(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        await oc.users.suspend(SYSTEM, user_id, REASON)

        with pytest.raises(DBAPIError, match="append-only"):
            async with oc.unit_of_work() as uow:
                await uow.session.execute(update(AuditEntry).values(reason="rewritten"))

    async def test_the_database_refuses_to_delete_an_entry(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        await oc.users.suspend(SYSTEM, user_id, REASON)

        with pytest.raises(DBAPIError, match="append-only"):
            async with oc.unit_of_work() as uow:
                await uow.session.execute(delete(AuditEntry))


class TestSearchIsLiteral:
    async def test_wildcard_characters_match_only_themselves(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        await create_user(oc, email="under_score@example.org")

        found = await oc.users.list_users(SYSTEM, UserFilter(query="_"))

        assert [user.email for user in found] == ["under_score@example.org"]
