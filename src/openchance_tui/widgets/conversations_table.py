"""Recent conversations, most recent activity first, one row each, keyed by conversation
id, so the screen can open the selected one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from openchance.db.types import utcnow
from openchance.messaging.schemas import ConversationRead
from openchance_tui.formatting import format_age, shorten
from openchance_tui.styles import component_css

TITLE_WIDTH = 32
PARTICIPANTS_WIDTH = 40


def participants_line(conversation: ConversationRead) -> str:
    return ", ".join(f"{p.display_name} ({p.role.value})" for p in conversation.participants)


class ConversationsTable(DataTable[Text]):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Conversations"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._conversations: dict[str, ConversationRead] = {}

    def on_mount(self) -> None:
        self.add_column("last activity", key="activity")
        self.add_column("challenge", key="challenge")
        self.add_column("participants", key="participants")
        self.add_column("messages", key="messages")

    @property
    def selected_conversation(self) -> ConversationRead | None:
        if self.row_count == 0:
            return None
        row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return self._conversations.get(row_key.value) if row_key.value is not None else None

    @property
    def selected_conversation_id(self) -> uuid.UUID | None:
        conversation = self.selected_conversation
        return conversation.id if conversation is not None else None

    def show_conversations(
        self, conversations: Sequence[ConversationRead], *, more: bool = False
    ) -> None:
        """Replace the rows; the cursor stays on the same conversation when it is listed."""
        selected = self.selected_conversation_id
        row = self.cursor_row
        self.clear()
        self._conversations = {str(c.id): c for c in conversations}
        now = utcnow()
        for conversation in conversations:
            # Text cells: titles and names are users' data, never markup.
            self.add_row(
                Text(format_age(conversation.last_activity_at, now)),
                Text(shorten(conversation.challenge_title, TITLE_WIDTH)),
                Text(shorten(participants_line(conversation), PARTICIPANTS_WIDTH)),
                Text(str(conversation.last_seq), justify="right"),
                key=str(conversation.id),
            )
        shown = len(conversations)
        self.border_subtitle = f"newest {shown} shown" if more else f"{shown} conversations"
        if selected is not None and str(selected) in self._conversations:
            self.move_cursor(row=self.get_row_index(str(selected)))
        elif shown:
            self.move_cursor(row=min(row, shown - 1))
