"""Deleting an account, and personal access tokens for scripts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openchance import Conflict, NotAuthenticated, NotFound, OpenChance, PermissionDenied, Role
from openchance.accounts.schemas import (
    AccountDeletion,
    PasswordChange,
    PersonalAccessTokenCreate,
    StatusChange,
    TokenScope,
    UserFilter,
)
from openchance.models.audit import AuditEntry
from openchance.moderation.audit import AuditFilter
from tests.factories.users import (
    CLIENT,
    STRONG_PASSWORD,
    SYSTEM,
    actor_for,
    create_user,
    sign_in,
)


class TestDeleteAccount:
    async def test_personal_data_is_anonymised_and_sessions_end(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org", display_name="Ada Lovelace")
        other = await sign_in(oc, "ada@example.org")
        actor = await actor_for(oc, "ada@example.org")

        await oc.accounts.delete_account(actor, AccountDeletion(password=STRONG_PASSWORD), CLIENT)

        view = await oc.users.get_user(SYSTEM, user_id)
        assert view.status == "deleted"
        assert view.display_name == "Deleted user"
        assert view.email == f"deleted-{user_id.hex}@deleted.invalid"
        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(other.token)
        with pytest.raises(NotAuthenticated):
            await sign_in(oc, "ada@example.org")

    async def test_the_audit_trail_is_kept(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")

        await oc.accounts.delete_account(actor, AccountDeletion(password=STRONG_PASSWORD), CLIENT)

        entries = await oc.audit.list_entries(SYSTEM, AuditFilter(target_id=str(user_id)))
        assert [entry.action for entry in entries][:2] == ["user.delete", "user.create"]

    async def test_a_wrong_password_deletes_nothing(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")

        with pytest.raises(NotAuthenticated):
            await oc.accounts.delete_account(
                actor, AccountDeletion(password="not-my-password"), CLIENT
            )

        assert (await oc.users.get_user(SYSTEM, user_id)).status == "active"

    async def test_the_address_can_sign_up_again(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        await oc.accounts.delete_account(actor, AccountDeletion(password=STRONG_PASSWORD), CLIENT)

        assert await create_user(oc, email="ada@example.org")

    async def test_a_deleted_user_has_no_public_page(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        await oc.accounts.delete_account(actor, AccountDeletion(password=STRONG_PASSWORD), CLIENT)

        with pytest.raises(NotFound):
            await oc.accounts.get_public_user(actor, user_id)


class TestStaffDeletion:
    async def test_an_admin_deletes_an_account_with_a_reason(self, oc: OpenChance) -> None:
        await create_user(oc, email="boss@example.org", role=Role.ADMIN)
        user_id = await create_user(oc, email="ada@example.org")
        boss = await actor_for(oc, "boss@example.org")

        deleted = await oc.users.delete_user(boss, user_id, StatusChange(reason="erasure request"))

        assert deleted.status == "deleted"
        found = await oc.users.list_users(SYSTEM, UserFilter(query="ada@example.org"))
        assert found == []

    async def test_deleting_twice_is_a_conflict(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        await oc.users.delete_user(SYSTEM, user_id, StatusChange(reason="erasure request"))

        with pytest.raises(Conflict):
            await oc.users.delete_user(SYSTEM, user_id, StatusChange(reason="erasure request"))

    async def test_a_moderator_cannot_delete_accounts(self, oc: OpenChance) -> None:
        await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
        user_id = await create_user(oc, email="ada@example.org")
        moderator = await actor_for(oc, "mod@example.org")

        with pytest.raises(PermissionDenied):
            await oc.users.delete_user(moderator, user_id, StatusChange(reason="spam"))

    async def test_audit_rows_survive_deletion(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")
        await oc.users.delete_user(SYSTEM, user_id, StatusChange(reason="erasure request"))

        async with oc.unit_of_work(read_only=True) as uow:
            count = await uow.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.target_id == str(user_id))
            )
        assert count == 2


class TestPersonalAccessTokens:
    async def test_a_token_is_shown_once_and_listed_with_its_name(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")

        created = await oc.accounts.create_personal_access_token(
            actor, PersonalAccessTokenCreate(name="ci", scopes=[TokenScope.READ]), CLIENT
        )

        sessions = await oc.accounts.list_sessions(actor)
        listed = next(s for s in sessions if s.id == created.session.id)
        assert listed.name == "ci"
        assert listed.scopes == ["read"]
        assert created.token.startswith("ocs_")

    async def test_a_read_only_token_cannot_write(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        created = await oc.accounts.create_personal_access_token(
            actor, PersonalAccessTokenCreate(name="ci", scopes=[TokenScope.READ]), CLIENT
        )

        assert await oc.accounts.authenticate(created.token)
        with pytest.raises(PermissionDenied) as raised:
            await oc.accounts.authenticate(created.token, unsafe_method=True)

        assert raised.value.code == "insufficient_scope"

    async def test_a_token_cannot_change_the_password(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        created = await oc.accounts.create_personal_access_token(
            actor,
            PersonalAccessTokenCreate(name="ci", scopes=[TokenScope.READ, TokenScope.WRITE]),
            CLIENT,
        )
        script = await oc.accounts.authenticate(created.token, unsafe_method=True)

        with pytest.raises(PermissionDenied) as raised:
            await oc.accounts.change_password(
                script,
                PasswordChange(
                    current_password=STRONG_PASSWORD, new_password="copper-kettle-meadow-4711"
                ),
            )

        assert raised.value.code == "interactive_session_required"

    async def test_a_token_cannot_mint_more_tokens(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        created = await oc.accounts.create_personal_access_token(
            actor, PersonalAccessTokenCreate(name="ci", scopes=[TokenScope.WRITE]), CLIENT
        )
        script = await oc.accounts.authenticate(created.token)

        with pytest.raises(PermissionDenied):
            await oc.accounts.create_personal_access_token(
                script, PersonalAccessTokenCreate(name="more", scopes=[TokenScope.READ]), CLIENT
            )

    async def test_revoking_a_token_ends_it(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        created = await oc.accounts.create_personal_access_token(
            actor, PersonalAccessTokenCreate(name="ci", scopes=[TokenScope.READ]), CLIENT
        )

        await oc.accounts.revoke_session(actor, created.session.id)

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(created.token)
