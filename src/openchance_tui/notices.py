"""How an error becomes a notice: the console's one mapping from exceptions to toasts."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from textual.notifications import SeverityLevel
from textual.widget import Widget

from openchance import OpenChanceError

UNEXPECTED_ERROR_TITLE = "Unexpected error"


@dataclass(frozen=True, slots=True)
class Notice:
    message: str
    title: str
    severity: SeverityLevel


def notice_for_error(error: BaseException) -> Notice:
    """A domain error shows its title and message; anything else its type, so it can be reported."""
    if isinstance(error, OpenChanceError):
        return Notice(message=error.message, title=error.title, severity="error")
    detail = str(error) or "no detail"
    return Notice(
        message=f"{type(error).__name__}: {detail}", title=UNEXPECTED_ERROR_TITLE, severity="error"
    )


def notice_for_refusal(error: OpenChanceError) -> Notice:
    """A refused action's notice: the domain error's, with its code (the one to look up in
    docs/errors.md or quote to the team)."""
    notice = notice_for_error(error)
    return Notice(f"{notice.message} ({error.code})", notice.title, notice.severity)


def validation_message(error: ValidationError) -> str:
    """What a form shows when the core's input schema refuses what was typed, one line a field."""
    lines = []
    for problem in error.errors(include_url=False):
        field = " ".join(str(part) for part in problem["loc"]).replace("_", " ")
        lines.append(f"{field.capitalize()}: {problem['msg']}" if field else problem["msg"])
    return "\n".join(lines)


def show_notice(widget: Widget, notice: Notice) -> None:
    # Messages carry data (job errors, exception text) that may contain "[": never markup.
    widget.notify(notice.message, title=notice.title, severity=notice.severity, markup=False)


def show_error(widget: Widget, error: BaseException) -> None:
    show_notice(widget, notice_for_error(error))


def show_refusal(widget: Widget, error: OpenChanceError) -> None:
    show_notice(widget, notice_for_refusal(error))
