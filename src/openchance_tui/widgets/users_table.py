"""Accounts, one row each, keyed by user id, so the screen can act on the selected one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from openchance.accounts.schemas import UserAdminRead
from openchance.models.accounts import UserStatus
from openchance_tui.styles import component_css

STATUS_STYLES = {UserStatus.SUSPENDED: "bold red", UserStatus.DELETED: "dim"}


class UsersTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Users"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._users: dict[str, UserAdminRead] = {}

    def on_mount(self) -> None:
        self.add_column("e-mail", key="email")
        self.add_column("name", key="name")
        self.add_column("role", key="role")
        self.add_column("status", key="status")
        self.add_column("sessions", key="sessions")

    @property
    def selected_user(self) -> UserAdminRead | None:
        """The user under the cursor, as last loaded."""
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return self._users.get(row_key.value) if row_key.value is not None else None

    @property
    def selected_user_id(self) -> uuid.UUID | None:
        user = self.selected_user
        return user.id if user is not None else None

    def show_users(self, users: Sequence[UserAdminRead]) -> None:
        """Replace the rows, keeping the cursor on the same user when they are still listed."""
        selected = self.selected_user_id
        self.clear()
        self._users = {str(user.id): user for user in users}
        for user in users:
            # Text cells: names and addresses are data, never markup.
            self.add_row(
                Text(user.email),
                Text(user.display_name),
                Text(user.role.value),
                Text(user.status.value, style=STATUS_STYLES.get(user.status, "")),
                Text(str(user.active_sessions), justify="right"),
                key=str(user.id),
            )
        self.border_subtitle = f"{len(users)} shown"
        if selected is not None and str(selected) in self._users:
            self.move_cursor(row=self.get_row_index(str(selected)))
