"""/api/v1/milestones/{id}/…, /api/v1/challenges/{id}/milestones and /api/v1/me/balance."""

from __future__ import annotations

import httpx

from openchance import OpenChance
from tests.factories.payments import accepted_winners, fund
from tests.factories.users import sign_in
from tests.server.accounts import API, bearer


async def _headers(oc: OpenChance, email: str) -> dict[str, str]:
    result = await sign_in(oc, email)
    assert result.token is not None
    return bearer(result.token)


class TestMilestonesApi:
    async def test_a_winner_delivers_and_the_challenger_approves(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await accepted_winners(oc)
        await fund(oc, winners.owner, winners.challenge_id)
        owner = await _headers(oc, "owner@example.org")
        solver = await _headers(oc, "solver1@example.org")
        [milestone] = (
            await client.get(f"{API}/challenges/{winners.challenge_id}/milestones", headers=owner)
        ).json()

        submitted = await client.post(
            f"{API}/milestones/{milestone['id']}/submit", json={"note": "Done."}, headers=solver
        )
        approved = await client.post(
            f"{API}/milestones/{milestone['id']}/approve",
            headers=owner | {"Idempotency-Key": "approve-1"},
        )

        assert submitted.json()["status"] == "submitted"
        assert approved.status_code == 200
        assert approved.json()["status"] == "released"
        balance = (await client.get(f"{API}/me/balance", headers=solver)).json()
        assert balance["lines"] == [
            {"purpose": "solver_payable", "currency": "EUR", "balance_minor": 90_000}
        ]

    async def test_the_solver_cannot_approve(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await accepted_winners(oc)
        await fund(oc, winners.owner, winners.challenge_id)
        solver = await _headers(oc, "solver1@example.org")
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)

        response = await client.post(f"{API}/milestones/{milestone.id}/approve", headers=solver)

        assert response.status_code == 403
        assert response.json()["code"] == "not_challenge_owner"

    async def test_a_partial_release_over_the_remainder_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await accepted_winners(oc)
        await fund(oc, winners.owner, winners.challenge_id)
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)

        response = await client.post(
            f"{API}/milestones/{milestone.id}/release",
            json={"amount_minor": 100_001},
            headers=await _headers(oc, "owner@example.org"),
        )

        assert response.status_code == 422
        assert response.json()["code"] == "amount_exceeds_remaining"

    async def test_an_empty_delivery_note_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        winners = await accepted_winners(oc)
        [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)

        response = await client.post(
            f"{API}/milestones/{milestone.id}/submit",
            json={"note": ""},
            headers=await _headers(oc, "solver1@example.org"),
        )

        assert response.status_code == 422
