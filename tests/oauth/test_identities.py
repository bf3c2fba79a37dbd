"""Listing and unlinking provider accounts: at least one way to sign in always remains."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from openchance import Actor, Conflict, NotAuthenticated, NotFound, OpenChance
from openchance.accounts.oauth_schemas import OAuthMode
from openchance.accounts.schemas import StatusChange
from openchance.models.oauth import OAuthIdentity, OAuthProvider
from openchance.moderation.audit import AuditFilter
from tests.factories.users import CLIENT, SYSTEM, actor_for, create_user
from tests.oauth.flows import oidc_user, round_trip, signed_in_actor

GOOGLE = OAuthProvider.GOOGLE


async def oauth_only_user(oc: OpenChance, issuer: str) -> tuple[Actor, uuid.UUID]:
    """An account made by signing up with Google: no password; and its identity's id."""
    actor = await signed_in_actor(oc, await round_trip(oc, GOOGLE, await oidc_user(issuer)))
    [identity] = await oc.oauth.list_identities(actor)
    return actor, identity.id


class TestUnlink:
    async def test_the_last_way_to_sign_in_is_kept(self, oc: OpenChance, oidc_issuer: str) -> None:
        actor, identity_id = await oauth_only_user(oc, oidc_issuer)

        with pytest.raises(Conflict) as refused:
            await oc.oauth.unlink(actor, identity_id, CLIENT)

        assert refused.value.code == "last_sign_in_method"
        assert len(await oc.oauth.list_identities(actor)) == 1

    async def test_another_identity_counts_as_a_way_in(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        actor, identity_id = await oauth_only_user(oc, oidc_issuer)
        linkedin = await oidc_user(oidc_issuer)
        await round_trip(oc, OAuthProvider.LINKEDIN, linkedin, actor=actor, mode=OAuthMode.LINK)

        await oc.oauth.unlink(actor, identity_id, CLIENT)

        remaining = await oc.oauth.list_identities(actor)
        assert [identity.provider for identity in remaining] == [OAuthProvider.LINKEDIN]

    async def test_a_password_counts_as_a_way_in(self, oc: OpenChance, oidc_issuer: str) -> None:
        await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")
        linked = await round_trip(
            oc, GOOGLE, await oidc_user(oidc_issuer), actor=actor, mode=OAuthMode.LINK
        )
        assert linked.identity is not None

        await oc.oauth.unlink(actor, linked.identity.id, CLIENT)

        assert await oc.oauth.list_identities(actor) == []

    async def test_unlinking_is_audited(self, oc: OpenChance, oidc_issuer: str) -> None:
        await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")
        linked = await round_trip(
            oc, GOOGLE, await oidc_user(oidc_issuer), actor=actor, mode=OAuthMode.LINK
        )
        assert linked.identity is not None

        await oc.oauth.unlink(actor, linked.identity.id, CLIENT)

        entries = await oc.audit.list_entries(SYSTEM, AuditFilter(target_id=str(actor.user_id)))
        actions = [entry.action for entry in entries if "identity" in entry.action]
        assert actions == ["user.identity_unlinked", "user.identity_linked"]

    async def test_another_users_identity_is_not_found(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        _, identity_id = await oauth_only_user(oc, oidc_issuer)
        await create_user(oc, email="mallory@example.org")
        mallory = await actor_for(oc, "mallory@example.org")

        with pytest.raises(NotFound):
            await oc.oauth.unlink(mallory, identity_id, CLIENT)

    async def test_anonymous_visitors_cannot_list(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.oauth.list_identities(Actor.anonymous())


class TestAccountDeletion:
    async def test_deleting_the_account_removes_its_identities(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        actor, _ = await oauth_only_user(oc, oidc_issuer)
        assert actor.user_id is not None

        await oc.users.delete_user(SYSTEM, actor.user_id, StatusChange(reason="tested here"))

        async with oc.unit_of_work(read_only=True) as uow:
            assert (await uow.session.scalars(select(OAuthIdentity))).all() == []
