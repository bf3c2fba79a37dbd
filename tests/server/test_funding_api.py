"""GET /api/v1/challenges/{id}/funding/preview."""

from __future__ import annotations

import uuid

import httpx

from openchance import OpenChance
from openchance.actor import Role
from openchance.models.challenges import RewardKind
from tests.factories.challenges import insert_challenge
from tests.factories.payments import fund
from tests.factories.users import actor_for, create_user, sign_in
from tests.server.accounts import API, bearer
from tests.support.jobs import drain


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


async def _start(
    client: httpx.AsyncClient, challenge: uuid.UUID, headers: dict[str, str], key: str
) -> httpx.Response:
    return await client.post(
        f"{API}/challenges/{challenge}/funding", headers=headers | {"Idempotency-Key": key}
    )


class TestFundingApi:
    async def test_a_challenger_funds_with_a_test_card(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)
        headers = await _headers(oc, "owner@example.org")
        started = (await _start(client, challenge, headers, "fund-1")).json()
        assert started["next_action"] == "confirm_with_card"

        confirmed = await client.post(
            f"{API}/processors/local/payments/{started['processor_payment_id']}/confirm",
            json={"client_secret": started["client_secret"], "card_number": "4242424242424242"},
            headers=headers,
        )
        assert confirmed.status_code == 200
        assert confirmed.json()["state"] == "succeeded"
        await drain(oc)

        funding = await client.get(f"{API}/fundings/{started['id']}", headers=headers)
        assert funding.json()["status"] == "succeeded"
        escrow = (await client.get(f"{API}/challenges/{challenge}/funding")).json()
        assert escrow["funded"] is True
        assert escrow["prize_funded_minor"] == 100_000
        assert escrow["fundings"] == []  # anonymous: no list of payments

    async def test_the_same_idempotency_key_returns_the_same_funding(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)
        headers = await _headers(oc, "owner@example.org")

        first = await _start(client, challenge, headers, "fund-1")
        again = await _start(client, challenge, headers, "fund-1")

        assert first.status_code == again.status_code == 200
        assert again.json()["id"] == first.json()["id"]

    async def test_a_solver_cannot_fund(self, oc: OpenChance, client: httpx.AsyncClient) -> None:
        owner = await create_user(oc)
        await create_user(oc, email="solver@example.org")
        challenge = await insert_challenge(oc, owner)

        response = await _start(
            client, challenge, await _headers(oc, "solver@example.org"), "fund-1"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "not_challenge_owner"

    async def test_a_card_that_is_not_a_test_card_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)
        headers = await _headers(oc, "owner@example.org")
        started = (await _start(client, challenge, headers, "fund-1")).json()

        response = await client.post(
            f"{API}/processors/local/payments/{started['processor_payment_id']}/confirm",
            json={"client_secret": started["client_secret"], "card_number": "4111111111111112"},
            headers=headers,
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unknown_test_card"

    async def test_a_refresh_applies_the_payment_before_its_event(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)
        headers = await _headers(oc, "owner@example.org")
        started = (await _start(client, challenge, headers, "fund-1")).json()
        await client.post(
            f"{API}/processors/local/payments/{started['processor_payment_id']}/confirm",
            json={"client_secret": started["client_secret"], "card_number": "4242424242424242"},
            headers=headers,
        )

        refreshed = await client.post(f"{API}/fundings/{started['id']}/refresh", headers=headers)

        assert refreshed.json()["escrowed"] is True

    async def test_an_over_long_idempotency_key_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)

        response = await _start(
            client, challenge, await _headers(oc, "owner@example.org"), "k" * 201
        )

        assert response.status_code == 422


class TestRefundApi:
    async def test_support_refunds_a_funding(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        await create_user(oc, email="support@example.org", role=Role.SUPPORT)
        challenge = await insert_challenge(oc, owner)
        paid = await fund(oc, await actor_for(oc, "owner@example.org"), challenge)
        headers = await _headers(oc, "support@example.org")

        response = await client.post(
            f"{API}/fundings/{paid.id}/refund",
            json={"reason": "Withdrawn."},
            headers=headers | {"Idempotency-Key": "refund-1"},
        )

        assert response.status_code == 200
        assert response.json()["status"] == "succeeded"
        listed = await client.get(f"{API}/fundings/{paid.id}/refunds", headers=headers)
        assert [r["id"] for r in listed.json()] == [response.json()["id"]]

    async def test_the_challenger_cannot_refund(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)
        paid = await fund(oc, await actor_for(oc, "owner@example.org"), challenge)

        response = await client.post(
            f"{API}/fundings/{paid.id}/refund",
            json={"reason": "Mine."},
            headers=await _headers(oc, "owner@example.org"),
        )

        assert response.status_code == 403
        assert response.json()["code"] == "staff_only"


class TestReceiptsApi:
    async def test_the_payer_downloads_the_receipt(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)
        paid = await fund(oc, await actor_for(oc, "owner@example.org"), challenge)

        response = await client.get(
            f"{API}/payments/{paid.id}/receipt.pdf",
            headers=await _headers(oc, "owner@example.org"),
        )

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert "openchance-receipt-000001.pdf" in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF-")

    async def test_the_history_comes_as_json_and_csv(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(oc, owner)
        await fund(oc, await actor_for(oc, "owner@example.org"), challenge)
        headers = await _headers(oc, "owner@example.org")

        listed = await client.get(f"{API}/me/payments", headers=headers)
        exported = await client.get(f"{API}/me/payments.csv", headers=headers)

        assert [line["kind"] for line in listed.json()["lines"]] == ["funding"]
        assert exported.headers["content-type"].startswith("text/csv")
        assert exported.text.splitlines()[0].startswith("date,kind,status")

    async def test_a_stranger_gets_not_found(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        await create_user(oc, email="stranger@example.org")
        challenge = await insert_challenge(oc, owner)
        paid = await fund(oc, await actor_for(oc, "owner@example.org"), challenge)

        response = await client.get(
            f"{API}/payments/{paid.id}/receipt.pdf",
            headers=await _headers(oc, "stranger@example.org"),
        )

        assert response.status_code == 404
