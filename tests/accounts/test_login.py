"""Signing in with e-mail and password, and what stops it."""

from __future__ import annotations

import pytest

from openchance import NotAuthenticated, OpenChance, PermissionDenied, RateLimited
from openchance.accounts.schemas import Login
from openchance.actor import ClientInfo
from openchance.models.accounts import SessionKind
from tests.factories.users import CLIENT, STRONG_PASSWORD, create_user, mail_to, sign_in


class TestLogin:
    async def test_the_right_password_opens_a_session(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, email="ada@example.org")

        result = await sign_in(oc, "ada@example.org")

        assert result.user.id == user_id
        assert result.token.startswith("ocs_")
        assert result.csrf_token is None
        actor = await oc.accounts.authenticate(result.token)
        assert actor.user_id == user_id
        assert actor.session_id == result.session.id

    async def test_a_browser_session_also_gets_a_csrf_token(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")

        result = await sign_in(oc, "ada@example.org", kind=SessionKind.BROWSER)

        assert result.csrf_token is not None

    async def test_a_wrong_password_is_refused(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")

        with pytest.raises(NotAuthenticated) as raised:
            await sign_in(oc, "ada@example.org", "not-the-password-at-all")

        assert raised.value.code == "invalid_credentials"

    async def test_an_unknown_address_gets_the_same_answer(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated) as raised:
            await sign_in(oc, "nobody@example.org")

        assert raised.value.code == "invalid_credentials"

    async def test_an_unverified_address_cannot_sign_in(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org", verified=False)

        with pytest.raises(NotAuthenticated) as raised:
            await sign_in(oc, "ada@example.org")

        assert raised.value.code == "email_not_verified"

    async def test_a_suspended_account_cannot_sign_in(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org", suspended=True)

        with pytest.raises(PermissionDenied) as raised:
            await sign_in(oc, "ada@example.org")

        assert raised.value.code == "account_suspended"


class TestLockout:
    async def test_too_many_failures_lock_the_account_and_mail_its_owner(
        self, oc: OpenChance
    ) -> None:
        oc.settings.login_failures_per_account = "3/hour"
        await create_user(oc, email="ada@example.org")
        for _ in range(2):
            with pytest.raises(NotAuthenticated):
                await sign_in(oc, "ada@example.org", "wrong-password-guess")

        with pytest.raises(RateLimited) as locked:  # the third failure starts the lock
            await sign_in(oc, "ada@example.org", "wrong-password-guess")
        with pytest.raises(RateLimited) as still_locked:
            await sign_in(oc, "ada@example.org", STRONG_PASSWORD)

        assert locked.value.code == still_locked.value.code == "account_locked"
        assert 0 < still_locked.value.retry_after <= 3600
        mails = await mail_to(oc, "ada@example.org")
        assert [mail.template for mail in mails] == ["account_locked"]

    async def test_the_lock_ends_with_its_window(self, oc: OpenChance) -> None:
        oc.settings.login_failures_per_account = "2/second"
        await create_user(oc, email="ada@example.org")
        for _ in range(3):
            with pytest.raises((NotAuthenticated, RateLimited)):
                await sign_in(oc, "ada@example.org", "wrong-password-guess")

        import anyio

        await anyio.sleep(1.1)
        assert (await sign_in(oc, "ada@example.org")).token

    async def test_attempts_are_limited_per_address_of_origin(self, oc: OpenChance) -> None:
        oc.settings.login_attempts_per_ip = "2/minute"
        client = ClientInfo(ip_address="198.51.100.9")
        for _ in range(2):
            with pytest.raises(NotAuthenticated):
                await oc.accounts.login(
                    Login(email="x@example.org", password="whatever-it-is"), client
                )

        with pytest.raises(RateLimited):
            await oc.accounts.login(Login(email="y@example.org", password="whatever-it-is"), client)

    async def test_other_addresses_of_origin_are_not_affected(self, oc: OpenChance) -> None:
        oc.settings.login_attempts_per_ip = "1/minute"
        await create_user(oc, email="ada@example.org")
        with pytest.raises(NotAuthenticated):
            await sign_in(oc, "nobody@example.org", client=ClientInfo(ip_address="198.51.100.1"))

        assert await sign_in(oc, "ada@example.org", client=CLIENT)
