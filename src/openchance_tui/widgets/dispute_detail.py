"""Everything support reads before deciding a dispute: who opened it and why, the evidence
and the messages it cites, and what of the disputed milestone remains in escrow."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from openchance.db.types import Money
from openchance.payments.dispute_schemas import DisputeRead
from openchance.payments.milestone_schemas import MilestoneRead
from openchance_tui.formatting import format_time
from openchance_tui.styles import component_css

NOT_FUNDED = "not funded"


@dataclass(frozen=True, slots=True)
class DisputeDetail:
    dispute: DisputeRead
    milestone: MilestoneRead

    @property
    def remaining(self) -> Money | None:
        """What of the milestone is still in escrow: what a decision moves."""
        remaining = self.milestone.remaining_minor
        return Money(remaining, self.milestone.currency) if remaining is not None else None


def _money(amount_minor: int | None, currency: str) -> str:
    return Money(amount_minor, currency).format() if amount_minor is not None else NOT_FUNDED


def dispute_fields(detail: DisputeDetail) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` for every short field, in reading order."""
    dispute, milestone = detail.dispute, detail.milestone
    currency = milestone.currency
    fields = [
        ("id", "id", str(dispute.id)),
        ("status", "status", dispute.status.value),
        ("opened", "opened", format_time(dispute.created_at) + " UTC"),
        ("challenge", "challenge", str(dispute.challenge_id)),
        ("milestone", "milestone", f"{milestone.title} ({milestone.status.value})"),
        ("share", "share", _money(milestone.share_minor, currency)),
        ("released", "released", _money(milestone.released_minor, currency)),
        ("remaining", "remaining", _money(milestone.remaining_minor, currency)),
    ]
    if dispute.outcome is not None:
        fields += [
            ("outcome", "outcome", dispute.outcome.value.replace("_", " ")),
            ("to-solver", "to solver", _money(dispute.released_minor, currency)),
            ("refunded", "refunded", _money(dispute.refunded_minor, currency)),
            ("decided", "decided", format_time(dispute.decided_at) + " UTC"),
        ]
    return fields


class DisputeDetailPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Dispute"

    detail: reactive[DisputeDetail | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        detail = self.detail
        if detail is None:
            yield Label("no dispute selected", id="dispute-empty")
            return
        dispute = detail.dispute
        for key, label, value in dispute_fields(detail):
            with Horizontal(classes="dispute-field"):
                yield Label(label, classes="field-name")
                yield Label(value, id=f"dispute-{key}", classes="field-value", markup=False)
        # The parties' own words: never markup.
        yield Label("Reason", classes="section-title")
        yield Label(dispute.reason, id="dispute-reason", markup=False)
        yield Label("Evidence", classes="section-title")
        if dispute.evidence:
            yield Label(dispute.evidence, id="dispute-evidence", markup=False)
        else:
            yield Label("none", id="dispute-evidence", classes="section-empty")
        yield Label("Cited messages", classes="section-title")
        if not dispute.message_ids:
            yield Label("none", classes="section-empty")
        for message_id in dispute.message_ids:
            yield Label(str(message_id), classes="cited-message")
        if dispute.decision_note is not None:
            yield Label("Decision", classes="section-title")
            yield Label(dispute.decision_note, id="dispute-decision-note", markup=False)
