"""The payments screen: escrows by state and currency, the open disputes oldest first with
the selected one's detail, the latest fundings; deciding a dispute through the dialog;
refusals are notices, never a crash."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select

from openchance import Actor, OpenChance, Role
from openchance.db.types import Money
from openchance.models.messaging import Conversation, Message
from openchance.models.payments import DisputeOutcome, DisputeStatus
from openchance.payments.dispute_schemas import DisputeOpen, DisputeRead
from openchance.payments.milestone_schemas import MilestoneRead, MilestoneSubmit
from openchance_tui import OpenChanceConsole
from openchance_tui.messages import DisputeDecided, DisputeDecisionRefused
from openchance_tui.modals import DisputeDecisionModal
from openchance_tui.screens import DashboardScreen, PaymentsScreen
from openchance_tui.widgets import DisputeDetailPanel, DisputesTable, FundingsTable
from tests.factories.payments import Winners, accepted_winners, fund
from tests.factories.users import actor_for, create_user
from tests.tui.conftest import MANUAL_REFRESH_SECONDS
from tests.tui.pilots import MessageLog, label_text, settle, settle_on

SYSTEM = Actor.system("tests")
REASON = "The delivered model does not run."


async def delivered(oc: OpenChance) -> tuple[Winners, MilestoneRead]:
    """One winner's funded 1000.00 EUR prize, delivered and waiting for review."""
    winners = await accepted_winners(oc)
    await fund(oc, winners.owner, winners.challenge_id)
    [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
    submitted = await oc.milestones.submit_milestone(
        winners.solvers[0], milestone.id, MilestoneSubmit(note="Done.")
    )
    return winners, submitted


async def disputed(oc: OpenChance, **data: object) -> DisputeRead:
    """The challenger disputes the delivered prize of a fresh challenge."""
    winners, milestone = await delivered(oc)
    complaint = DisputeOpen.model_validate({"reason": REASON, **data})
    return await oc.disputes.open_dispute(winners.owner, milestone.id, complaint)


async def a_message_of(oc: OpenChance, milestone: MilestoneRead) -> uuid.UUID:
    async with oc.unit_of_work(read_only=True) as uow:
        message_id = await uow.session.scalar(
            select(Message.id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.application_id == milestone.application_id)
            .limit(1)
        )
    assert message_id is not None
    return message_id


async def open_payments(pilot: Pilot[None]) -> PaymentsScreen:
    await settle(pilot)
    await pilot.press("p")
    return await settle_on(pilot, PaymentsScreen)


async def open_decision(pilot: Pilot[None]) -> DisputeDecisionModal:
    await pilot.press("e")
    return await settle_on(pilot, DisputeDecisionModal)


async def confirm(pilot: Pilot[None], modal: DisputeDecisionModal) -> None:
    """Enter in the note, as an operator confirms from the keyboard."""
    modal.query_one("#reason", Input).focus()
    await pilot.press("enter")


def choose(modal: DisputeDecisionModal, outcome: DisputeOutcome, note: str) -> None:
    modal.query_one("#outcome", Select).value = outcome
    modal.query_one("#reason", Input).value = note


def listed_disputes(screen: PaymentsScreen) -> list[uuid.UUID]:
    table = screen.query_one(DisputesTable)
    keys = [
        table.coordinate_to_cell_key(Coordinate(row, 0)).row_key for row in range(table.row_count)
    ]
    return [uuid.UUID(key.value) for key in keys if key.value is not None]


def detail_text(screen: PaymentsScreen, key: str) -> str:
    return str(screen.query_one(f"#dispute-{key}", Label).content)


async def staff(oc: OpenChance, role: Role) -> Actor:
    email = f"{role.value}@example.org"
    await create_user(oc, email=email, role=role)
    return await actor_for(oc, email)


def console_for(oc: OpenChance, actor: Actor) -> OpenChanceConsole:
    return OpenChanceConsole(oc, actor=actor, refresh_seconds=MANUAL_REFRESH_SECONDS)


class TestTheQueue:
    async def test_p_lists_the_open_disputes(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test() as pilot:
            screen = await open_payments(pilot)

            table = screen.query_one(DisputesTable)
            assert listed_disputes(screen) == [dispute.id]
            cells = [str(cell) for cell in table.get_row(str(dispute.id))]
            assert cells == ["just now", dispute.challenge_id.hex[:8], REASON]
            assert table.border_subtitle == "1 open"
            assert table.selected_dispute_id == dispute.id

    async def test_the_detail_shows_the_reason_evidence_cited_messages_and_what_remains(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        winners, milestone = await delivered(oc)
        cited = await a_message_of(oc, milestone)
        complaint = DisputeOpen(reason=REASON, evidence="See the logs.", message_ids=[cited])
        dispute = await oc.disputes.open_dispute(winners.owner, milestone.id, complaint)

        async with console.run_test() as pilot:
            screen = await open_payments(pilot)

            assert detail_text(screen, "id") == str(dispute.id)
            assert detail_text(screen, "status") == "open"
            assert detail_text(screen, "reason") == REASON
            assert detail_text(screen, "evidence") == "See the logs."
            assert [
                str(label.content) for label in screen.query(".cited-message").results(Label)
            ] == [str(cited)]
            assert detail_text(screen, "share") == "1000.00 EUR"
            assert detail_text(screen, "remaining") == "1000.00 EUR"

    async def test_r_reloads_it(self, oc: OpenChance, console: OpenChanceConsole) -> None:
        async with console.run_test() as pilot:
            screen = await open_payments(pilot)
            assert listed_disputes(screen) == []
            assert screen.query_one(DisputeDetailPanel).detail is None

            dispute = await disputed(oc)
            await pilot.press("r")
            await settle_on(pilot, PaymentsScreen)

            assert listed_disputes(screen) == [dispute.id]
            assert detail_text(screen, "reason") == REASON

    async def test_coming_back_from_the_dashboard_reloads_it(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        async with console.run_test() as pilot:
            screen = await open_payments(pilot)
            await pilot.press("d")
            await settle_on(pilot, DashboardScreen)

            dispute = await disputed(oc)
            await pilot.press("p")
            assert await settle_on(pilot, PaymentsScreen) is screen

            assert listed_disputes(screen) == [dispute.id]

    async def test_with_no_open_dispute_there_is_nothing_to_decide(
        self, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        async with console.run_test(message_hook=messages) as pilot:
            await open_payments(pilot)
            await pilot.press("e")
            await settle_on(pilot, PaymentsScreen)

            assert [n.message for n in messages.notifications("warning")] == [
                "There is no open dispute to decide."
            ]


class TestEscrowsAndFundings:
    async def test_the_summary_shows_a_funded_escrow(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        winners = await accepted_winners(oc)
        await fund(oc, winners.owner, winners.challenge_id)

        async with console.run_test() as pilot:
            await open_payments(pilot)

            assert label_text(console, "#escrow-funded-eur").split() == [
                "funded",
                "1",
                "1000.00",
                "EUR",
            ]

    async def test_the_summary_shows_a_disputed_escrow_frozen(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        await disputed(oc)

        async with console.run_test() as pilot:
            screen = await open_payments(pilot)

            assert label_text(console, "#escrow-frozen-eur").split()[:2] == ["frozen", "1"]
            assert not screen.query("#escrow-funded-eur")

    async def test_the_latest_fundings_show_what_was_charged_and_escrowed(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        winners = await accepted_winners(oc)
        funding = await fund(oc, winners.owner, winners.challenge_id)

        async with console.run_test() as pilot:
            screen = await open_payments(pilot)

            table = screen.query_one(FundingsTable)
            cells = [str(cell) for cell in table.get_row(str(funding.id))]
            assert funding.total_minor > 100_000  # the prize and the challenger-side fees
            assert cells[1:] == [
                "succeeded",
                Money(funding.total_minor, "EUR").format(),
                "yes",
                "1000.00 EUR",
                winners.challenge_id.hex[:8],
                "prize",
            ]


class TestDecide:
    async def test_e_releases_all_through_the_dialog_and_it_leaves_the_queue(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            modal = await open_decision(pilot)
            assert str(modal.query_one("#modal-title", Label).content) == (
                "Decide the dispute on “The whole prize”"
            )
            # The outcome list opens on enter; the first choice is release all.
            await pilot.press("enter", "down", "enter")
            assert modal.outcome is DisputeOutcome.RELEASE_ALL
            await pilot.press("tab", *"It runs on the stated setup.", "enter")
            await settle_on(pilot, PaymentsScreen)

            seen = await oc.disputes.get_dispute(SYSTEM, dispute.id)
            assert (seen.status, seen.outcome, seen.decision_note) == (
                DisputeStatus.DECIDED,
                DisputeOutcome.RELEASE_ALL,
                "It runs on the stated setup.",
            )
            assert seen.released_minor == 100_000
            assert [m.dispute.id for m in messages.of_type(DisputeDecided)] == [dispute.id]
            assert [(n.title, n.message) for n in messages.notifications("information")] == [
                ("Dispute decided", "Release all: 1000.00 EUR released to the solver.")
            ]
            assert listed_disputes(screen) == []
            assert screen.query_one("#dispute-empty", Label)

    async def test_a_split_that_does_not_add_up_is_refused_with_a_notice_and_stays_open(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            modal = await open_decision(pilot)
            choose(modal, DisputeOutcome.SPLIT, "Half each.")
            modal.query_one("#release-minor", Input).value = "50000"
            modal.query_one("#refund-minor", Input).value = "40000"
            await confirm(pilot, modal)
            await settle_on(pilot, PaymentsScreen)

            assert console.is_running
            [refused] = messages.of_type(DisputeDecisionRefused)
            assert (refused.dispute_id, refused.error.code) == (dispute.id, "split_must_add_up")
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Invalid input", "the parts must add up to what remains: 100000")
            ]
            assert messages.of_type(DisputeDecided) == []
            assert listed_disputes(screen) == [dispute.id]

        assert (await oc.disputes.get_dispute(SYSTEM, dispute.id)).status is DisputeStatus.OPEN

    async def test_a_split_starts_half_and_half_of_what_remains(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test(message_hook=messages) as pilot:
            await open_payments(pilot)
            modal = await open_decision(pilot)
            assert not modal.query_one("#split-fields").has_class("shown")
            choose(modal, DisputeOutcome.SPLIT, "Half each.")
            await pilot.pause()

            assert modal.query_one("#split-fields").has_class("shown")
            assert str(modal.query_one("#remaining", Label).content) == (
                "Outcome for the 1000.00 EUR that remains in escrow (100000 minor units)"
            )
            assert modal.query_one("#release-minor", Input).value == "50000"
            assert modal.query_one("#refund-minor", Input).value == "50000"
            assert str(modal.query_one("#split-hint", Label).content) == (
                "500.00 EUR + 500.00 EUR = 1000.00 EUR of 1000.00 EUR remaining"
            )
            await pilot.click("#confirm")
            await settle_on(pilot, PaymentsScreen)

        seen = await oc.disputes.get_dispute(SYSTEM, dispute.id)
        assert (seen.outcome, seen.released_minor) == (DisputeOutcome.SPLIT, 50_000)
        assert [n.title for n in messages.notifications("information")] == ["Dispute decided"]

    async def test_cancelling_the_dialog_changes_nothing(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            modal = await open_decision(pilot)
            choose(modal, DisputeOutcome.REFUND_ALL, "never mind")
            await pilot.click("#cancel")
            await settle_on(pilot, PaymentsScreen)

            assert messages.of_type(DisputeDecided) == []
            assert messages.of_type(DisputeDecisionRefused) == []
            assert listed_disputes(screen) == [dispute.id]

        assert (await oc.disputes.get_dispute(SYSTEM, dispute.id)).status is DisputeStatus.OPEN


class TestTheDialogRefusesBadInput:
    async def test_no_outcome_or_an_empty_note_keeps_it_open(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test() as pilot:
            await open_payments(pilot)
            modal = await open_decision(pilot)
            await pilot.click("#confirm")
            assert modal.error_message == "Choose an outcome: release all, refund all or split."

            choose(modal, DisputeOutcome.RELEASE_ALL, "   ")
            await confirm(pilot, modal)
            await pilot.pause()
            assert console.screen is modal
            assert modal.error_message == "Note: String should have at least 1 character"

            await pilot.press("escape")
            await settle_on(pilot, PaymentsScreen)

        assert (await oc.disputes.get_dispute(SYSTEM, dispute.id)).status is DisputeStatus.OPEN

    async def test_split_amounts_must_be_whole_numbers_of_minor_units(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        dispute = await disputed(oc)

        async with console.run_test() as pilot:
            await open_payments(pilot)
            modal = await open_decision(pilot)
            choose(modal, DisputeOutcome.SPLIT, "Half each.")
            # Read leniently, 500.00 would be 500 cents: it is refused instead.
            modal.query_one("#release-minor", Input).value = "500.00"
            modal.query_one("#refund-minor", Input).value = "-1"
            await confirm(pilot, modal)
            assert modal.error_message == (
                "Release minor: Input should be a valid integer\n"
                "Refund minor: Input should be greater than or equal to 0"
            )
            assert str(modal.query_one("#split-hint", Label).content) == ""

            modal.query_one("#release-minor", Input).value = ""
            modal.query_one("#refund-minor", Input).value = "100000"
            await confirm(pilot, modal)
            await pilot.pause()
            assert console.screen is modal
            assert modal.error_message == "A split names both parts: the release and the refund."

            await pilot.press("escape")
            await settle_on(pilot, PaymentsScreen)

        assert (await oc.disputes.get_dispute(SYSTEM, dispute.id)).status is DisputeStatus.OPEN


class TestWhoMayDecide:
    async def test_a_user_without_a_staff_role_gets_an_error_notice_not_a_crash(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        await disputed(oc)
        await create_user(oc, email="someone@example.org")
        console = console_for(oc, await actor_for(oc, "someone@example.org"))

        async with console.run_test(message_hook=messages) as pilot:
            await settle(pilot)
            messages.messages.clear()  # the dashboard's job panels refuse them too
            screen = await open_payments(pilot)

            assert console.is_running
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Permission denied", "only staff may do this")
            ]
            assert listed_disputes(screen) == []

    async def test_support_decides_as_themselves(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        dispute = await disputed(oc)
        support = await staff(oc, Role.SUPPORT)

        async with console_for(oc, support).run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            modal = await open_decision(pilot)
            choose(modal, DisputeOutcome.REFUND_ALL, "Not delivered as agreed.")
            await confirm(pilot, modal)
            await settle_on(pilot, PaymentsScreen)

            assert listed_disputes(screen) == []

        seen = await oc.disputes.get_dispute(SYSTEM, dispute.id)
        assert (seen.outcome, seen.decided_by) == (DisputeOutcome.REFUND_ALL, support.user_id)
        assert seen.refunded_minor >= 100_000

    async def test_a_moderator_sees_the_queue_but_may_not_decide(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        dispute = await disputed(oc)
        console = console_for(oc, await staff(oc, Role.MODERATOR))

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            assert listed_disputes(screen) == [dispute.id]
            messages.messages.clear()
            modal = await open_decision(pilot)
            choose(modal, DisputeOutcome.RELEASE_ALL, "Looks fine.")
            await confirm(pilot, modal)
            await settle_on(pilot, PaymentsScreen)

            assert console.is_running
            [refused] = messages.of_type(DisputeDecisionRefused)
            assert refused.error.code == "staff_only"
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Permission denied", "only support and admins decide disputes")
            ]
            assert listed_disputes(screen) == [dispute.id]


class TestReconciliationLine:
    async def test_before_the_first_run_it_says_how_to_run_one(
        self, console: OpenChanceConsole
    ) -> None:
        async with console.run_test() as pilot:
            await open_payments(pilot)

            assert "not run yet" in label_text(console, "#escrow-reconciliation")

    async def test_the_last_run_is_shown(self, oc: OpenChance, console: OpenChanceConsole) -> None:
        await oc.reconciliation.run(Actor.system("tests"))

        async with console.run_test() as pilot:
            await open_payments(pilot)

            assert label_text(console, "#escrow-reconciliation").startswith("reconciliation: ok")
