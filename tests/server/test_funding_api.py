"""GET /api/v1/challenges/{id}/funding/preview."""

from __future__ import annotations

import httpx

from openchance import OpenChance
from openchance.models.challenges import RewardKind
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer


async def _headers(oc: OpenChance, email: str) -> dict[str, str]:
    result = await sign_in(oc, email)
    assert result.token is not None
    return bearer(result.token)


class TestFundingPreviewApi:
    async def test_the_owner_gets_the_breakdown(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)
        response = await client.get(
            f"{API}/challenges/{challenge}/funding/preview",
            headers=await _headers(oc, "owner@example.org"),
        )
        assert response.status_code == 200
        body = response.json()
        assert body["total_charged_minor"] == 106_600
        assert body["solver_receives_minor"] == 90_000

    async def test_another_user_gets_not_found(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc)
        await create_user(oc, email="solver@example.org")
        challenge = await insert_challenge(oc, owner)
        response = await client.get(
            f"{API}/challenges/{challenge}/funding/preview",
            headers=await _headers(oc, "solver@example.org"),
        )
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_an_amount_outside_the_range_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(
            oc, owner, reward_kind=RewardKind.RANGE, reward_min_minor=500, reward_max_minor=900
        )
        response = await client.get(
            f"{API}/challenges/{challenge}/funding/preview",
            params={"amount": 901},
            headers=await _headers(oc, "owner@example.org"),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "amount_out_of_range"
