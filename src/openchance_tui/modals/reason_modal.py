"""A dialog that asks why: the reason every staff change records in the audit log.

Subclasses add their own fields and build the core's input schema; the schema validates
the reason, and what it refuses is shown under the field while the dialog stays open.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from openchance_tui.notices import validation_message
from openchance_tui.styles import component_css

ResultT = TypeVar("ResultT")

REASON_MAX_LENGTH = 2000
AUDIT_REASON_LABEL = "Reason (recorded in the audit log)"


class ReasonModal(ModalScreen[ResultT | None]):
    """Dismissed with the validated input, or ``None`` when the operator cancels."""

    DEFAULT_CSS = component_css(__file__)
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        confirm_label: str,
        reason_label: str = AUDIT_REASON_LABEL,
        reason_max_length: int = REASON_MAX_LENGTH,
    ) -> None:
        super().__init__()
        self._title = title
        self._confirm_label = confirm_label
        self._reason_label = reason_label
        self._reason_max_length = reason_max_length

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="modal-title", markup=False)
            yield from self.compose_fields()
            yield Label(self._reason_label, classes="field-label")
            yield Input(
                placeholder="why?",
                id="reason",
                max_length=self._reason_max_length,
                select_on_focus=False,
            )
            yield Label("", id="modal-error", markup=False)
            with Horizontal(id="modal-buttons"):
                yield Button(self._confirm_label, variant="primary", id="confirm")
                yield Button("Cancel", id="cancel")

    def compose_fields(self) -> ComposeResult:
        """The fields above the reason; none by default."""
        yield from ()

    def build_result(self, reason: str) -> ResultT:
        """The core's input from the fields; raises ``ValidationError`` when it refuses them."""
        raise NotImplementedError

    def problem_with(self, result: ResultT) -> str | None:
        """A reason to refuse a valid input that would change nothing; ``None`` to accept."""
        return None

    @property
    def error_message(self) -> str:
        return str(self.query_one("#modal-error", Label).content)

    def action_confirm(self) -> None:
        try:
            result = self.build_result(self.query_one("#reason", Input).value)
        except ValidationError as error:
            self._show_problem(validation_message(error))
            return
        problem = self.problem_with(result)
        if problem is not None:
            self._show_problem(problem)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.action_cancel()

    def _show_problem(self, message: str) -> None:
        label = self.query_one("#modal-error", Label)
        label.update(message)
        label.add_class("shown")
        self.query_one("#reason", Input).focus()
