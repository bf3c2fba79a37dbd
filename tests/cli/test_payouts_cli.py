"""``openchance payments payouts|hold|release-hold``: staff see payouts and hold them."""

from __future__ import annotations

import json
import uuid

from openchance import OpenChance, Settings
from tests.cli.conftest import Invoke, on_platform
from tests.factories.payouts import released_winner


async def _a_payout(oc: OpenChance) -> uuid.UUID:
    winners = await released_winner(oc)
    [payout] = await oc.payouts.my_payouts(winners.solvers[0])
    return payout.id


class TestPayoutsCli:
    def test_payouts_lists_them(self, invoke: Invoke, settings: Settings) -> None:
        on_platform(settings, _a_payout)

        result = invoke("payments", "payouts")

        assert result.exit_code == 0, result.output
        assert "pending" in result.stdout

    def test_payouts_as_json_say_why_they_wait(self, invoke: Invoke, settings: Settings) -> None:
        on_platform(settings, _a_payout)

        result = invoke("payments", "payouts", "--status", "pending", "--json")

        [payout] = json.loads(result.stdout)
        assert payout["waiting_for"] == "delay"

    def test_hold_then_release_hold(self, invoke: Invoke, settings: Settings) -> None:
        payout_id = on_platform(settings, _a_payout)

        held = invoke("payments", "hold", str(payout_id), "--reason", "Checking it.", "--json")
        released = invoke(
            "payments", "release-hold", str(payout_id), "--reason", "It is fine.", "--json"
        )

        assert held.exit_code == 0, held.output
        assert json.loads(held.stdout)["status"] == "on_hold"
        assert json.loads(released.stdout)["status"] == "pending"

    def test_releasing_a_payout_not_held_fails_with_its_code(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        payout_id = on_platform(settings, _a_payout)

        result = invoke("payments", "release-hold", str(payout_id), "--reason", "Nothing.")

        assert result.exit_code != 0
        assert "payout_not_on_hold" in result.output
