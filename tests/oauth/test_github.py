"""GitHub's OAuth web flow (no ID token): the numeric id is the identity, the primary
verified address from /user/emails the account's address. Against tests/oauth/github_fake."""

from __future__ import annotations

import base64
import hashlib
import uuid

import pytest

from openchance import NotAuthenticated, OpenChance, PermissionDenied
from openchance.accounts.oauth_schemas import OAuthOutcome
from openchance.models.oauth import OAuthProvider
from tests.factories.users import CLIENT
from tests.oauth.flows import ProviderUser, callback_of, consent, round_trip, signed_in_actor, start
from tests.oauth.github_fake import GitHubFake

GITHUB = OAuthProvider.GITHUB


def github_user(
    github: GitHubFake, *, verified: bool = True, name: str | None = "The Octocat"
) -> ProviderUser:
    login = f"octo-{uuid.uuid4().hex[:10]}"
    email = f"{login}@example.org"
    github.add_user(login, email=email, verified=verified, name=name)
    return ProviderUser(email=email, form={"login": login})


async def sign_in(oc: OpenChance, user: ProviderUser) -> OAuthOutcome:
    return await round_trip(oc, GITHUB, user)


class TestGitHub:
    async def test_a_new_user_gets_an_account_with_the_primary_address(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        user = github_user(github)

        outcome = await sign_in(oc, user)

        assert outcome.created_account
        assert outcome.login is not None
        assert outcome.login.user.email == user.email
        assert outcome.login.user.display_name == "The Octocat"

    async def test_the_login_is_the_name_when_there_is_none(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        user = github_user(github, name=None)

        outcome = await sign_in(oc, user)

        assert outcome.login is not None
        assert outcome.login.user.display_name == user.form["login"]

    async def test_the_identity_is_the_numeric_github_id(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        user = github_user(github)
        actor = await signed_in_actor(oc, await sign_in(oc, user))

        [identity] = await oc.oauth.list_identities(actor)

        assert identity.provider is GITHUB
        again = await sign_in(oc, user)
        assert again.login is not None
        assert again.login.user.id == actor.user_id

    async def test_an_unverified_primary_address_is_refused(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        with pytest.raises(PermissionDenied) as refused:
            await sign_in(oc, github_user(github, verified=False))

        assert refused.value.code == "oauth_email_not_verified"

    async def test_the_pkce_verifier_matches_the_challenge(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        await sign_in(oc, github_user(github))

        challenge = github.authorize_requests[-1]["code_challenge"]
        verifier = github.token_requests[-1]["code_verifier"]
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        assert digest.rstrip(b"=").decode() == challenge

    async def test_a_code_github_refuses_signs_nobody_in(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        authorization = await start(oc, GITHUB)
        answer = await consent(authorization.url, github_user(github).form)
        answer["code"] = "not-the-code"

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.complete(callback_of(GITHUB, authorization, answer), CLIENT)

        assert refused.value.code == "oauth_exchange_failed"

    async def test_a_denial_at_github_signs_nobody_in(
        self, oc: OpenChance, github: GitHubFake
    ) -> None:
        authorization = await start(oc, GITHUB)
        answer = await consent(authorization.url, {"action": "deny"})

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.complete(callback_of(GITHUB, authorization, answer), CLIENT)

        assert refused.value.code == "oauth_denied"
