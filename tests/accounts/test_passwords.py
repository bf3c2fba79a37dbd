"""Password reset by e-mail, and password change."""

from __future__ import annotations

import pytest

from openchance import InvalidInput, NotAuthenticated, OpenChance
from openchance.accounts.schemas import (
    PasswordChange,
    PasswordResetConfirmation,
    PasswordResetRequest,
)
from tests.factories.users import CLIENT, STRONG_PASSWORD, create_user, mail_to, sign_in, token_in

NEW_PASSWORD = "copper-kettle-meadow-4711"


class TestPasswordReset:
    async def test_the_mailed_link_sets_a_new_password_and_ends_every_session(
        self, oc: OpenChance
    ) -> None:
        await create_user(oc, email="ada@example.org")
        old_session = await sign_in(oc, "ada@example.org")
        await oc.accounts.request_password_reset(
            PasswordResetRequest(email="ada@example.org"), CLIENT
        )
        token = token_in((await mail_to(oc, "ada@example.org"))[0])

        await oc.accounts.confirm_password_reset(
            PasswordResetConfirmation(token=token, new_password=NEW_PASSWORD)
        )

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(old_session.token)
        with pytest.raises(NotAuthenticated):
            await sign_in(oc, "ada@example.org", STRONG_PASSWORD)
        assert await sign_in(oc, "ada@example.org", NEW_PASSWORD)
        templates = [mail.template for mail in await mail_to(oc, "ada@example.org")]
        assert templates == ["password_changed", "password_reset"]

    async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
        self, oc: OpenChance
    ) -> None:
        answer = await oc.accounts.request_password_reset(
            PasswordResetRequest(email="nobody@example.org"), CLIENT
        )

        assert "If an account" in answer.message
        assert await mail_to(oc, "nobody@example.org") == []

    async def test_a_reset_link_works_once(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        await oc.accounts.request_password_reset(
            PasswordResetRequest(email="ada@example.org"), CLIENT
        )
        token = token_in((await mail_to(oc, "ada@example.org"))[0])
        confirmation = PasswordResetConfirmation(token=token, new_password=NEW_PASSWORD)
        await oc.accounts.confirm_password_reset(confirmation)

        with pytest.raises(InvalidInput) as raised:
            await oc.accounts.confirm_password_reset(confirmation)

        assert raised.value.code == "token_used"

    async def test_a_weak_new_password_keeps_the_link_usable(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        await oc.accounts.request_password_reset(
            PasswordResetRequest(email="ada@example.org"), CLIENT
        )
        token = token_in((await mail_to(oc, "ada@example.org"))[0])

        with pytest.raises(InvalidInput):
            await oc.accounts.confirm_password_reset(
                PasswordResetConfirmation(token=token, new_password="password")
            )
        await oc.accounts.confirm_password_reset(
            PasswordResetConfirmation(token=token, new_password=NEW_PASSWORD)
        )


class TestPasswordChange:
    async def test_other_sessions_end_and_this_one_stays(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        other = await sign_in(oc, "ada@example.org")
        this = await sign_in(oc, "ada@example.org")
        actor = await oc.accounts.authenticate(this.token)

        await oc.accounts.change_password(
            actor, PasswordChange(current_password=STRONG_PASSWORD, new_password=NEW_PASSWORD)
        )

        assert await oc.accounts.authenticate(this.token)
        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(other.token)

    async def test_the_current_password_must_be_right(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await oc.accounts.authenticate((await sign_in(oc, "ada@example.org")).token)

        with pytest.raises(NotAuthenticated):
            await oc.accounts.change_password(
                actor,
                PasswordChange(current_password="not-my-password-x", new_password=NEW_PASSWORD),
            )

    async def test_guessing_the_current_password_locks_the_account(self, oc: OpenChance) -> None:
        from openchance import RateLimited

        oc.settings.login_failures_per_account = "2/hour"
        await create_user(oc, email="ada@example.org")
        actor = await oc.accounts.authenticate((await sign_in(oc, "ada@example.org")).token)
        guess = PasswordChange(current_password="guess-number-one", new_password=NEW_PASSWORD)
        with pytest.raises(NotAuthenticated):
            await oc.accounts.change_password(actor, guess)

        with pytest.raises(RateLimited) as raised:
            await oc.accounts.change_password(actor, guess)

        assert raised.value.code == "account_locked"
