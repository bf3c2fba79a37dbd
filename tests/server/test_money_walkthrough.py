"""The money of one challenge over the HTTP API, from the fee preview to the solver's
payout, on the local processor with the default funding rule: what a web front end does.
Each step asserts what the user sees; the ledger's invariants hold at the end."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from openchance import Actor, OpenChance, Role
from tests.challenges.drafting import challenge_data
from tests.factories.applications import application_data, bid_data
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer
from tests.support.jobs import drain

Headers = dict[str, str]
PRIZE = {"kind": "fixed", "currency": "EUR", "amount": "1000.00"}


async def headers_for(oc: OpenChance, name: str, role: Role = Role.USER) -> Headers:
    email = f"{name}@example.org"
    await create_user(oc, email=email, display_name=name.title(), role=role)
    token = (await sign_in(oc, email)).token
    assert token is not None
    return bearer(token)


async def ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


class TestMoneyWalkthrough:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        # The default funding rule (money before publishing), without the payout delay.
        return {"escrow_funding_deadline": "before_publish", "payout_delay_hours": 0}

    async def test_from_the_fee_preview_to_the_solvers_bank(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        challenger = await headers_for(oc, "chidi")
        solver = await headers_for(oc, "sofia")
        moderator = await headers_for(oc, "mo", Role.MODERATOR)
        challenge = await ok(
            await client.post(
                f"{API}/challenges", headers=challenger, json=challenge_data(reward=PRIZE)
            )
        )
        url = f"{API}/challenges/{challenge['id']}"

        preview = await ok(await client.get(f"{url}/funding/preview", headers=challenger))
        assert preview["prize_minor"] == 100_000
        assert preview["solver_receives_minor"] == 90_000
        unfunded = await client.post(f"{url}/submit", headers=challenger)
        assert unfunded.json()["code"] == "challenge_not_funded"

        funding = await ok(
            await client.post(
                f"{url}/funding", headers=challenger | {"Idempotency-Key": "fund-once"}
            )
        )
        paid = await ok(
            await client.post(
                f"{API}/processors/local/payments/{funding['processor_payment_id']}/confirm",
                json={"client_secret": funding["client_secret"],
                      "card_number": "4242 4242 4242 4242"},
                headers=challenger,
            )
        )  # fmt: skip
        assert paid["state"] == "succeeded"
        await drain(oc)
        assert (await ok(await client.get(f"{url}/funding", headers=challenger)))["funded"]

        await ok(await client.post(f"{url}/submit", headers=challenger))
        await ok(await client.post(f"{url}/approve", headers=moderator))
        application = await ok(
            await client.post(
                f"{url}/applications", headers=solver,
                json=application_data(bid=bid_data("1000.00")),
            )
        )  # fmt: skip
        await ok(
            await client.post(f"{API}/applications/{application['id']}/accept", headers=challenger)
        )

        [milestone] = await ok(await client.get(f"{url}/milestones", headers=challenger))
        await ok(
            await client.post(
                f"{API}/milestones/{milestone['id']}/submit", headers=solver,
                json={"note": "Delivered: the model and its report."},
            )
        )  # fmt: skip
        released = await ok(
            await client.post(
                f"{API}/milestones/{milestone['id']}/approve",
                headers=challenger | {"Idempotency-Key": "approve-once"},
            )
        )
        assert released["status"] == "released"

        link = await ok(await client.post(f"{API}/me/payout-account", headers=solver, json={}))
        onboarding = urlparse(link["onboarding_url"])
        await ok(
            await client.post(
                onboarding.path,
                json={"token": parse_qs(onboarding.query)["token"][0],
                      "bank_account_number": "000123456789"},
            )
        )  # fmt: skip
        await drain(oc)

        [payout] = await ok(await client.get(f"{API}/me/payouts", headers=solver))
        assert (payout["status"], payout["amount_minor"]) == ("paid", 90_000)
        [seen] = await ok(await client.get(f"{url}/payouts", headers=challenger))
        assert seen["status"] == "paid"
        statement = await client.get(f"{API}/payouts/{payout['id']}/statement.pdf", headers=solver)
        assert statement.content.startswith(b"%PDF")
        [receipt_line] = (await ok(await client.get(f"{API}/me/payments", headers=challenger)))[
            "lines"
        ]
        assert receipt_line["receipt_number"] is not None
        report = await oc.ledger.check_invariants(Actor.system("tests"))
        assert report.ok, report
