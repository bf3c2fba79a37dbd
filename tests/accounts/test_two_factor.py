"""TOTP two-factor authentication: set-up, sign-in with a code, recovery codes, step-up."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from openchance import Conflict, InvalidInput, NotAuthenticated, OpenChance
from openchance.accounts.schemas import Login, PasswordResetConfirmation, PasswordResetRequest
from openchance.accounts.two_factor import SecondFactor, TotpConfirmation, TotpDisable
from openchance.actor import Actor
from openchance.models.accounts import User
from tests.factories.users import (
    CLIENT,
    STRONG_PASSWORD,
    actor_for,
    create_user,
    mail_to,
    sign_in,
    token_in,
)


def _code(secret: str, *, steps_ago: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(time.time()) - 30 * steps_ago)


async def _enable(oc: OpenChance, email: str = "ada@example.org") -> tuple[Actor, str, list[str]]:
    await create_user(oc, email=email)
    actor = await actor_for(oc, email)
    setup = await oc.two_factor.start_setup(actor)
    codes = await oc.two_factor.confirm_setup(
        actor, TotpConfirmation(code=_code(setup.secret, steps_ago=1))
    )
    return actor, setup.secret, codes.codes


def _login(code: str | None = None) -> Login:
    return Login(email="ada@example.org", password=STRONG_PASSWORD, totp_code=code)


class TestSetUp:
    async def test_set_up_gives_a_provisioning_uri_and_a_qr_code(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")

        setup = await oc.two_factor.start_setup(actor)

        assert setup.provisioning_uri.startswith("otpauth://totp/OpenChance:ada%40example.org")
        assert setup.qr_svg.lstrip().startswith("<svg")

    async def test_a_wrong_first_code_leaves_two_factor_off(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        await oc.two_factor.start_setup(actor)

        with pytest.raises(InvalidInput):
            await oc.two_factor.confirm_setup(actor, TotpConfirmation(code="000000"))

        assert await sign_in(oc, "ada@example.org")

    async def test_confirming_issues_ten_recovery_codes(self, oc: OpenChance) -> None:
        _, _, codes = await _enable(oc)

        assert len(codes) == len(set(codes)) == 10

    async def test_the_secret_is_stored_encrypted(self, oc: OpenChance) -> None:
        _, secret, _ = await _enable(oc)

        async with oc.unit_of_work(read_only=True) as uow:
            stored = (await uow.session.scalars(select(User.totp_secret))).one()

        assert stored is not None
        assert secret not in stored

    async def test_enabling_twice_is_a_conflict(self, oc: OpenChance) -> None:
        actor, _, _ = await _enable(oc)

        with pytest.raises(Conflict):
            await oc.two_factor.start_setup(actor)


class TestSignInWithTwoFactor:
    async def test_without_a_code_the_answer_is_totp_required(self, oc: OpenChance) -> None:
        await _enable(oc)

        with pytest.raises(NotAuthenticated) as raised:
            await oc.accounts.login(_login(), CLIENT)

        assert raised.value.code == "totp_required"

    async def test_a_current_code_signs_in(self, oc: OpenChance) -> None:
        _, secret, _ = await _enable(oc)

        assert (await oc.accounts.login(_login(_code(secret)), CLIENT)).token

    async def test_a_code_cannot_be_used_twice(self, oc: OpenChance) -> None:
        _, secret, _ = await _enable(oc)
        code = _code(secret)
        await oc.accounts.login(_login(code), CLIENT)

        with pytest.raises(NotAuthenticated) as raised:
            await oc.accounts.login(_login(code), CLIENT)

        assert raised.value.code == "totp_reused"

    async def test_a_recovery_code_works_once(self, oc: OpenChance) -> None:
        _, _, codes = await _enable(oc)
        await oc.accounts.login(_login(codes[0]), CLIENT)

        with pytest.raises(NotAuthenticated) as raised:
            await oc.accounts.login(_login(codes[0]), CLIENT)

        assert raised.value.code == "invalid_totp"
        assert await oc.accounts.login(_login(codes[1]), CLIENT)

    async def test_enabling_two_factor_ends_the_other_sessions(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        other = await sign_in(oc, "ada@example.org")
        actor = await actor_for(oc, "ada@example.org")
        setup = await oc.two_factor.start_setup(actor)

        await oc.two_factor.confirm_setup(actor, TotpConfirmation(code=_code(setup.secret)))

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(other.token)


class TestPasswordResetKeepsTwoFactor:
    async def test_a_reset_link_alone_does_not_bypass_two_factor(self, oc: OpenChance) -> None:
        _, secret, _ = await _enable(oc)
        await oc.accounts.request_password_reset(
            PasswordResetRequest(email="ada@example.org"), CLIENT
        )
        token = token_in((await mail_to(oc, "ada@example.org"))[0])
        new_password = "saffron-glacier-violin-08"

        with pytest.raises(NotAuthenticated) as raised:
            await oc.accounts.confirm_password_reset(
                PasswordResetConfirmation(token=token, new_password=new_password)
            )
        assert raised.value.code == "totp_required"

        await oc.accounts.confirm_password_reset(
            PasswordResetConfirmation(
                token=token, new_password=new_password, totp_code=_code(secret)
            )
        )


class TestStepUpAndDisable:
    async def test_step_up_needs_a_fresh_code(self, oc: OpenChance) -> None:
        actor, secret, _ = await _enable(oc)

        with pytest.raises(NotAuthenticated):
            await oc.two_factor.require_step_up(actor, None)
        await oc.two_factor.require_step_up(actor, _code(secret))

    async def test_disabling_needs_the_password_and_a_code(self, oc: OpenChance) -> None:
        actor, secret, _ = await _enable(oc)

        with pytest.raises(NotAuthenticated):
            await oc.two_factor.disable(
                actor, TotpDisable(password="not-my-password", code=_code(secret))
            )
        await oc.two_factor.disable(
            actor, TotpDisable(password=STRONG_PASSWORD, code=_code(secret))
        )

        assert await oc.accounts.login(_login(), CLIENT)

    async def test_new_recovery_codes_replace_the_old_ones(self, oc: OpenChance) -> None:
        actor, secret, old = await _enable(oc)

        new = await oc.two_factor.regenerate_recovery_codes(actor, SecondFactor(code=_code(secret)))

        with pytest.raises(NotAuthenticated):
            await oc.accounts.login(_login(old[0]), CLIENT)
        assert await oc.accounts.login(_login(new.codes[0]), CLIENT)
