"""The users screen: list and search accounts, see one, suspend, unsuspend and change roles
with a reason that lands in the audit log; refusals are notices, never a crash."""

from __future__ import annotations

import uuid

from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select

from openchance import Actor, OpenChance, Role
from openchance.models.accounts import UserStatus
from openchance.moderation.audit import AuditEntryRead, AuditFilter
from openchance_tui import OpenChanceConsole
from openchance_tui.messages import (
    UserAction,
    UserActionRefused,
    UserRoleChanged,
    UsersLoaded,
    UserSuspended,
    UserUnsuspended,
)
from openchance_tui.modals import RoleChangeModal, StatusChangeModal
from openchance_tui.screens import DashboardScreen, UsersScreen
from openchance_tui.widgets import UserDetailPanel, UsersTable
from tests.factories.users import create_user
from tests.tui.conftest import MANUAL_REFRESH_SECONDS
from tests.tui.pilots import MessageLog, settle, settle_on

SYSTEM = Actor.system("tests")


async def open_users(pilot: Pilot[None]) -> UsersScreen:
    await settle(pilot)
    await pilot.press("u")
    return await settle_on(pilot, UsersScreen)


async def select_user(pilot: Pilot[None], screen: UsersScreen, user_id: uuid.UUID) -> None:
    table = screen.query_one(UsersTable)
    table.move_cursor(row=table.get_row_index(str(user_id)))
    await settle_on(pilot, UsersScreen)


def listed_emails(screen: UsersScreen) -> list[str]:
    table = screen.query_one(UsersTable)
    return [str(table.get_cell_at(Coordinate(row, 0))) for row in range(table.row_count)]


def detail_text(screen: UsersScreen, key: str) -> str:
    return str(screen.query_one(f"#detail-{key}", Label).content)


async def audit_about(oc: OpenChance, user_id: uuid.UUID) -> list[AuditEntryRead]:
    return await oc.audit.list_entries(SYSTEM, AuditFilter(target_id=str(user_id)))


class TestOpenTheScreen:
    async def test_u_lists_the_users_and_d_goes_back_to_the_dashboard(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        ada = await create_user(oc, email="ada@example.org", display_name="Ada Lovelace")
        await create_user(oc, email="grace@example.org", display_name="Grace Hopper")

        async with console.run_test() as pilot:
            screen = await open_users(pilot)

            # Newest first.
            assert listed_emails(screen) == ["grace@example.org", "ada@example.org"]
            table = screen.query_one(UsersTable)
            cells = [str(cell) for cell in table.get_row(str(ada))]
            assert cells == ["ada@example.org", "Ada Lovelace", "user", "active", "0"]

            await pilot.press("d")
            await settle(pilot)
            assert isinstance(console.screen, DashboardScreen)

            await pilot.press("u")
            assert await settle_on(pilot, UsersScreen) is screen

    async def test_the_detail_panel_shows_the_selected_user_and_their_audit(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        ada = await create_user(oc, email="ada@example.org", display_name="Ada Lovelace")
        await create_user(oc, email="grace@example.org", suspended=True)

        async with console.run_test() as pilot:
            screen = await open_users(pilot)
            assert detail_text(screen, "email") == "grace@example.org"
            assert detail_text(screen, "status") == "suspended"
            assert detail_text(screen, "status-reason") == "made suspended by a test"

            await select_user(pilot, screen, ada)

            assert detail_text(screen, "id") == str(ada)
            assert detail_text(screen, "display-name") == "Ada Lovelace"
            assert detail_text(screen, "email-verified") == "yes"
            assert detail_text(screen, "role") == "user"
            assert detail_text(screen, "active-sessions") == "0"
            assert detail_text(screen, "last-login-at") == "never"
            entries = screen.query_one(UserDetailPanel).query(".audit-entry")
            assert ["user.create" in str(entry.render()) for entry in entries] == [True]

    async def test_r_reloads_the_list(self, oc: OpenChance, console: OpenChanceConsole) -> None:
        async with console.run_test() as pilot:
            screen = await open_users(pilot)
            assert listed_emails(screen) == []

            await create_user(oc, email="ada@example.org")
            await pilot.press("r")
            await settle_on(pilot, UsersScreen)

            assert listed_emails(screen) == ["ada@example.org"]
            assert detail_text(screen, "email") == "ada@example.org"


class TestSearch:
    async def test_searching_narrows_the_list_by_email_or_name(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        await create_user(oc, email="ada@example.org", display_name="Ada Lovelace")
        await create_user(oc, email="grace@example.org", display_name="Grace Hopper")

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_users(pilot)
            await pilot.press("slash", *"grace", "enter")
            await settle_on(pilot, UsersScreen)
            assert listed_emails(screen) == ["grace@example.org"]
            assert detail_text(screen, "email") == "grace@example.org"
            # Enter hands the keys back to the list.
            assert screen.focused is screen.query_one(UsersTable)

            await pilot.press("slash", "ctrl+u", *"LOVE", "enter")
            await settle_on(pilot, UsersScreen)
            assert listed_emails(screen) == ["ada@example.org"]
            assert [message.query for message in messages.of_type(UsersLoaded)][-1] == "LOVE"

    async def test_typing_searches_after_a_pause(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        await create_user(oc, email="ada@example.org")
        await create_user(oc, email="grace@example.org", display_name="Grace Hopper")

        async with console.run_test() as pilot:
            screen = await open_users(pilot)
            await pilot.press("slash", *"ada")
            for _ in range(40):
                await pilot.pause(0.05)
                if len(listed_emails(screen)) == 1:
                    break

            assert listed_emails(screen) == ["ada@example.org"]
            assert screen.focused is screen.query_one("#user-search", Input)

    async def test_with_no_match_there_is_nobody_to_act_on(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        await create_user(oc, email="ada@example.org")

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_users(pilot)
            await pilot.press("slash", *"nobody", "enter")
            await settle_on(pilot, UsersScreen)
            await pilot.press("s")

            assert listed_emails(screen) == []
            assert isinstance(console.screen, UsersScreen)
            assert screen.query_one("#detail-empty", Label)
            assert [n.message for n in messages.notifications("warning")] == [
                "There is no user to act on."
            ]


class TestSuspend:
    async def test_s_suspends_the_selected_user_with_the_reason_audited(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        ada = await create_user(oc, email="ada@example.org")
        await create_user(oc, email="grace@example.org")

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_users(pilot)
            await select_user(pilot, screen, ada)
            await pilot.press("s")
            modal = await settle_on(pilot, StatusChangeModal)
            assert str(modal.query_one("#modal-title", Label).content) == "Suspend ada@example.org"
            await pilot.press(*"spam")
            await pilot.press("enter")
            await settle_on(pilot, UsersScreen)

            user = await oc.users.get_user(SYSTEM, ada)
            assert (user.status, user.status_reason) == (UserStatus.SUSPENDED, "spam")
            [entry, *_] = await audit_about(oc, ada)
            assert (entry.action, entry.reason, entry.actor_label) == (
                "user.suspend",
                "spam",
                "console",
            )
            assert [message.user.id for message in messages.of_type(UserSuspended)] == [ada]
            assert [n.title for n in messages.notifications("information")] == ["User suspended"]
            table = screen.query_one(UsersTable)
            assert table.selected_user_id == ada
            assert str(table.get_row(str(ada))[3]) == "suspended"
            assert detail_text(screen, "status") == "suspended"
            assert "spam" in str(screen.query(".audit-entry").first().render())

    async def test_a_too_short_reason_keeps_the_dialog_open_and_changes_nothing(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        ada = await create_user(oc)

        async with console.run_test(message_hook=messages) as pilot:
            await open_users(pilot)
            await pilot.press("s")
            modal = await settle_on(pilot, StatusChangeModal)
            await pilot.press("enter")
            assert modal.error_message == "Reason: String should have at least 3 characters"

            await pilot.press(*" x ")
            await pilot.press("enter")
            await pilot.pause()
            assert console.screen is modal
            assert modal.error_message == "Reason: String should have at least 3 characters"

            await pilot.press("escape")
            await settle_on(pilot, UsersScreen)

        user = await oc.users.get_user(SYSTEM, ada)
        assert user.status is UserStatus.ACTIVE
        assert [entry.action for entry in await audit_about(oc, ada)] == ["user.create"]
        assert messages.of_type(UserSuspended) == []

    async def test_an_already_suspended_user_gives_an_error_notice(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        grace = await create_user(oc, suspended=True)

        async with console.run_test(message_hook=messages) as pilot:
            await open_users(pilot)
            await pilot.press("s")
            await settle_on(pilot, StatusChangeModal)
            await pilot.press(*"again")
            await pilot.press("enter")
            await settle_on(pilot, UsersScreen)

            assert console.is_running
            [refused] = messages.of_type(UserActionRefused)
            assert (refused.action, refused.user_id) == (UserAction.SUSPEND, grace)
            assert refused.error.code == "user_not_active"
            [notice] = messages.notifications("error")
            assert (notice.title, notice.message) == ("Conflict", "the account is suspended")


class TestUnsuspend:
    async def test_a_makes_a_suspended_user_active_with_the_reason_audited(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        grace = await create_user(oc, suspended=True)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_users(pilot)
            await pilot.press("a")
            modal = await settle_on(pilot, StatusChangeModal)
            assert str(modal.query_one("#confirm").render()).strip() == "Unsuspend"
            await pilot.press(*"appeal")
            await pilot.press("enter")
            await settle_on(pilot, UsersScreen)

            user = await oc.users.get_user(SYSTEM, grace)
            assert (user.status, user.status_reason) == (UserStatus.ACTIVE, "appeal")
            [entry, *_] = await audit_about(oc, grace)
            assert (entry.action, entry.reason) == ("user.unsuspend", "appeal")
            assert [message.user.id for message in messages.of_type(UserUnsuspended)] == [grace]
            assert detail_text(screen, "status") == "active"


class TestChangeRole:
    async def test_o_changes_the_role_with_the_reason_audited(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        ada = await create_user(oc)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_users(pilot)
            await pilot.press("o")
            modal = await settle_on(pilot, RoleChangeModal)
            select: Select[Role] = modal.query_one("#role", Select)
            before = select.value
            # The role list opens on enter; pick the next role down.
            await pilot.press("enter", "down", "enter")
            assert (before, select.value) == (Role.USER, Role.MODERATOR)
            await pilot.press("tab")
            await pilot.press(*"reviews")
            await pilot.press("enter")
            await settle_on(pilot, UsersScreen)

            user = await oc.users.get_user(SYSTEM, ada)
            assert user.role is Role.MODERATOR
            [entry, *_] = await audit_about(oc, ada)
            assert (entry.action, entry.reason) == ("user.set_role", "reviews")
            assert entry.details == {"from": "user", "to": "moderator"}
            assert [message.user.role for message in messages.of_type(UserRoleChanged)] == [
                Role.MODERATOR
            ]
            assert [n.message for n in messages.notifications("information")] == [
                f"{user.email} is moderator now."
            ]
            assert str(screen.query_one(UsersTable).get_row(str(ada))[2]) == "moderator"

    async def test_the_same_role_or_no_reason_keeps_the_dialog_open(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        ada = await create_user(oc)

        async with console.run_test() as pilot:
            await open_users(pilot)
            await pilot.press("o")
            modal = await settle_on(pilot, RoleChangeModal)
            modal.query_one("#role", Select).value = Role.ADMIN
            await pilot.click("#confirm")
            assert modal.error_message == "Reason: String should have at least 3 characters"
            assert modal.focused is modal.query_one("#reason", Input)

            modal.query_one("#role", Select).value = Role.USER
            await pilot.press(*"same", "enter")
            assert modal.error_message == "The account is user already: choose another role."
            assert console.screen is modal

            await pilot.click("#cancel")
            await settle_on(pilot, UsersScreen)

        assert (await oc.users.get_user(SYSTEM, ada)).role is Role.USER
        assert [entry.action for entry in await audit_about(oc, ada)] == ["user.create"]


class TestAModeratorsConsole:
    async def test_what_only_admins_may_do_is_refused_with_notices(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        moderator = await create_user(oc, role=Role.MODERATOR)
        admin = await create_user(oc, role=Role.ADMIN)
        actor = Actor.user(moderator, {Role.MODERATOR})
        console = OpenChanceConsole(oc, actor=actor, refresh_seconds=MANUAL_REFRESH_SECONDS)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await open_users(pilot)
            await select_user(pilot, screen, admin)
            messages.messages.clear()  # the dashboard's job panels refuse a moderator too
            await pilot.press("s")
            await settle_on(pilot, StatusChangeModal)
            await pilot.press(*"test")
            await pilot.press("enter")
            await settle_on(pilot, UsersScreen)
            await pilot.press("o")
            modal = await settle_on(pilot, RoleChangeModal)
            modal.query_one("#role", Select).value = Role.USER
            modal.query_one("#reason", Input).value = "test"
            await pilot.click("#confirm")
            await settle_on(pilot, UsersScreen)

            assert console.is_running
            assert [message.action for message in messages.of_type(UserActionRefused)] == [
                UserAction.SUSPEND,
                UserAction.CHANGE_ROLE,
            ]
            assert [(n.title, n.message) for n in messages.notifications("error")] == [
                ("Permission denied", "only admins may suspend staff accounts"),
                ("Permission denied", "only admins may change roles"),
            ]

        user = await oc.users.get_user(SYSTEM, admin)
        assert (user.role, user.status) == (Role.ADMIN, UserStatus.ACTIVE)
