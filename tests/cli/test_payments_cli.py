"""``openchance payments check``: every invariant, ok or with its violations, and the exit code."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import text

from openchance import Actor, OpenChance, Settings
from tests.cli.conftest import Invoke, on_platform
from tests.factories.challenges import insert_challenge
from tests.factories.ledger import deposit, escrow, funding, move, post
from tests.factories.payments import fund
from tests.factories.users import actor_for, create_user

ACTOR = Actor.system("tests")


async def _some_ledger(oc: OpenChance) -> None:
    challenger = funding()
    await deposit(oc, challenger, 1_000)
    await post(oc, move(challenger, escrow(), 400))


async def _corrupt_a_cached_balance(oc: OpenChance) -> None:
    async with oc.engine.begin() as connection:
        await connection.execute(
            text("UPDATE ledger_accounts SET balance_minor = 7 WHERE purpose = 'escrow'")
        )


class TestPaymentsCheck:
    def test_a_clean_ledger_passes(self, invoke: Invoke, settings: Settings) -> None:
        on_platform(settings, _some_ledger)

        result = invoke("payments", "check")

        assert result.exit_code == 0, result.output
        assert "cached_balances_match_postings: ok" in result.stdout
        assert "ledger: ok" in result.stdout

    def test_an_empty_ledger_passes(self, invoke: Invoke) -> None:
        result = invoke("payments", "check", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["ok"] is True

    def test_a_corrupted_balance_fails_and_is_listed(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        on_platform(settings, _some_ledger)
        on_platform(settings, _corrupt_a_cached_balance)

        result = invoke("payments", "check")

        assert result.exit_code == 1
        assert "cached_balances_match_postings: 1 violation(s)" in result.stdout
        assert "cached balance 7, postings sum to 400" in result.stdout

    def test_the_json_report_names_the_violation(self, invoke: Invoke, settings: Settings) -> None:
        on_platform(settings, _some_ledger)
        on_platform(settings, _corrupt_a_cached_balance)

        result = invoke("payments", "check", "--json")

        report = json.loads(result.stdout)
        assert result.exit_code == 1
        assert report["ok"] is False
        broken = [check for check in report["checks"] if not check["ok"]]
        assert [check["name"] for check in broken] == ["cached_balances_match_postings"]
        assert broken[0]["violations"][0]["detail"] == "cached balance 7, postings sum to 400"


class TestPaymentsPreview:
    def test_json_output_is_the_breakdown(self, invoke: Invoke, settings: Settings) -> None:
        async def arrange(oc: OpenChance) -> str:
            owner = await create_user(oc)
            return str(await insert_challenge(oc, owner, reward_min_minor=100_000))

        challenge = on_platform(settings, arrange)

        result = invoke("payments", "preview", challenge, "--json")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert body["total_charged_minor"] == 106_600
        assert body["solver_receives_minor"] == 90_000

    def test_human_output_lists_each_milestone(self, invoke: Invoke, settings: Settings) -> None:
        async def arrange(oc: OpenChance) -> str:
            owner = await create_user(oc)
            return str(
                await insert_challenge(
                    oc, owner, milestones=[("Prototype", 30_000), ("Final model", 70_000)]
                )
            )

        challenge = on_platform(settings, arrange)

        result = invoke("payments", "preview", challenge)

        assert result.exit_code == 0, result.output
        assert "total charged: 1066.00 EUR" in result.stdout
        assert "Prototype" in result.stdout
        assert "Final model" in result.stdout
        assert "270.00 EUR" in result.stdout  # the first milestone's 300.00 less the 10 % fee

    def test_human_output_lists_each_winner_of_a_split_prize(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        async def arrange(oc: OpenChance) -> str:
            owner = await create_user(oc)
            return str(
                await insert_challenge(
                    oc, owner, reward_min_minor=100_000, winners=2, prize_split=[70, 30]
                )
            )

        challenge = on_platform(settings, arrange)

        result = invoke("payments", "preview", challenge)

        assert result.exit_code == 0, result.output
        assert "70 %" in result.stdout
        assert "630.00 EUR" in result.stdout  # 700.00 less the 10 % solver fee
        assert "270.00 EUR" in result.stdout


async def _funded_challenge(oc: OpenChance) -> tuple[str, str]:
    owner = await create_user(oc, email="owner@example.org")
    challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)
    paid = await fund(oc, await actor_for(oc, "owner@example.org"), challenge)
    return str(challenge), str(paid.id)


class TestPaymentsList:
    def test_json_lists_the_fundings(self, invoke: Invoke, settings: Settings) -> None:
        challenge, funding_id = on_platform(settings, _funded_challenge)

        result = invoke("payments", "list", "--json")

        assert result.exit_code == 0, result.output
        [row] = json.loads(result.stdout)
        assert (row["id"], row["challenge_id"]) == (funding_id, challenge)
        assert row["status"] == "succeeded"

    def test_a_status_filter_leaves_out_the_others(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        on_platform(settings, _funded_challenge)

        result = invoke("payments", "list", "--status", "pending", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == []


class TestPaymentsShow:
    def test_human_output_shows_the_charge(self, invoke: Invoke, settings: Settings) -> None:
        _, funding_id = on_platform(settings, _funded_challenge)

        result = invoke("payments", "show", funding_id)

        assert result.exit_code == 0, result.output
        assert "total charged: 1066.00 EUR" in result.stdout
        assert "escrowed: yes" in result.stdout

    def test_an_unknown_funding_exits_with_not_found(self, invoke: Invoke) -> None:
        result = invoke("payments", "show", "00000000-0000-0000-0000-000000000000")

        assert result.exit_code == 3
        assert "error (not_found): funding" in result.output


class TestPaymentsEscrow:
    def test_json_shows_the_snapshotted_policy(self, invoke: Invoke, settings: Settings) -> None:
        challenge, _ = on_platform(settings, _funded_challenge)

        result = invoke("payments", "escrow", challenge, "--json")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert body["funded"] is True
        assert body["fee_policy"]["challenger_fee_bps"] == 500
        assert len(body["fundings"]) == 1


class TestPaymentsRefund:
    def test_a_funding_is_refunded_to_the_card(self, invoke: Invoke, settings: Settings) -> None:
        _, funding_id = on_platform(settings, _funded_challenge)

        result = invoke("payments", "refund", funding_id, "--reason", "Withdrawn.", "--json")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert body["status"] == "succeeded"
        assert (
            body["amount_minor"] == 105_000
        )  # prize and challenger fee; the processor keeps its fee

    def test_a_second_refund_has_nothing_left(self, invoke: Invoke, settings: Settings) -> None:
        _, funding_id = on_platform(settings, _funded_challenge)
        invoke("payments", "refund", funding_id, "--reason", "Withdrawn.")

        result = invoke("payments", "refund", funding_id, "--reason", "Again.")

        assert result.exit_code != 0
        assert "nothing_to_refund" in result.output


class TestPaymentsReconcile:
    def test_a_matching_ledger_exits_0(self, invoke: Invoke, settings: Settings) -> None:
        on_platform(settings, _funded_challenge)

        result = invoke("payments", "reconcile", "--json")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert (body["ok"], body["payments_checked"]) == (True, 1)

    def test_a_mismatch_exits_1_and_is_listed(self, invoke: Invoke, settings: Settings) -> None:
        async def refund_by_hand(oc: OpenChance) -> None:
            _, funding_id = await _funded_challenge(oc)
            funding = await oc.escrow.get_funding(ACTOR, uuid.UUID(funding_id))
            assert funding.processor_payment_id is not None
            await oc.local_processor.create_refund(
                payment_id=funding.processor_payment_id, amount_minor=500,
                idempotency_key="by-hand", metadata={},
            )  # fmt: skip

        on_platform(settings, refund_by_hand)

        result = invoke("payments", "reconcile")

        assert result.exit_code == 1
        assert "refund_unknown" in result.stdout
