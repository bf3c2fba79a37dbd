"""The moderation queue: challenges pending review, longest waiting first; read one, approve
it, or send it back to draft with a reason its challenger sees; refusals are notices, never
a crash."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Input, Label, Markdown

from openchance import Actor, OpenChance, Role
from openchance.challenges.schemas import MAX_NOTE_LENGTH, ChallengeRead
from openchance.db.types import utcnow
from openchance.models.challenges import ChallengeStatus
from openchance.moderation.audit import AuditEntryRead, AuditFilter
from openchance_tui import OpenChanceConsole
from openchance_tui.messages import (
    ChallengeApproved,
    ChallengeRejected,
    ReviewAction,
    ReviewActionRefused,
)
from openchance_tui.modals import ChallengeRejectionModal
from openchance_tui.screens import ChallengesReviewScreen, DashboardScreen
from openchance_tui.widgets import ChallengeDetailPanel, ReviewQueueTable
from tests.challenges.drafting import draft, opened, person, set_columns
from tests.factories.documents import CSV, pdf_bytes
from tests.tui.conftest import MANUAL_REFRESH_SECONDS
from tests.tui.pilots import MessageLog, settle, settle_on

SYSTEM = Actor.system("tests")


async def pending(
    oc: OpenChance, owner: Actor, *, waiting: timedelta = timedelta(hours=1), **overrides: Any
) -> ChallengeRead:
    """A draft submitted for review ``waiting`` ago."""
    challenge = await draft(oc, owner, **overrides)
    submitted = await oc.challenges.submit_challenge(owner, challenge.id)
    assert submitted.status is ChallengeStatus.PENDING_REVIEW
    await set_columns(oc, challenge.id, submitted_at=utcnow() - waiting)
    return submitted


async def open_moderation(pilot: Pilot[None]) -> ChallengesReviewScreen:
    await settle(pilot)
    await pilot.press("m")
    return await settle_on(pilot, ChallengesReviewScreen)


async def select_challenge(
    pilot: Pilot[None], screen: ChallengesReviewScreen, challenge_id: uuid.UUID
) -> None:
    table = screen.query_one(ReviewQueueTable)
    table.move_cursor(row=table.get_row_index(str(challenge_id)))
    await settle_on(pilot, ChallengesReviewScreen)


def listed_titles(screen: ChallengesReviewScreen) -> list[str]:
    table = screen.query_one(ReviewQueueTable)
    return [str(table.get_cell_at(Coordinate(row, 1))) for row in range(table.row_count)]


def detail_text(screen: ChallengesReviewScreen, key: str) -> str:
    return str(screen.query_one(f"#detail-{key}", Label).content)


def texts(screen: ChallengesReviewScreen, selector: str) -> list[str]:
    return [str(label.content) for label in screen.query(selector).results(Label)]


async def status_of(oc: OpenChance, challenge_id: uuid.UUID) -> ChallengeStatus:
    return (await oc.challenges.get_challenge(SYSTEM, challenge_id)).status


async def audit_about(oc: OpenChance, challenge_id: uuid.UUID) -> list[AuditEntryRead]:
    return await oc.audit.list_entries(SYSTEM, AuditFilter(target_id=str(challenge_id)))


def console_for(oc: OpenChance, actor: Actor) -> OpenChanceConsole:
    return OpenChanceConsole(oc, actor=actor, refresh_seconds=MANUAL_REFRESH_SECONDS)


class TestTheQueue:
    async def test_m_lists_the_challenges_pending_review_longest_waiting_first(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        ada = await person(oc, "ada")
        moderator = await person(oc, "mo", Role.MODERATOR)
        recent = await pending(oc, ada, title="Label bird songs", waiting=timedelta(minutes=25))
        oldest = await pending(
            oc,
            ada,
            title="Forecast bakery demand",
            waiting=timedelta(days=3, hours=2),
            reward={"kind": "range", "currency": "USD", "min": "1000.00", "max": "2500.50"},
        )
        await draft(oc, ada, title="Still a draft")
        await opened(oc, ada, moderator, title="Already open")

        async with console.run_test() as pilot:
            screen = await open_moderation(pilot)

            assert listed_titles(screen) == ["Forecast bakery demand", "Label bird songs"]
            table = screen.query_one(ReviewQueueTable)
            cells = [str(cell) for cell in table.get_row(str(oldest.id))]
            assert cells == [
                "3d 2h ago",
                "Forecast bakery demand",
                "Data science & AI",
                "1000.00 - 2500.50 USD",
                oldest.deadline.strftime("%Y-%m-%d"),
                "Ada",
            ]
            assert str(table.get_row(str(recent.id))[0]) == "25m ago"
            assert table.border_subtitle == "2 waiting"
            assert table.selected_challenge_id == oldest.id

    async def test_the_detail_panel_shows_the_selected_challenge_with_its_attachments(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        ada = await person(oc, "ada")
        first = await pending(oc, ada, title="Forecast bakery demand", waiting=timedelta(days=1))
        steps = [
            {"title": "Prototype", "amount": "500.00"},
            {"title": "Pilot", "description": "Two weeks in one shop", "amount_minor": 150000},
        ]
        second = await draft(
            oc,
            ada,
            title="Design a delivery app",
            description="# Brief\n\nA **mobile** app, [mock-ups](https://example.org/m).",
            category="design",
            skills=["Figma", "UX research"],
            reward={"kind": "milestones", "currency": "EUR", "milestones": steps},
            visibility="private",
            ip_terms="assignment",
            terms="Deliver the Figma source files.",
        )
        pdf = await oc.challenge_attachments.add_attachment(ada, second.id, pdf_bytes(), "a.pdf")
        csv = await oc.challenge_attachments.add_attachment(ada, second.id, CSV, "sales.csv")
        await oc.challenges.submit_challenge(ada, second.id)

        async with console.run_test() as pilot:
            screen = await open_moderation(pilot)
            assert detail_text(screen, "id") == str(first.id)
            assert texts(screen, ".attachment") == []

            await select_challenge(pilot, screen, second.id)

            assert detail_text(screen, "title") == "Design a delivery app"
            assert detail_text(screen, "status") == "pending_review"
            assert detail_text(screen, "challenger") == "Ada"
            assert detail_text(screen, "category") == "Design"
            assert detail_text(screen, "skills") == "figma, ux-research"
            assert detail_text(screen, "visibility") == "private"
            assert detail_text(screen, "reward") == "2000.00 EUR (milestones)"
            assert detail_text(screen, "ip-terms") == "assignment"
            assert detail_text(screen, "terms") == "Deliver the Figma source files."
            description = screen.query_one("#detail-description", Markdown)
            assert description.source == second.description
            assert texts(screen, ".milestone") == [
                "1. Prototype  500.00 EUR",
                "2. Pilot  1500.00 EUR\n   Two weeks in one shop",
            ]
            assert texts(screen, ".attachment") == [
                f"a.pdf  application/pdf  {pdf.size_bytes / 1024:.1f} KB",
                f"sales.csv  {csv.content_type}  {len(CSV)} B",
            ]
            assert texts(screen, ".section-empty") == ["none"]  # no clarifications yet

    async def test_r_reloads_the_queue(self, oc: OpenChance, console: OpenChanceConsole) -> None:
        async with console.run_test() as pilot:
            screen = await open_moderation(pilot)
            assert listed_titles(screen) == []
            assert screen.query_one(ChallengeDetailPanel).detail is None

            challenge = await pending(oc, await person(oc), title="Label bird songs")
            await pilot.press("r")
            await settle_on(pilot, ChallengesReviewScreen)

            assert listed_titles(screen) == ["Label bird songs"]
            assert detail_text(screen, "id") == str(challenge.id)

    async def test_coming_back_from_the_dashboard_reloads_it(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        async with console.run_test() as pilot:
            screen = await open_moderation(pilot)
            await pilot.press("d")
            await settle_on(pilot, DashboardScreen)

            await pending(oc, await person(oc), title="Label bird songs")
            await pilot.press("m")
            assert await settle_on(pilot, ChallengesReviewScreen) is screen

            assert listed_titles(screen) == ["Label bird songs"]

    async def test_with_an_empty_queue_there_is_nothing_to_review(
        self, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        async with console.run_test(message_hook=messages) as pilot:
            await open_moderation(pilot)
            await pilot.press("a")
            await pilot.press("x")
            await settle_on(pilot, ChallengesReviewScreen)

            assert messages.of_type(ReviewActionRefused) == []
            assert [n.message for n in messages.notifications("warning")] == [
                "There is no challenge to review.",
                "There is no challenge to review.",
            ]


class TestApprove:
    async def test_a_opens_the_selected_challenge_and_it_leaves_the_queue(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        ada = await person(oc)
        first = await pending(oc, ada, title="Forecast bakery demand", waiting=timedelta(days=2))
        second = await pending(oc, ada, title="Label bird songs")

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_moderation(pilot)
            await pilot.press("a")
            await settle_on(pilot, ChallengesReviewScreen)

            assert await status_of(oc, first.id) is ChallengeStatus.OPEN
            [entry] = await audit_about(oc, first.id)
            assert (entry.action, entry.actor_label) == ("challenge.approve", "console")
            assert [message.challenge.id for message in messages.of_type(ChallengeApproved)] == [
                first.id
            ]
            assert [(n.title, n.message) for n in messages.notifications("information")] == [
                (
                    "Challenge approved",
                    "“Forecast bakery demand” is open: solvers can find it and apply.",
                )
            ]
            assert listed_titles(screen) == ["Label bird songs"]
            assert screen.query_one(ReviewQueueTable).selected_challenge_id == second.id
            assert detail_text(screen, "id") == str(second.id)
            assert await status_of(oc, second.id) is ChallengeStatus.PENDING_REVIEW

    async def test_a_moderator_approves_as_themselves(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        challenge = await pending(oc, await person(oc))
        moderator = await person(oc, "mo", Role.MODERATOR)
        assert moderator.user_id is not None

        async with console_for(oc, moderator).run_test(message_hook=messages) as pilot:
            screen = await open_moderation(pilot)
            await pilot.press("a")
            await settle_on(pilot, ChallengesReviewScreen)

            assert await status_of(oc, challenge.id) is ChallengeStatus.OPEN
            [entry] = await audit_about(oc, challenge.id)
            assert (entry.action, entry.actor_user_id) == ("challenge.approve", moderator.user_id)
            assert listed_titles(screen) == []
            assert screen.query_one("#detail-empty", Label)

    async def test_a_challenge_decided_meanwhile_is_refused_with_a_notice_and_reloaded(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        challenge = await pending(oc, await person(oc))

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_moderation(pilot)
            await oc.challenges.approve_challenge(SYSTEM, challenge.id)
            await pilot.press("a")
            await settle_on(pilot, ChallengesReviewScreen)

            assert console.is_running
            [refused] = messages.of_type(ReviewActionRefused)
            assert (refused.action, refused.challenge_id) == (ReviewAction.APPROVE, challenge.id)
            assert refused.error.code == "invalid_transition"
            [notice] = messages.notifications("error")
            assert notice.title == "Conflict"
            assert messages.of_type(ChallengeApproved) == []
            assert listed_titles(screen) == []


class TestReject:
    async def test_x_sends_it_back_to_draft_with_the_reason_typed(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        challenge = await pending(oc, await person(oc), title="Forecast bakery demand")

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_moderation(pilot)
            await pilot.press("x")
            modal = await settle_on(pilot, ChallengeRejectionModal)
            assert str(modal.query_one("#modal-title", Label).content) == (
                "Send “Forecast bakery demand” back to its challenger"
            )
            await pilot.press(*"Name the data licence")
            await pilot.press("enter")
            await settle_on(pilot, ChallengesReviewScreen)

            seen = await oc.challenges.get_challenge(SYSTEM, challenge.id)
            assert (seen.status, seen.review_note) == (
                ChallengeStatus.DRAFT,
                "Name the data licence",
            )
            [entry] = await audit_about(oc, challenge.id)
            assert (entry.action, entry.reason) == ("challenge.reject", "Name the data licence")
            assert [message.challenge.id for message in messages.of_type(ChallengeRejected)] == [
                challenge.id
            ]
            assert [n.title for n in messages.notifications("information")] == [
                "Challenge sent back"
            ]
            assert listed_titles(screen) == []

    async def test_cancelling_the_dialog_changes_nothing(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        challenge = await pending(oc, await person(oc), title="Forecast bakery demand")

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_moderation(pilot)
            await pilot.press("x")
            await settle_on(pilot, ChallengeRejectionModal)
            await pilot.press(*"never mind")
            await pilot.press("escape")
            await settle_on(pilot, ChallengesReviewScreen)

            assert await status_of(oc, challenge.id) is ChallengeStatus.PENDING_REVIEW
            assert await audit_about(oc, challenge.id) == []
            assert messages.of_type(ChallengeRejected) == []
            assert messages.of_type(ReviewActionRefused) == []
            assert listed_titles(screen) == ["Forecast bakery demand"]

    async def test_an_empty_reason_keeps_the_dialog_open(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        challenge = await pending(oc, await person(oc))

        async with console.run_test() as pilot:
            await open_moderation(pilot)
            await pilot.press("x")
            modal = await settle_on(pilot, ChallengeRejectionModal)
            await pilot.press("enter")
            assert modal.error_message == "Reason: String should have at least 1 character"

            await pilot.press(*"   ")
            await pilot.click("#confirm")
            await pilot.pause()
            assert console.screen is modal
            assert modal.error_message == "Reason: String should have at least 1 character"

            await pilot.click("#cancel")
            await settle_on(pilot, ChallengesReviewScreen)

        assert await status_of(oc, challenge.id) is ChallengeStatus.PENDING_REVIEW

    async def test_the_reason_is_as_long_as_a_rejection_allows(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        await pending(oc, await person(oc))

        async with console.run_test() as pilot:
            await open_moderation(pilot)
            await pilot.press("x")
            modal = await settle_on(pilot, ChallengeRejectionModal)

            assert modal.query_one("#reason", Input).max_length == MAX_NOTE_LENGTH
            assert "the challenger reads this" in str(modal.query_one(".field-label").render())


class TestWhoMayReview:
    async def test_a_user_without_a_staff_role_gets_an_error_notice_not_a_crash(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        await pending(oc, await person(oc))
        solver = await person(oc, "sol")

        console = console_for(oc, solver)
        async with console.run_test(message_hook=messages) as pilot:
            await settle(pilot)
            messages.messages.clear()  # the dashboard's job panels refuse them too
            screen = await open_moderation(pilot)
            await pilot.press("a")
            await settle_on(pilot, ChallengesReviewScreen)

            assert console.is_running
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Permission denied", "only staff may do this")
            ]
            assert listed_titles(screen) == []
            assert messages.of_type(ReviewActionRefused) == []

    async def test_support_staff_see_the_queue_but_may_not_decide(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        challenge = await pending(oc, await person(oc), title="Forecast bakery demand")
        support = await person(oc, "sue", Role.SUPPORT)

        console = console_for(oc, support)
        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_moderation(pilot)
            assert listed_titles(screen) == ["Forecast bakery demand"]
            messages.messages.clear()
            await pilot.press("a")
            await settle_on(pilot, ChallengesReviewScreen)

            assert console.is_running
            [refused] = messages.of_type(ReviewActionRefused)
            assert (refused.action, refused.error.code) == (
                ReviewAction.APPROVE,
                "permission_denied",
            )
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Permission denied", "only moderators and admins review challenges")
            ]
            assert listed_titles(screen) == ["Forecast bakery demand"]

        assert await status_of(oc, challenge.id) is ChallengeStatus.PENDING_REVIEW
