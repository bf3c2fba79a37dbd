"""One conversation as staff read it: who is in it, and its newest messages, oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from openchance.messaging.schemas import ConversationRead, MessageRead
from openchance.models.messaging import MessageKind
from openchance_tui.formatting import format_minute, format_size
from openchance_tui.styles import component_css
from openchance_tui.widgets.conversations_table import participants_line


@dataclass(frozen=True, slots=True)
class ConversationDetail:
    conversation: ConversationRead
    messages: Sequence[MessageRead]
    more_before: bool
    """Older messages exist than the ones shown."""

    @property
    def joined(self) -> bool:
        """Whether the console's actor is in the conversation (and may post)."""
        return self.conversation.viewer_role is not None


def message_line(message: MessageRead, names: dict[str, str]) -> str:
    if message.kind is MessageKind.SYSTEM or message.sender_id is None:
        sender = "OpenChance"
    else:
        sender = names.get(str(message.sender_id), "former participant")
    line = f"#{message.seq}  {format_minute(message.created_at)}  {sender}: {message.body}"
    for attachment in message.attachments:
        line += f"\n    📎 {attachment.filename} ({format_size(attachment.size_bytes)})"
    return line


class ConversationPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Conversation"

    detail: reactive[ConversationDetail | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        detail = self.detail
        if detail is None:
            yield Label("no conversation selected", id="conversation-empty")
            return
        conversation = detail.conversation
        yield Label(conversation.challenge_title, id="conversation-title", markup=False)
        yield Label(participants_line(conversation), id="conversation-participants", markup=False)
        yield Label(
            "joined: you may post" if detail.joined else "read-only: press j to join",
            id="conversation-access",
        )
        if detail.more_before:
            yield Label("… older messages not shown", classes="section-empty")
        if not detail.messages:
            yield Label("no messages yet", classes="section-empty")
        names = {str(p.user_id): p.display_name for p in conversation.participants}
        for message in detail.messages:
            classes = "message system" if message.kind is MessageKind.SYSTEM else "message"
            # Users' words: never markup.
            yield Label(message_line(message, names), classes=classes, markup=False)
