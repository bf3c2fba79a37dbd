"""/api/v1/me/payout-account, /api/v1/me/payouts, /api/v1/payouts/{id}/…, a challenge's
payouts, and the local processor's onboarding step."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from openchance import OpenChance
from openchance.actor import Role
from tests.factories.payouts import released_winner
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer
from tests.support.jobs import drain


async def _headers(oc: OpenChance, email: str) -> dict[str, str]:
    result = await sign_in(oc, email)
    assert result.token is not None
    return bearer(result.token)


async def _onboard(client: httpx.AsyncClient, link: str, number: str) -> httpx.Response:
    url = urlparse(link)
    [token] = parse_qs(url.query)["token"]
    return await client.post(url.path, json={"token": token, "bank_account_number": number})


class TestPayoutsApi:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"payout_delay_hours": 0}

    async def test_a_solver_connects_an_account_and_is_paid_out(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await released_winner(oc)
        solver = await _headers(oc, "solver1@example.org")

        connected = await client.post(f"{API}/me/payout-account", json={}, headers=solver)
        onboarded = await _onboard(client, connected.json()["onboarding_url"], "000123456789")
        await drain(oc)

        assert connected.status_code == 200
        assert onboarded.json()["payouts_enabled"] is True
        account = (await client.get(f"{API}/me/payout-account", headers=solver)).json()
        assert account["status"] == "enabled"
        [payout] = (await client.get(f"{API}/me/payouts", headers=solver)).json()
        assert payout["status"] == "paid"
        statement = await client.get(f"{API}/payouts/{payout['id']}/statement.pdf", headers=solver)
        assert statement.headers["content-type"] == "application/pdf"

    async def test_the_challenger_sees_where_the_winners_money_is(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await released_winner(oc)
        owner = await _headers(oc, "owner@example.org")

        response = await client.get(
            f"{API}/challenges/{winners.challenge_id}/payouts", headers=owner
        )

        [payout] = response.json()
        assert payout["status"] == "pending"
        assert payout["waiting_for"] == "payout_account"

    async def test_support_holds_and_releases_a_payout(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await released_winner(oc)
        await create_user(oc, email="support@example.org", role=Role.SUPPORT)
        staff = await _headers(oc, "support@example.org")
        [payout] = await oc.payouts.my_payouts(winners.solvers[0])

        held = await client.post(
            f"{API}/payouts/{payout.id}/hold", json={"reason": "Checking."}, headers=staff
        )
        released = await client.post(
            f"{API}/payouts/{payout.id}/release-hold", json={"reason": "Fine."}, headers=staff
        )

        assert held.json()["status"] == "on_hold"
        assert released.json()["status"] == "pending"

    async def test_the_solver_cannot_hold_a_payout(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await released_winner(oc)
        solver = await _headers(oc, "solver1@example.org")
        [payout] = await oc.payouts.my_payouts(winners.solvers[0])

        response = await client.post(
            f"{API}/payouts/{payout.id}/hold", json={"reason": "Mine."}, headers=solver
        )

        assert response.status_code == 403
        assert response.json()["code"] == "staff_only"

    async def test_a_hold_without_a_reason_is_invalid(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await released_winner(oc)
        await create_user(oc, email="support@example.org", role=Role.SUPPORT)
        staff = await _headers(oc, "support@example.org")
        [payout] = await oc.payouts.my_payouts(winners.solvers[0])

        response = await client.post(f"{API}/payouts/{payout.id}/hold", json={}, headers=staff)

        assert response.status_code == 422

    async def test_an_unknown_test_bank_account_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="solver@example.org")
        solver = await _headers(oc, "solver@example.org")
        connected = await client.post(f"{API}/me/payout-account", json={}, headers=solver)

        response = await _onboard(client, connected.json()["onboarding_url"], "123")

        assert response.status_code == 422
        assert response.json()["code"] == "unknown_test_bank_account"

    async def test_a_stranger_cannot_read_a_payout(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await released_winner(oc)
        await create_user(oc, email="stranger@example.org")
        stranger = await _headers(oc, "stranger@example.org")
        [payout] = await oc.payouts.my_payouts(winners.solvers[0])

        response = await client.get(f"{API}/payouts/{payout.id}", headers=stranger)

        assert response.status_code == 404
