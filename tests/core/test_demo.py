"""The demo marketplace: seeded once, the same after every restart, and usable."""

from __future__ import annotations

import pytest

from openchance import OpenChance, Role
from openchance.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_email
from openchance.accounts.schemas import UserFilter
from openchance.demo import prepare_demo
from tests.factories.users import SYSTEM, sign_in


class TestPrepareDemo:
    """On the seeded copy, ``prepare_demo`` runs once more (a couple of seconds) for the
    summary it returns."""

    @pytest.mark.seeded_demo
    async def test_seeds_an_account_for_every_role(self, oc: OpenChance) -> None:
        summary = await prepare_demo(oc)

        users = await oc.users.list_users(SYSTEM, UserFilter(query="demo.openchance.dev"))
        assert {user.role for user in users} == set(Role)
        assert len(summary.logins) == len(DEMO_ACCOUNTS)

    async def test_a_second_start_creates_nothing_new(self, oc: OpenChance) -> None:
        await prepare_demo(oc)
        await prepare_demo(oc)

        users = await oc.users.list_users(SYSTEM, UserFilter(query="demo.openchance.dev"))
        assert len(users) == len(DEMO_ACCOUNTS)

    @pytest.mark.seeded_demo
    async def test_the_printed_demo_logins_work(self, oc: OpenChance) -> None:
        summary = await prepare_demo(oc)

        login = summary.logins[0]
        assert login.email == demo_email("admin")
        assert login.password == DEMO_PASSWORD
        assert (await sign_in(oc, login.email, login.password)).user.role is Role.ADMIN

    @pytest.mark.seeded_demo
    async def test_challengers_and_solvers_have_profiles(self, oc: OpenChance) -> None:
        users = await oc.users.list_users(SYSTEM, UserFilter(query="solver@demo"))

        profile = await oc.profiles.get_public_profile(SYSTEM, users[0].id)

        assert profile.skills
        assert profile.hourly_rate is not None
