"""Everything a moderator reads before deciding: the challenge as its challenger wrote it,
its reward, terms and clarifications, and the files attached to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label, Markdown

from openchance.challenges.attachment_schemas import AttachmentRead
from openchance.challenges.schemas import ChallengeRead, MilestoneRead
from openchance_tui.formatting import format_minute, format_size, format_time
from openchance_tui.styles import component_css


@dataclass(frozen=True, slots=True)
class ChallengeDetail:
    challenge: ChallengeRead
    attachments: Sequence[AttachmentRead]


def challenge_fields(challenge: ChallengeRead) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` for every short field, in reading order."""
    split = "/".join(str(share) for share in challenge.prize_split)
    return [
        ("id", "id", str(challenge.id)),
        ("title", "title", challenge.title),
        ("status", "status", challenge.status.value),
        ("challenger", "challenger", challenge.owner.display_name),
        ("category", "category", challenge.category.name),
        ("difficulty", "difficulty", challenge.difficulty.value),
        ("skills", "skills", ", ".join(challenge.skills) or "none"),
        ("visibility", "visibility", challenge.visibility.value),
        ("reward", "reward", f"{challenge.reward.formatted} ({challenge.reward.kind.value})"),
        ("winners", "winners", f"{challenge.winners} (split {split} %)"),
        ("deadline", "deadline", format_minute(challenge.deadline) + " UTC"),
        ("submitted-at", "submitted", format_time(challenge.submitted_at or challenge.created_at)),
        ("ip-terms", "IP terms", challenge.ip_terms.value.replace("_", " ")),
    ]


def milestone_line(milestone: MilestoneRead) -> str:
    line = f"{milestone.position}. {milestone.title}  {milestone.amount.formatted}"
    if milestone.due_at is not None:
        line += f"  due {format_minute(milestone.due_at)}"
    if milestone.description:
        line += f"\n   {milestone.description}"
    return line


def attachment_line(attachment: AttachmentRead) -> str:
    return f"{attachment.filename}  {attachment.content_type}  {format_size(attachment.size_bytes)}"


class ChallengeDetailPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Challenge"

    detail: reactive[ChallengeDetail | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        detail = self.detail
        if detail is None:
            yield Label("no challenge selected", id="detail-empty")
            return
        challenge = detail.challenge
        for key, label, value in challenge_fields(challenge):
            with Horizontal(classes="detail-field"):
                yield Label(label, classes="field-name")
                yield Label(value, id=f"detail-{key}", classes="field-value", markup=False)
        yield Label("Summary", classes="section-title")
        yield Label(challenge.summary, id="detail-summary", markup=False)
        yield Label("Description", classes="section-title")
        # The challenger's Markdown, rendered in place; its links are not followed from here.
        yield Markdown(challenge.description, id="detail-description", open_links=False)
        if challenge.reward.milestones:
            yield Label("Milestones", classes="section-title")
            for milestone in challenge.reward.milestones:
                yield Label(milestone_line(milestone), classes="milestone", markup=False)
        yield Label("Terms", classes="section-title")
        yield Label(challenge.terms or "none beyond the IP terms", id="detail-terms", markup=False)
        yield Label("Clarifications", classes="section-title")
        if not challenge.clarifications:
            yield Label("none", classes="section-empty")
        for clarification in challenge.clarifications:
            text = f"{format_time(clarification.created_at)}\n{clarification.body}"
            yield Label(text, classes="clarification", markup=False)
        yield Label("Attachments", classes="section-title")
        if not detail.attachments:
            yield Label("none", classes="section-empty")
        for attachment in detail.attachments:
            yield Label(attachment_line(attachment), classes="attachment", markup=False)
