"""Signing in with an OpenID Connect provider (Google; LinkedIn works the same way)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openchance import Conflict, OpenChance, PermissionDenied
from openchance.accounts.schemas import StatusChange
from openchance.models.accounts import User
from openchance.models.oauth import OAuthIdentity, OAuthProvider
from tests.factories.users import SYSTEM, create_user
from tests.oauth.flows import oidc_user, round_trip, signed_in_actor

GOOGLE = OAuthProvider.GOOGLE


async def count(oc: OpenChance, model: type[User] | type[OAuthIdentity]) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


class TestNewUser:
    async def test_a_verified_account_is_created(self, oc: OpenChance, oidc_issuer: str) -> None:
        user = await oidc_user(oidc_issuer)

        outcome = await round_trip(oc, GOOGLE, user)

        assert outcome.created_account
        assert outcome.login is not None
        assert outcome.login.user.email == user.email
        assert outcome.login.user.email_verified

    async def test_the_new_account_has_no_password(self, oc: OpenChance, oidc_issuer: str) -> None:
        outcome = await round_trip(oc, GOOGLE, await oidc_user(oidc_issuer))

        assert outcome.login is not None
        async with oc.unit_of_work(read_only=True) as uow:
            account = await uow.session.get(User, outcome.login.user.id)
        assert account is not None
        assert account.password_hash is None

    async def test_the_name_comes_from_the_provider(self, oc: OpenChance, oidc_issuer: str) -> None:
        user = await oidc_user(oidc_issuer, name="Grace Brewster Hopper")

        outcome = await round_trip(oc, GOOGLE, user)

        assert outcome.login is not None
        assert outcome.login.user.display_name == "Grace Brewster Hopper"

    async def test_the_identity_is_linked_to_the_new_account(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        outcome = await round_trip(oc, GOOGLE, await oidc_user(oidc_issuer))

        identities = await oc.oauth.list_identities(await signed_in_actor(oc, outcome))

        assert [identity.provider for identity in identities] == [GOOGLE]

    async def test_an_address_the_provider_has_not_verified_is_refused(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        user = await oidc_user(oidc_issuer, verified=False)

        with pytest.raises(PermissionDenied) as refused:
            await round_trip(oc, GOOGLE, user)

        assert refused.value.code == "oauth_email_not_verified"
        assert await count(oc, User) == 0

    async def test_linkedin_signs_in_through_discovery_too(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        outcome = await round_trip(oc, OAuthProvider.LINKEDIN, await oidc_user(oidc_issuer))

        assert outcome.created_account


class TestReturningUser:
    async def test_a_known_identity_signs_in_to_the_same_account(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        user = await oidc_user(oidc_issuer)
        first = await round_trip(oc, GOOGLE, user)

        again = await round_trip(oc, GOOGLE, user)

        assert first.login is not None
        assert again.login is not None
        assert not again.created_account
        assert again.login.user.id == first.login.user.id
        assert again.login.session.id != first.login.session.id

    async def test_a_suspended_account_is_refused(self, oc: OpenChance, oidc_issuer: str) -> None:
        user = await oidc_user(oidc_issuer)
        first = await round_trip(oc, GOOGLE, user)
        assert first.login is not None
        await oc.users.suspend(SYSTEM, first.login.user.id, StatusChange(reason="tested here"))

        with pytest.raises(PermissionDenied) as refused:
            await round_trip(oc, GOOGLE, user)

        assert refused.value.code == "account_suspended"


class TestExistingPasswordAccount:
    async def test_sign_in_alone_does_not_link_it(self, oc: OpenChance, oidc_issuer: str) -> None:
        await create_user(oc, email="grace@example.org")
        user = await oidc_user(oidc_issuer, email="grace@example.org")

        with pytest.raises(Conflict) as refused:
            await round_trip(oc, GOOGLE, user)

        assert refused.value.code == "oauth_link_requires_sign_in"
        assert await count(oc, OAuthIdentity) == 0

    async def test_the_address_is_compared_normalised(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        await create_user(oc, email="grace@example.org")
        user = await oidc_user(oidc_issuer, email="Grace@EXAMPLE.org")

        with pytest.raises(Conflict):
            await round_trip(oc, GOOGLE, user)
