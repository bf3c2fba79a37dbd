"""POST /api/v1/milestones/{id}/disputes, GET /api/v1/disputes[/{id}], POST …/decision."""

from __future__ import annotations

import httpx

from openchance import OpenChance
from openchance.actor import Role
from openchance.payments.milestone_schemas import MilestoneSubmit
from tests.factories.payments import accepted_winners, fund
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer


async def _headers(oc: OpenChance, email: str) -> dict[str, str]:
    result = await sign_in(oc, email)
    assert result.token is not None
    return bearer(result.token)


async def _delivered_milestone(oc: OpenChance) -> str:
    winners = await accepted_winners(oc)
    await fund(oc, winners.owner, winners.challenge_id)
    [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
    await oc.milestones.submit_milestone(
        winners.solvers[0], milestone.id, MilestoneSubmit(note="Done.")
    )
    return str(milestone.id)


class TestDisputesApi:
    async def test_a_party_opens_and_support_decides(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        milestone = await _delivered_milestone(oc)
        await create_user(oc, email="support@example.org", role=Role.SUPPORT)
        support = await _headers(oc, "support@example.org")

        opened = await client.post(
            f"{API}/milestones/{milestone}/disputes",
            json={"reason": "Not what we agreed."},
            headers=await _headers(oc, "owner@example.org"),
        )
        queue = await client.get(f"{API}/disputes", params={"status": "open"}, headers=support)
        decided = await client.post(
            f"{API}/disputes/{opened.json()['id']}/decision",
            json={"outcome": "split", "release_minor": 50_000, "refund_minor": 50_000,
                  "note": "Half was delivered."},
            headers=support,
        )  # fmt: skip

        assert opened.status_code == 201
        assert [d["id"] for d in queue.json()] == [opened.json()["id"]]
        assert decided.status_code == 200
        assert decided.json()["outcome"] == "split"
        assert decided.json()["released_minor"] == 50_000

    async def test_a_solver_cannot_decide(self, oc: OpenChance, client: httpx.AsyncClient) -> None:
        milestone = await _delivered_milestone(oc)
        solver = await _headers(oc, "solver1@example.org")
        opened = await client.post(
            f"{API}/milestones/{milestone}/disputes", json={"reason": "Unpaid."}, headers=solver
        )

        response = await client.post(
            f"{API}/disputes/{opened.json()['id']}/decision",
            json={"outcome": "release_all", "note": "Mine."},
            headers=solver,
        )

        assert response.status_code == 403
        assert response.json()["code"] == "staff_only"

    async def test_a_stranger_cannot_read_a_dispute(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        milestone = await _delivered_milestone(oc)
        opened = await client.post(
            f"{API}/milestones/{milestone}/disputes",
            json={"reason": "Not what we agreed."},
            headers=await _headers(oc, "owner@example.org"),
        )
        await create_user(oc, email="stranger@example.org")

        response = await client.get(
            f"{API}/disputes/{opened.json()['id']}",
            headers=await _headers(oc, "stranger@example.org"),
        )

        assert response.status_code == 404
