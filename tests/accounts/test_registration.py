"""Sign-up and e-mail verification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from openchance import InvalidInput, OpenChance, RateLimited
from openchance.accounts.schemas import EmailVerification, Registration
from openchance.actor import ClientInfo
from openchance.db.types import utcnow
from openchance.models.accounts import User, UserToken
from tests.factories.users import CLIENT, STRONG_PASSWORD, create_user, mail_to, token_in


def _registration(
    email: str = "grace@example.org", password: str = STRONG_PASSWORD
) -> Registration:
    return Registration(email=email, password=password, display_name="Grace Hopper")


class TestRegister:
    async def test_creates_an_unverified_account_and_mails_a_link(self, oc: OpenChance) -> None:
        accepted = await oc.accounts.register(_registration(), CLIENT)

        mails = await mail_to(oc, "grace@example.org")
        assert "inbox" in accepted.message
        assert [mail.template for mail in mails] == ["verify_email"]
        assert mails[0].html_body
        assert mails[0].text_body
        async with oc.unit_of_work(read_only=True) as uow:
            user = (await uow.session.scalars(select(User))).one()
        assert user.email_verified_at is None
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")

    async def test_the_address_is_normalised(self, oc: OpenChance) -> None:
        await oc.accounts.register(_registration(email="  Grace@EXAMPLE.org "), CLIENT)

        assert await mail_to(oc, "grace@example.org")

    async def test_a_taken_address_gets_the_same_answer_and_the_owner_an_email(
        self, oc: OpenChance
    ) -> None:
        await create_user(oc, email="grace@example.org")

        accepted = await oc.accounts.register(_registration(), CLIENT)

        assert accepted == type(accepted)()
        mails = await mail_to(oc, "grace@example.org")
        assert [mail.template for mail in mails] == ["account_exists"]

    @pytest.mark.parametrize("password", ["short1", "password123", "grace@example.org!"])
    async def test_weak_or_common_passwords_are_refused(
        self, oc: OpenChance, password: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.accounts.register(_registration(password=password), CLIENT)

        assert raised.value.code == "weak_password"

    async def test_an_invalid_address_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.accounts.register(_registration(email="not-an-address"), CLIENT)

        assert raised.value.code == "invalid_email"

    async def test_sign_ups_are_rate_limited_per_address_of_origin(self, oc: OpenChance) -> None:
        oc.settings.signups_per_ip = "2/hour"
        client = ClientInfo(ip_address="198.51.100.7")
        for number in range(2):
            await oc.accounts.register(_registration(email=f"u{number}@example.org"), client)

        with pytest.raises(RateLimited) as raised:
            await oc.accounts.register(_registration(email="u3@example.org"), client)

        assert raised.value.retry_after > 0


class TestVerifyEmail:
    async def test_the_mailed_token_verifies_the_address(self, oc: OpenChance) -> None:
        await oc.accounts.register(_registration(), CLIENT)
        token = token_in((await mail_to(oc, "grace@example.org"))[0])

        user = await oc.accounts.verify_email(EmailVerification(token=token))

        assert user.email_verified

    async def test_a_token_works_once(self, oc: OpenChance) -> None:
        await oc.accounts.register(_registration(), CLIENT)
        token = token_in((await mail_to(oc, "grace@example.org"))[0])
        await oc.accounts.verify_email(EmailVerification(token=token))

        with pytest.raises(InvalidInput) as raised:
            await oc.accounts.verify_email(EmailVerification(token=token))

        assert raised.value.code == "token_used"

    async def test_an_expired_token_is_refused(self, oc: OpenChance) -> None:
        await oc.accounts.register(_registration(), CLIENT)
        token = token_in((await mail_to(oc, "grace@example.org"))[0])
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(UserToken).values(expires_at=utcnow() - timedelta(seconds=1))
            )

        with pytest.raises(InvalidInput) as raised:
            await oc.accounts.verify_email(EmailVerification(token=token))

        assert raised.value.code == "token_expired"

    async def test_an_unknown_token_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.accounts.verify_email(EmailVerification(token="oce_not-a-real-token"))

        assert raised.value.code == "invalid_token"

    async def test_only_the_digest_of_the_token_is_stored(self, oc: OpenChance) -> None:
        await oc.accounts.register(_registration(), CLIENT)
        token = token_in((await mail_to(oc, "grace@example.org"))[0])

        async with oc.unit_of_work(read_only=True) as uow:
            stored = (await uow.session.scalars(select(UserToken.token_hash))).all()

        assert token not in stored
        assert len(token) >= 40  # ≥ 128 bits of randomness after the prefix
