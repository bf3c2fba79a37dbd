"""Conversations for staff: the most recently active ones, and the messages of the selected
one. Reading is read-only (and audited by the core as a staff read); ``j`` joins the
conversation (audited too), after which the input below the messages posts into it."""

from __future__ import annotations

import uuid

from pydantic import ValidationError
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input
from textual.worker import Worker, WorkerState

from openchance import Actor, OpenChance, OpenChanceError
from openchance.actor import ClientInfo
from openchance.messaging.schemas import (
    CONVERSATION_LIMIT_MAX,
    MESSAGE_MAX_LENGTH,
    ConversationQuery,
    MessageCreate,
    MessageQuery,
)
from openchance_tui.messages import (
    ConversationAction,
    ConversationActionRefused,
    ConversationJoined,
    ConversationMessageSent,
    ConversationMessagesLoaded,
    ConversationsLoaded,
)
from openchance_tui.notices import Notice, show_error, show_notice, validation_message
from openchance_tui.widgets import ConversationDetail, ConversationPanel, ConversationsTable

CONVERSATIONS_SHOWN = CONVERSATION_LIMIT_MAX
MESSAGES_SHOWN = 50


class ConversationsScreen(Screen[None]):
    CSS_PATH = "conversations.tcss"
    AUTO_FOCUS = "ConversationsTable"
    BINDINGS = [Binding("j", "join", "Join")]

    def __init__(self, oc: OpenChance, actor: Actor, *, client: ClientInfo) -> None:
        super().__init__()
        self._oc = oc
        self._actor = actor
        self._client = client
        self._generation = 0
        self._hidden = False
        self._focus_input_when_open = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="conversations-body"):
            yield ConversationsTable(id="conversations")
            with Vertical(id="conversation-side"):
                yield ConversationPanel(id="conversation")
                yield Input(
                    placeholder="Join (j) to write here",
                    id="message-input",
                    max_length=MESSAGE_MAX_LENGTH,
                    disabled=True,
                )
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self._hidden = True

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        if self._hidden:
            self._hidden = False
            self.action_reload()

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._generation += 1
        self.load_conversations(self._generation)

    def action_join(self) -> None:
        conversation_id = self.query_one(ConversationsTable).selected_conversation_id
        if conversation_id is None:
            show_notice(
                self, Notice("There is no conversation to join.", "Nothing to join", "warning")
            )
            return
        self.join_conversation(conversation_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        conversation_id = self.query_one(ConversationsTable).selected_conversation_id
        if conversation_id is None:
            return
        try:
            data = MessageCreate(body=event.value)
        except ValidationError as error:
            show_notice(self, Notice(validation_message(error), "Not sent", "warning"))
            return
        self.post_message_to(conversation_id, data)

    # -- workers: call the core, post what happened ---------------------------------------

    @work(group="conversations", exit_on_error=False)
    async def load_conversations(self, generation: int) -> None:
        query = ConversationQuery(everyone=True, limit=CONVERSATIONS_SHOWN)
        page = await self._oc.messaging.list_conversations(self._actor, query)
        self.post_message(ConversationsLoaded(generation, page.items, page.next_cursor is not None))

    def load_conversation(self, conversation_id: uuid.UUID) -> None:
        # Named after the conversation, so a second request for it can see this one running.
        self.run_worker(
            self._load_conversation(conversation_id),
            name=str(conversation_id),
            group="conversation-detail",
            exit_on_error=False,
        )

    async def _load_conversation(self, conversation_id: uuid.UUID) -> None:
        messaging = self._oc.messaging
        conversation = await messaging.get_conversation(
            self._actor, conversation_id, client=self._client
        )
        page = await messaging.list_messages(
            self._actor, conversation_id, MessageQuery(limit=MESSAGES_SHOWN), client=self._client
        )
        self.post_message(ConversationMessagesLoaded(conversation, page.items, page.has_more))

    @work(group="conversation-actions", exit_on_error=False)
    async def join_conversation(self, conversation_id: uuid.UUID) -> None:
        try:
            conversation = await self._oc.messaging.join_conversation(
                self._actor, conversation_id, self._client
            )
        except OpenChanceError as error:
            self.post_message(
                ConversationActionRefused(ConversationAction.JOIN, conversation_id, error)
            )
        else:
            self.post_message(ConversationJoined(conversation))

    @work(group="conversation-actions", exit_on_error=False)
    async def post_message_to(self, conversation_id: uuid.UUID, data: MessageCreate) -> None:
        try:
            message = await self._oc.messaging.post_message(self._actor, conversation_id, data)
        except OpenChanceError as error:
            self.post_message(
                ConversationActionRefused(ConversationAction.POST, conversation_id, error)
            )
        else:
            self.post_message(ConversationMessageSent(message))

    # -- what the workers report ----------------------------------------------------------

    def on_conversations_loaded(self, message: ConversationsLoaded) -> None:
        if message.generation != self._generation:
            return  # an earlier load answered late
        self.query_one(ConversationsTable).show_conversations(
            message.conversations, more=message.more
        )
        self._show_selected_conversation()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_selected_conversation()

    def _show_selected_conversation(self) -> None:
        conversation_id = self.query_one(ConversationsTable).selected_conversation_id
        if conversation_id is None:
            self.query_one(ConversationPanel).detail = None
            self._allow_posting(False)
        elif not self._loading(conversation_id):
            self.load_conversation(conversation_id)

    def _loading(self, conversation_id: uuid.UUID) -> bool:
        """A load of this conversation is under way already (highlighting a row again while
        it runs would only read and audit the same thing twice)."""
        return any(
            worker.group == "conversation-detail"
            and worker.name == str(conversation_id)
            and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )

    def on_conversation_messages_loaded(self, message: ConversationMessagesLoaded) -> None:
        if message.conversation.id != self.query_one(ConversationsTable).selected_conversation_id:
            return  # the cursor moved on meanwhile
        detail = ConversationDetail(message.conversation, message.messages, message.more_before)
        panel = self.query_one(ConversationPanel)
        panel.detail = detail
        panel.call_after_refresh(panel.scroll_end, animate=False)  # the newest in view
        self._allow_posting(detail.joined)
        if detail.joined and self._focus_input_when_open:
            self._focus_input_when_open = False
            self.query_one("#message-input", Input).focus()

    def _allow_posting(self, allowed: bool) -> None:
        field = self.query_one("#message-input", Input)
        field.disabled = not allowed
        field.placeholder = "Write a message, Enter sends" if allowed else "Join (j) to write here"

    def on_conversation_joined(self, message: ConversationJoined) -> None:
        text = f"You joined the conversation about “{message.conversation.challenge_title}”."
        show_notice(self, Notice(text, "Joined", "information"))
        self._focus_input_when_open = True  # once the reload shows it joined
        self.action_reload()

    def on_conversation_message_sent(self, message: ConversationMessageSent) -> None:
        self.query_one("#message-input", Input).value = ""
        self.action_reload()

    def on_conversation_action_refused(self, message: ConversationActionRefused) -> None:
        show_error(self, message.error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            show_error(self, event.worker.error)
