"""Change a role: which of the four, and why."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, Select

from openchance.accounts.schemas import RoleChange
from openchance.actor import Role
from openchance_tui.modals.reason_modal import ReasonModal


class RoleChangeModal(ReasonModal[RoleChange]):
    CSS_PATH = "role_change.tcss"

    def __init__(self, title: str, *, current: Role) -> None:
        super().__init__(title, confirm_label="Change role")
        self._current = current

    def compose_fields(self) -> ComposeResult:
        yield Label("Role", classes="field-label")
        yield Select(
            [(role.value, role) for role in Role], allow_blank=False, value=self._current, id="role"
        )

    def build_result(self, reason: str) -> RoleChange:
        # The Select holds a Role (it has no blank); the schema checks it all the same.
        role = self.query_one("#role", Select).value
        return RoleChange.model_validate({"role": role, "reason": reason})

    def problem_with(self, result: RoleChange) -> str | None:
        if result.role is self._current:
            return f"The account is {self._current.value} already: choose another role."
        return None
