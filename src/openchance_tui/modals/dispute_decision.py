"""Decide a dispute: release what remains to the solver, refund it to the challenger, or
split it between them; with a note both sides read.

Amounts are integer minor units (cents) of the milestone's currency, and only whole
numbers pass: ``12.00`` is refused rather than read as 12 cents. Whether a split adds up
to what remains is the core's to say (it may have moved since the detail was loaded).
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from openchance.db.types import Money
from openchance.models.payments import DisputeOutcome
from openchance.payments.dispute_schemas import DisputeDecision
from openchance_tui.modals.reason_modal import ReasonModal

NOTE_LABEL = "Note (both sides read it in their conversation; it is audited too)"
NOTE_MAX_LENGTH = 5000  # DisputeDecision.note's limit
OUTCOMES: list[tuple[str, DisputeOutcome]] = [
    ("release all to the solver", DisputeOutcome.RELEASE_ALL),
    ("refund all to the challenger", DisputeOutcome.REFUND_ALL),
    ("split between them", DisputeOutcome.SPLIT),
]
OUTCOME_REQUIRED = "Choose an outcome: release all, refund all or split."
SPLIT_PARTS_REQUIRED = "A split names both parts: the release and the refund."
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def parse_minor(text: str) -> int | str | None:
    """A typed amount: ``None`` when empty, an ``int`` for a whole number, else the text
    as typed (which the schema refuses, strictly, as not an integer)."""
    text = text.strip()
    if not text:
        return None
    return int(text) if WHOLE_NUMBER.fullmatch(text) else text


def outcome_label(remaining: Money | None) -> str:
    if remaining is None:
        return "Outcome (what remains of the milestone is not loaded yet)"
    return (
        f"Outcome for the {remaining.format()} that remains in escrow "
        f"({remaining.amount_minor} minor units)"
    )


def halves(amount_minor: int) -> tuple[str, str]:
    """A split's starting point: half each (the odd cent to the challenger), as typed."""
    release = amount_minor // 2
    return str(release), str(amount_minor - release)


def split_hint(release: str, refund: str, remaining: Money | None) -> str:
    """``500.00 EUR + 500.00 EUR = 1000.00 EUR of 1000.00 EUR remaining`` while both
    parts are whole numbers; nothing otherwise."""
    to_solver, to_challenger = parse_minor(release), parse_minor(refund)
    if remaining is None or not isinstance(to_solver, int) or not isinstance(to_challenger, int):
        return ""
    if to_solver < 0 or to_challenger < 0:
        return ""
    solver = Money(to_solver, remaining.currency)
    challenger = Money(to_challenger, remaining.currency)
    total = solver + challenger
    return (
        f"{solver.format()} + {challenger.format()} = {total.format()} "
        f"of {remaining.format()} remaining"
    )


class DisputeDecisionModal(ReasonModal[DisputeDecision]):
    CSS_PATH = "dispute_decision.tcss"

    def __init__(self, title: str, *, remaining: Money | None = None) -> None:
        super().__init__(
            title,
            confirm_label="Decide",
            reason_label=NOTE_LABEL,
            reason_max_length=NOTE_MAX_LENGTH,
        )
        self._remaining = remaining

    def compose_fields(self) -> ComposeResult:
        remaining = self._remaining
        yield Label(outcome_label(remaining), id="remaining", classes="field-label", markup=False)
        yield Select[DisputeOutcome](OUTCOMES, prompt="choose an outcome", id="outcome")
        # A split starts half and half of what remains; its fields show for a split only.
        release, refund = ("", "") if remaining is None else halves(remaining.amount_minor)
        with Vertical(id="split-fields"):
            with Horizontal(id="split-parts"):
                yield Label("Release to\nthe solver", classes="split-label")
                yield Input(
                    value=release,
                    placeholder="minor units",
                    id="release-minor",
                    select_on_focus=False,
                )
                yield Label("Refund to the\nchallenger", classes="split-label")
                yield Input(
                    value=refund,
                    placeholder="minor units",
                    id="refund-minor",
                    select_on_focus=False,
                )
            yield Label(split_hint(release, refund, remaining), id="split-hint", markup=False)

    @property
    def outcome(self) -> DisputeOutcome | None:
        value = self.query_one("#outcome", Select).value
        return value if isinstance(value, DisputeOutcome) else None

    def action_confirm(self) -> None:
        if self.outcome is None:
            self._show_problem(OUTCOME_REQUIRED)
            self.query_one("#outcome", Select).focus()
            return
        super().action_confirm()

    def build_result(self, reason: str) -> DisputeDecision:
        outcome = self.outcome
        data: dict[str, object] = {"outcome": outcome, "note": reason.strip()}
        if outcome is DisputeOutcome.SPLIT:
            data["release_minor"] = parse_minor(self.query_one("#release-minor", Input).value)
            data["refund_minor"] = parse_minor(self.query_one("#refund-minor", Input).value)
        # Strict: an amount is an int already or refused, never coerced from "12.00".
        return DisputeDecision.model_validate(data, strict=True)

    def problem_with(self, result: DisputeDecision) -> str | None:
        if result.outcome is DisputeOutcome.SPLIT and (
            result.release_minor is None or result.refund_minor is None
        ):
            return SPLIT_PARTS_REQUIRED
        return None

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.query_one("#split-fields").set_class(self.outcome is DisputeOutcome.SPLIT, "shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("release-minor", "refund-minor"):
            event.stop()
            self.query_one("#split-hint", Label).update(self._split_hint_text())

    def _split_hint_text(self) -> str:
        return split_hint(
            self.query_one("#release-minor", Input).value,
            self.query_one("#refund-minor", Input).value,
            self._remaining,
        )
