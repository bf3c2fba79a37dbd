"""Accounts for staff: search, view, suspend or unsuspend, change role, each with a reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input
from textual.worker import Worker, WorkerState

from openchance import Actor, OpenChance, OpenChanceError
from openchance.accounts.schemas import (
    RoleChange,
    StatusChange,
    UserAdminRead,
    UserFilter,
)
from openchance.actor import ClientInfo
from openchance.moderation.audit import AuditFilter
from openchance_tui.messages import (
    UserAction,
    UserActionRefused,
    UserDetailLoaded,
    UserRoleChanged,
    UsersLoaded,
    UserSuspended,
    UserUnsuspended,
)
from openchance_tui.modals import RoleChangeModal, StatusChangeModal
from openchance_tui.modals.reason_modal import ReasonModal
from openchance_tui.notices import Notice, show_error, show_notice
from openchance_tui.widgets import UserDetail, UserDetailPanel, UsersTable

USERS_SHOWN = 200
AUDIT_ENTRIES_SHOWN = 5
SEARCH_DEBOUNCE_SECONDS = 0.3
SEARCH_MAX_LENGTH = 200  # UserFilter.query's limit

T = TypeVar("T")


class UsersScreen(Screen[None]):
    CSS_PATH = "users.tcss"
    AUTO_FOCUS = "UsersTable"
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("escape", "focus_table", "Back to the list", show=False),
        Binding("s", "suspend", "Suspend"),
        Binding("a", "unsuspend", "Unsuspend"),
        Binding("o", "change_role", "Change role"),
    ]

    def __init__(
        self,
        oc: OpenChance,
        actor: Actor,
        *,
        client: ClientInfo,
        search_debounce_seconds: float = SEARCH_DEBOUNCE_SECONDS,
    ) -> None:
        super().__init__()
        self._oc = oc
        self._actor = actor
        self._client = client
        self._search_debounce_seconds = search_debounce_seconds
        self._search_timer: Timer | None = None
        self._query = ""
        self._hidden = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Search by e-mail or name  (/ to search, enter to list)",
            id="user-search",
            max_length=SEARCH_MAX_LENGTH,
        )
        with Horizontal(id="users-body"):
            yield UsersTable(id="users")
            yield UserDetailPanel(id="user-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self._hidden = True

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        # Back from the dashboard (or a dialog): accounts may have changed meanwhile.
        if self._hidden:
            self._hidden = False
            self.action_reload()

    # -- search ----------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._stop_search_timer()
        self._search_timer = self.set_timer(self._search_debounce_seconds, self._search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._search_now()
        self.action_focus_table()

    def _search_now(self) -> None:
        self._stop_search_timer()
        self._query = self.query_one("#user-search", Input).value.strip()
        self.load_users(self._query)

    def _stop_search_timer(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load_users(self._query)

    def action_focus_search(self) -> None:
        self.query_one("#user-search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(UsersTable).focus()

    def action_suspend(self) -> None:
        user = self._selected_user()
        if user is not None:
            modal = StatusChangeModal(f"Suspend {user.email}", confirm_label="Suspend")
            self._ask(modal, partial(self.suspend_user, user.id))

    def action_unsuspend(self) -> None:
        user = self._selected_user()
        if user is not None:
            modal = StatusChangeModal(f"Unsuspend {user.email}", confirm_label="Unsuspend")
            self._ask(modal, partial(self.unsuspend_user, user.id))

    def action_change_role(self) -> None:
        user = self._selected_user()
        if user is not None:
            modal = RoleChangeModal(f"Change the role of {user.email}", current=user.role)
            self._ask(modal, partial(self.change_role, user.id))

    def _ask(self, modal: ReasonModal[T], act: Callable[[T], object]) -> None:
        """Open the dialog; act on what it returns unless the operator cancelled."""

        def then(result: T | None) -> None:
            if result is not None:
                act(result)

        self.app.push_screen(modal, then)

    def _selected_user(self) -> UserAdminRead | None:
        user = self.query_one(UsersTable).selected_user
        if user is None:
            show_notice(self, Notice("There is no user to act on.", "No user", "warning"))
        return user

    # -- workers: call the core, post what happened ---------------------------------------
    # Loads are never cancelled half-way through a transaction: a stale answer is dropped
    # when it arrives instead. Failures other than domain errors surface in
    # on_worker_state_changed (exit_on_error is off: a database hiccup must not close it).

    @work(group="users", exit_on_error=False)
    async def load_users(self, query: str) -> None:
        search = UserFilter(query=query or None, limit=USERS_SHOWN)
        self.post_message(UsersLoaded(query, await self._oc.users.list_users(self._actor, search)))

    @work(group="user-detail", exit_on_error=False)
    async def load_user_detail(self, user_id: uuid.UUID) -> None:
        user = await self._oc.users.get_user(self._actor, user_id)
        about = AuditFilter(target_type="user", target_id=str(user_id), limit=AUDIT_ENTRIES_SHOWN)
        audit = await self._oc.audit.list_entries(self._actor, about)
        self.post_message(UserDetailLoaded(user, audit))

    @work(group="user-actions", exit_on_error=False)
    async def suspend_user(self, user_id: uuid.UUID, change: StatusChange) -> None:
        try:
            user = await self._oc.users.suspend(self._actor, user_id, change, self._client)
        except OpenChanceError as error:
            self.post_message(UserActionRefused(UserAction.SUSPEND, user_id, error))
        else:
            self.post_message(UserSuspended(user))

    @work(group="user-actions", exit_on_error=False)
    async def unsuspend_user(self, user_id: uuid.UUID, change: StatusChange) -> None:
        try:
            user = await self._oc.users.unsuspend(self._actor, user_id, change, self._client)
        except OpenChanceError as error:
            self.post_message(UserActionRefused(UserAction.UNSUSPEND, user_id, error))
        else:
            self.post_message(UserUnsuspended(user))

    @work(group="user-actions", exit_on_error=False)
    async def change_role(self, user_id: uuid.UUID, change: RoleChange) -> None:
        try:
            user = await self._oc.users.set_role(self._actor, user_id, change, self._client)
        except OpenChanceError as error:
            self.post_message(UserActionRefused(UserAction.CHANGE_ROLE, user_id, error))
        else:
            self.post_message(UserRoleChanged(user))

    # -- what the workers report ----------------------------------------------------------

    def on_users_loaded(self, message: UsersLoaded) -> None:
        if message.query != self._query:
            return  # an earlier search answered late
        table = self.query_one(UsersTable)
        table.show_users(message.users)
        self._show_selected_user()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_selected_user()

    def _show_selected_user(self) -> None:
        user_id = self.query_one(UsersTable).selected_user_id
        if user_id is None:
            self.query_one(UserDetailPanel).detail = None
        else:
            self.load_user_detail(user_id)

    def on_user_detail_loaded(self, message: UserDetailLoaded) -> None:
        if message.user.id != self.query_one(UsersTable).selected_user_id:
            return  # the cursor moved on meanwhile
        self.query_one(UserDetailPanel).detail = UserDetail(message.user, message.audit)

    def on_user_suspended(self, message: UserSuspended) -> None:
        self._changed(message.user, "User suspended", f"{message.user.email} is suspended.")

    def on_user_unsuspended(self, message: UserUnsuspended) -> None:
        self._changed(message.user, "User unsuspended", f"{message.user.email} is active again.")

    def on_user_role_changed(self, message: UserRoleChanged) -> None:
        user = message.user
        self._changed(user, "Role changed", f"{user.email} is {user.role.value} now.")

    def _changed(self, user: UserAdminRead, title: str, text: str) -> None:
        show_notice(self, Notice(text, title, "information"))
        self.action_reload()

    def on_user_action_refused(self, message: UserActionRefused) -> None:
        show_error(self, message.error)
        # The account may have changed under us: show what it is now.
        self.action_reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            show_error(self, event.worker.error)
