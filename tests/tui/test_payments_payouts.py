"""The payments screen's payouts: listed with why each waits, held first; support holds the
selected one and releases its hold, each with a reason; refusals are notices that change
nothing."""

from __future__ import annotations

import uuid

from textual.coordinate import Coordinate
from textual.pilot import Pilot

from openchance import Actor, OpenChance, Role
from openchance.models.payouts import PayoutStatus
from openchance.payments.milestone_schemas import MilestoneSubmit
from openchance.payments.payout_schemas import PayoutRead
from openchance_tui import OpenChanceConsole
from openchance_tui.messages import PayoutActionRefused, PayoutHeld, PayoutHoldReleased
from openchance_tui.modals import PayoutHoldModal
from openchance_tui.screens import PaymentsScreen
from openchance_tui.widgets import PayoutsTable
from tests.factories.payments import accepted_winners, fund
from tests.factories.payouts import released_winner
from tests.factories.users import actor_for, create_user
from tests.tui.conftest import MANUAL_REFRESH_SECONDS
from tests.tui.pilots import MessageLog, settle, settle_on

SYSTEM = Actor.system("tests")
HOLD_REASON = "The solver's identity is being checked."


async def owed_payout(oc: OpenChance) -> PayoutRead:
    """The pending 900.00 EUR payout of a fresh challenge's winner (in its security delay)."""
    winners = await released_winner(oc)
    [payout] = await oc.payouts.my_payouts(winners.solvers[0])
    return payout


async def held_payout(oc: OpenChance) -> PayoutRead:
    payout = await owed_payout(oc)
    return await oc.payouts.hold(SYSTEM, payout.id, HOLD_REASON)


async def two_payouts(oc: OpenChance) -> list[PayoutRead]:
    """A winner's two delivered and approved 500.00 EUR milestones, oldest payout first."""
    winners = await accepted_winners(oc, milestones=[("Data", 50_000), ("Model", 50_000)])
    for milestone in await oc.milestones.list_milestones(winners.owner, winners.challenge_id):
        await fund(oc, winners.owner, winners.challenge_id)  # the next milestone
        await oc.milestones.submit_milestone(
            winners.solvers[0], milestone.id, MilestoneSubmit(note="Done.")
        )
        await oc.milestones.approve_milestone(winners.owner, milestone.id)
    return list(reversed(await oc.payouts.my_payouts(winners.solvers[0])))


async def seen(oc: OpenChance, payout_id: uuid.UUID) -> PayoutRead:
    """The payout as staff list it now."""
    [payout] = [p for p in await oc.payouts.list_payouts(SYSTEM) if p.id == payout_id]
    return payout


async def open_payments(pilot: Pilot[None]) -> PaymentsScreen:
    await settle(pilot)
    await pilot.press("p")
    return await settle_on(pilot, PaymentsScreen)


async def answer(pilot: Pilot[None], key: str, reason: str) -> None:
    """Press ``key`` on the screen, type the reason in the dialog and confirm with Enter."""
    await pilot.press(key)
    await settle_on(pilot, PayoutHoldModal)
    await pilot.press(*reason, "enter")
    await settle_on(pilot, PaymentsScreen)


def listed_payouts(screen: PaymentsScreen) -> list[uuid.UUID]:
    table = screen.query_one(PayoutsTable)
    keys = [
        table.coordinate_to_cell_key(Coordinate(row, 0)).row_key for row in range(table.row_count)
    ]
    return [uuid.UUID(key.value) for key in keys if key.value is not None]


def cells(screen: PaymentsScreen, payout_id: uuid.UUID) -> list[str]:
    return [str(cell) for cell in screen.query_one(PayoutsTable).get_row(str(payout_id))]


async def staff_console(oc: OpenChance, role: Role) -> OpenChanceConsole:
    email = f"{role.value}@example.org"
    await create_user(oc, email=email, role=role)
    actor = await actor_for(oc, email)
    return OpenChanceConsole(oc, actor=actor, refresh_seconds=MANUAL_REFRESH_SECONDS)


class TestThePayoutsTable:
    async def test_it_lists_a_pending_payout_and_why_it_waits(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        payout = await owed_payout(oc)

        async with console.run_test() as pilot:
            screen = await open_payments(pilot)

            assert listed_payouts(screen) == [payout.id]
            assert cells(screen, payout.id) == [
                payout.user_id.hex[:8],
                payout.challenge_id.hex[:8],
                "pending",
                "900.00 EUR",
                f"security delay until {payout.available_at:%Y-%m-%d %H:%M} UTC",
            ]
            assert screen.query_one(PayoutsTable).border_subtitle == "0 on hold, 1 shown"

    async def test_the_ones_on_hold_come_first_with_their_reason(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        older, newer = await two_payouts(oc)
        held = await oc.payouts.hold(SYSTEM, older.id, HOLD_REASON)

        async with console.run_test() as pilot:
            screen = await open_payments(pilot)

            assert listed_payouts(screen) == [held.id, newer.id]
            assert cells(screen, held.id)[2:] == ["on hold", "450.00 EUR", f"held: {HOLD_REASON}"]
            assert cells(screen, newer.id)[2] == "pending"
            assert screen.query_one(PayoutsTable).border_subtitle == "1 on hold, 2 shown"


class TestHold:
    async def test_h_holds_the_selected_payout_with_the_reason(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        payout = await owed_payout(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            await answer(pilot, "h", HOLD_REASON)

            on_hold = await oc.payouts.list_payouts(SYSTEM, status=PayoutStatus.ON_HOLD)
            assert [(p.id, p.hold_reason) for p in on_hold] == [(payout.id, HOLD_REASON)]
            assert [m.payout.id for m in messages.of_type(PayoutHeld)] == [payout.id]
            assert [(n.title, n.message) for n in messages.notifications("information")] == [
                (
                    "Payout held",
                    f"The payout of 900.00 EUR to solver {payout.user_id.hex[:8]} is on hold; "
                    "the solver is told why.",
                )
            ]
            assert cells(screen, payout.id)[2] == "on hold"  # reloaded

    async def test_a_too_short_reason_keeps_the_dialog_open_and_changes_nothing(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        payout = await owed_payout(oc)

        async with console.run_test() as pilot:
            await open_payments(pilot)
            await pilot.press("h")
            modal = await settle_on(pilot, PayoutHoldModal)
            await pilot.press(*" x ", "enter")
            await pilot.pause()

            assert console.screen is modal
            assert modal.error_message == "Reason: String should have at least 3 characters"
            await pilot.press("escape")
            await settle_on(pilot, PaymentsScreen)

        assert (await seen(oc, payout.id)).status is PayoutStatus.PENDING

    async def test_holding_one_on_hold_is_refused_with_its_code_and_changes_nothing(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        payout = await held_payout(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            await answer(pilot, "h", "Hold it again.")

            assert console.is_running
            [refused] = messages.of_type(PayoutActionRefused)
            assert (refused.payout_id, refused.error.code) == (payout.id, "payout_on_hold")
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Conflict", "the payout is on hold already (payout_on_hold)")
            ]
            assert cells(screen, payout.id)[2:] == ["on hold", "900.00 EUR", f"held: {HOLD_REASON}"]

        now = await seen(oc, payout.id)
        assert (now.status, now.hold_reason, now.held_at) == (
            PayoutStatus.ON_HOLD,
            HOLD_REASON,
            payout.held_at,
        )


class TestReleaseHold:
    async def test_l_releases_a_held_payout_and_it_is_pending_again(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        payout = await held_payout(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            await answer(pilot, "l", "Identity confirmed.")

            now = await seen(oc, payout.id)
            assert (now.status, now.hold_reason) == (PayoutStatus.PENDING, None)
            assert [m.payout.id for m in messages.of_type(PayoutHoldReleased)] == [payout.id]
            assert [n.title for n in messages.notifications("information")] == ["Hold released"]
            assert cells(screen, payout.id)[2] == "pending"  # reloaded
            assert screen.query_one(PayoutsTable).border_subtitle == "0 on hold, 1 shown"


class TestWhoMayHold:
    async def test_a_moderator_sees_the_payouts_but_is_refused_a_hold(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        payout = await owed_payout(oc)
        console = await staff_console(oc, Role.MODERATOR)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_payments(pilot)
            assert listed_payouts(screen) == [payout.id]
            messages.messages.clear()
            await answer(pilot, "h", HOLD_REASON)

            assert console.is_running
            [refused] = messages.of_type(PayoutActionRefused)
            assert refused.error.code == "staff_only"
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Permission denied", "only support and admins hold payouts (staff_only)")
            ]
            assert messages.of_type(PayoutHeld) == []

        assert (await seen(oc, payout.id)).status is PayoutStatus.PENDING
