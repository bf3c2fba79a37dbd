"""``openchance disputes list|show|decide``."""

from __future__ import annotations

import json

from openchance import OpenChance, Settings
from openchance.payments.dispute_schemas import DisputeOpen
from openchance.payments.milestone_schemas import MilestoneSubmit
from tests.cli.conftest import Invoke, on_platform
from tests.factories.payments import accepted_winners, fund


async def _open_dispute(oc: OpenChance) -> str:
    winners = await accepted_winners(oc)
    await fund(oc, winners.owner, winners.challenge_id)
    [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
    await oc.milestones.submit_milestone(
        winners.solvers[0], milestone.id, MilestoneSubmit(note="Done.")
    )
    dispute = await oc.disputes.open_dispute(
        winners.owner, milestone.id, DisputeOpen(reason="It does not run.")
    )
    return str(dispute.id)


class TestDisputesCli:
    def test_the_queue_lists_the_open_dispute(self, invoke: Invoke, settings: Settings) -> None:
        dispute_id = on_platform(settings, _open_dispute)

        result = invoke("disputes", "list", "--status", "open", "--json")

        assert result.exit_code == 0, result.output
        assert [d["id"] for d in json.loads(result.stdout)] == [dispute_id]

    def test_show_prints_the_reason(self, invoke: Invoke, settings: Settings) -> None:
        dispute_id = on_platform(settings, _open_dispute)

        result = invoke("disputes", "show", dispute_id)

        assert result.exit_code == 0, result.output
        assert "reason: It does not run." in result.stdout

    def test_decide_releases_to_the_solver(self, invoke: Invoke, settings: Settings) -> None:
        dispute_id = on_platform(settings, _open_dispute)

        result = invoke(
            "disputes", "decide", dispute_id, "--outcome", "release_all",
            "--note", "The work matches the brief.", "--json",
        )  # fmt: skip

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert (body["status"], body["released_minor"]) == ("decided", 100_000)

    def test_a_split_that_does_not_add_up_is_refused(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        dispute_id = on_platform(settings, _open_dispute)

        result = invoke(
            "disputes", "decide", dispute_id, "--outcome", "split", "--release", "10",
            "--refund", "10", "--note", "Half.",
        )  # fmt: skip

        assert result.exit_code != 0
        assert "split_must_add_up" in result.output
